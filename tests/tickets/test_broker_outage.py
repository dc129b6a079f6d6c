"""Broker down (SPEC, "When things fail"): every action a person takes still succeeds and says
so; the mail it causes is in the outbox, committed with the action, and sent exactly once by
the sweep when the broker is back."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import DepartmentFactory
from tests.faults import broker_unreachable
from tests.mail.mails import mail
from tickets import tasks, workflow
from tickets.mail.intake import inbound_receive
from tickets.models import Message, OutboundEmail, Ticket

pytestmark = pytest.mark.django_db


def sweep_when_due() -> int:
    OutboundEmail.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    return tasks.outbox_sweep_due()


def assert_sent_once_after_the_outage(kind: str, mailoutbox) -> OutboundEmail:
    row = OutboundEmail.objects.get(kind=kind)
    assert row.status == OutboundEmail.Status.PENDING
    assert mailoutbox == []

    assert sweep_when_due() == 1  # the broker is back
    assert sweep_when_due() == 0
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.SENT
    assert len(mailoutbox) == 1
    assert mailoutbox[0].extra_headers["Message-ID"] == row.message_id_header
    return row


@pytest.fixture
def mine(submit, tech, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = workflow.ticket_claim_on_open(ticket=submit(), tech=tech).ticket
    OutboundEmail.objects.all().delete()
    mailoutbox.clear()
    return ticket


def test_a_reply_while_the_broker_is_down_succeeds_and_is_mailed_once_later(
    client, tech, mine, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(tech)
    page = reverse("tickets:desk_ticket", args=[mine.number])

    with broker_unreachable(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(page + "reply/", {"body": "Restart it, please."}, follow=True)

    assert response.status_code == 200
    assert "Reply sent." in response.content.decode()
    message = Message.objects.get(ticket=mine, kind=Message.Kind.REPLY)
    row = assert_sent_once_after_the_outage("reply", mailoutbox)
    assert message.email_message_id == row.message_id_header
    message.refresh_from_db()
    assert message.emailed_at is not None


def test_a_web_form_post_while_the_broker_is_down_confirms_and_mails_once_later(
    client, public_form, category, mailoutbox, django_capture_on_commit_callbacks
):
    data = {
        "name": "Vera Visitor",
        "email": "vera@example.org",
        "category": str(category.pk),
        "priority": "3",
        "subject": "Printer shows E-042",
        "message": "It stopped after the update.",
        "order_number": "",
        "answer_preference": "answer_by_email",
    }

    with broker_unreachable(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/support/{public_form.slug}/", data, follow=True)

    ticket = Ticket.objects.get()
    assert response.status_code == 200
    assert f"#{ticket.number}" in response.content.decode()
    assert_sent_once_after_the_outage("confirmation", mailoutbox)
    ticket.refresh_from_db()
    assert ticket.confirmation_sent_at is not None


def test_a_consultation_while_the_broker_is_down_is_asked_and_mailed_once_later(
    client, tech, mailbox, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = inbound_receive(raw=mail(), channel="imap", mailbox=mailbox).inbound.ticket
        ticket = workflow.ticket_claim_on_open(ticket=ticket, tech=tech).ticket
    OutboundEmail.objects.all().delete()
    mailoutbox.clear()
    legal = DepartmentFactory(name="Legal", consultation_email="legal@example.test")
    client.force_login(tech)
    page = reverse("tickets:desk_ticket", args=[ticket.number])

    with broker_unreachable(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            page + "consult/", {"department": legal.pk, "question": "Refund?"}, follow=True
        )

    assert response.status_code == 200
    row = assert_sent_once_after_the_outage("consultation", mailoutbox)
    assert mailoutbox[0].to == ["legal@example.test"]
    question = Message.objects.get(kind=Message.Kind.CONSULTATION_OUT)
    assert question.email_message_id == row.message_id_header


def test_mail_taken_in_while_the_broker_is_down_is_acknowledged_once_later(
    mailbox, mailoutbox, django_capture_on_commit_callbacks
):
    with broker_unreachable(), django_capture_on_commit_callbacks(execute=True):
        result = inbound_receive(raw=mail(), channel="imap", mailbox=mailbox)

    assert result.inbound.ticket_id is not None
    assert_sent_once_after_the_outage("auto_response", mailoutbox)
