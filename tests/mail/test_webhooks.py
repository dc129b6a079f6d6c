"""Inbound webhooks feed the same intake as polling, with the same dedupe."""

import pytest
from anymail.inbound import AnymailInboundMessage
from anymail.signals import AnymailInboundEvent, inbound

from departments.models import Mailbox
from tests.mail.mails import mail
from tickets.models import InboundEmail, Ticket

pytestmark = pytest.mark.django_db


def deliver_by_webhook(raw: bytes, event_id: str = "evt-1"):
    event = AnymailInboundEvent(
        event_type="inbound",
        event_id=event_id,
        message=AnymailInboundMessage.parse_raw_mime_bytes(raw),
    )
    inbound.send(sender=object, event=event, esp_name="Postmark")


def test_a_webhook_mail_opens_a_ticket_in_the_mailbox_it_was_sent_to(department):
    Mailbox.objects.create(
        name="Support",
        department=department,
        email_address="support@example.test",
        host="x",
        username="x",
    )

    deliver_by_webhook(mail(to="Support <Support@Example.test>"))

    inbound_mail = InboundEmail.objects.get()
    assert inbound_mail.channel == InboundEmail.Channel.WEBHOOK
    assert inbound_mail.mailbox.email_address == "support@example.test"
    assert inbound_mail.ticket.department == department


def test_a_webhook_delivered_twice_makes_one_ticket(department):
    raw = mail(message_id="<webhook-once@x>")

    deliver_by_webhook(raw, "evt-1")
    deliver_by_webhook(raw, "evt-2")

    assert InboundEmail.objects.count() == 1
    assert Ticket.objects.count() == 1
