"""Mail from the product's own addresses: never a ticket for its own address. Set aside with its
raw bytes and a reason an admin reads (and may overrule); nothing legitimate is set aside."""

import pytest
from django.urls import reverse

from accounts.models import Customer
from departments.models import Mailbox
from tests.factories import DepartmentFactory
from tests.mail.mails import mail
from tickets import workflow
from tickets.mail.intake import inbound_reprocess
from tickets.models import Consultation, InboundEmail, Message, OutboundEmail, Ticket

pytestmark = pytest.mark.django_db

Status = InboundEmail.Status


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="plain"),
        pytest.param({"X-Helpdesk-Loop": "helpdesk.example", "Auto-Submitted": "auto-replied"}),
    ],
)
def test_mail_from_a_mailbox_address_to_no_ticket_is_set_aside(receive, mailoutbox, headers):
    raw = mail(sender="Support <support@example.test>", subject="Your request", headers=headers)

    result = receive(raw)

    inbound = result.inbound
    assert inbound.status == Status.SET_ASIDE
    assert "support@example.test" in inbound.error and "own address" in inbound.error
    assert inbound.raw.read() == raw
    assert inbound.ticket is None and inbound.message is None
    assert not Ticket.objects.exists()
    assert not Customer.objects.filter(emails__email="support@example.test").exists()
    assert not OutboundEmail.objects.exists() and mailoutbox == []


def test_mail_from_the_default_sender_address_is_set_aside(receive, settings):
    settings.DEFAULT_FROM_EMAIL = "Helpdesk <helpdesk@example.test>"

    result = receive(mail(sender="helpdesk@example.test"))

    assert result.inbound.status == Status.SET_ASIDE
    assert not Ticket.objects.exists()


def test_our_own_automatic_mail_to_a_ticket_stays_ignored(receive):
    ticket = receive(mail()).inbound.ticket

    result = receive(
        mail(
            sender="support@example.test",
            subject=f"Re: {ticket.tag} Printer shows E-042",
            headers={"X-Helpdesk-Loop": "helpdesk.example", "Auto-Submitted": "auto-replied"},
        )
    )

    assert result.inbound.status == Status.IGNORED
    assert "own-address" in result.inbound.error
    assert ticket.messages.count() == 1


@pytest.mark.parametrize(
    "sender",
    [
        '"support@example.test" <eve@example.net>',  # our address as a display name only
        "support@example.test.example.net",
        "support@example.testing",
    ],
)
def test_addresses_that_only_look_like_ours_open_tickets(receive, sender):
    result = receive(mail(sender=sender))

    assert result.inbound.status == Status.TICKET


def test_a_consultation_answer_from_an_address_that_is_also_our_mailbox_is_taken_in(
    receive, tech, mailbox, django_capture_on_commit_callbacks
):
    # Legal's consultation address is one of our own mailboxes: still the answer it is.
    legal = DepartmentFactory(name="Legal", consultation_email="legal@example.test")
    Mailbox.objects.create(
        name="Legal", department=legal, email_address="legal@example.test", host="127.0.0.1"
    )
    ticket = receive(mail()).inbound.ticket
    workflow.ticket_claim_on_open(ticket=ticket, tech=tech)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.ticket_consult(ticket=ticket, tech=tech, department=legal, question="Refund?")

    answer = receive(
        mail(sender="Legal <legal@example.test>", subject=f"Re: {ticket.tag}", body="Yes.")
    )

    assert answer.inbound.status == Status.CONSULTATION
    assert Consultation.objects.get().answer == answer.inbound.message


def test_an_admin_may_take_a_set_aside_mail_in(receive):
    inbound = receive(mail(sender="support@example.test", subject="Forwarded by a rule")).inbound

    again = inbound_reprocess(inbound=inbound)

    assert again.pk == inbound.pk and again.status == Status.TICKET
    assert again.error == ""
    assert again.ticket.subject == "Forwarded by a rule"
    assert again.message.kind == Message.Kind.CUSTOMER
    assert InboundEmail.objects.count() == 1


def test_the_admin_lists_set_aside_mail_with_its_reason(receive, admin_client):
    set_aside = receive(mail(sender="support@example.test", subject="Loop?")).inbound
    receive(mail(subject="A real request"))
    url = reverse("admin:tickets_inboundemail_changelist")

    page = admin_client.get(url, {"status__exact": Status.SET_ASIDE})

    content = page.content.decode()
    assert page.status_code == 200
    assert "Set aside (see the reason)" in content
    assert "Sent from the helpdesk&#x27;s own address support@example.test" in content
    assert "A real request" not in content
    detail = admin_client.get(
        reverse("admin:tickets_inboundemail_change", args=[set_aside.pk])
    ).content.decode()
    assert "process it again to open one" in detail


def test_the_admin_reprocess_action_takes_a_set_aside_mail_in(receive, admin_client):
    set_aside = receive(mail(sender="support@example.test", subject="Loop?")).inbound
    ticket_mail = receive(mail(subject="A real request")).inbound

    response = admin_client.post(
        reverse("admin:tickets_inboundemail_changelist"),
        {"action": "reprocess", "_selected_action": [set_aside.pk, ticket_mail.pk]},
        follow=True,
    )

    assert response.status_code == 200
    set_aside.refresh_from_db()
    assert set_aside.status == Status.TICKET
    assert Ticket.objects.count() == 2  # the mail that had its ticket is left alone
