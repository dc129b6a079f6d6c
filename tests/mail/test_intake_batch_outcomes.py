"""Mail in, a batch at a time: each mail of a batch ends as it would have taken in alone and in
order."""

import re

import pytest

from accounts.models import Customer, CustomerEmail
from tests.factories import (
    CustomerEmailFactory,
    CustomerFactory,
    DepartmentFactory,
    MembershipFactory,
    TechFactory,
)
from tests.mail.mails import mail
from tickets import workflow
from tickets.models import (
    BlockedSender,
    Consultation,
    InboundEmail,
    Message,
    RefusedAttempt,
    StatusType,
    Ticket,
)

pytestmark = pytest.mark.django_db

Status = InboundEmail.Status

UNPARSEABLE = b"\x00\x01 this is not an email at all \xff"


def status_changes(ticket: Ticket) -> int:
    return ticket.messages.filter(
        kind=Message.Kind.EVENT, event_data__event="status_changed"
    ).count()


def test_a_mixed_batch_ends_each_mail_as_taking_it_in_alone_would(
    receive, receive_many, mailoutbox
):
    BlockedSender.objects.create(kind="email", value="fraud@blocked.example")
    ticket = receive(mail(message_id="<original@x>")).inbound.ticket
    mailoutbox.clear()
    request = mail(sender="Bob <bob@example.net>", subject="Invoice missing", message_id="<b@x>")

    results = receive_many(
        mail(sender="Alice <alice@example.net>", subject="Login fails"),
        mail(subject=f"Re: [#{ticket.number}] Printer shows E-042", body="Still broken."),
        request,
        request,  # the same bytes twice in one batch
        mail(sender="Bob <bob@example.net>", message_id="<b@x>", body="resent, another trailer"),
        UNPARSEABLE,
        mail(sender="spam@example.biz", headers={"X-Spam-Flag": "YES"}),
        mail(sender="fraud@blocked.example", subject="Refund now"),
        mail(
            subject=f"Out of office: [#{ticket.number}]",
            headers={"Auto-Submitted": "auto-replied"},
        ),
    )

    statuses = [None if r.duplicate else r.inbound.status for r in results]
    assert statuses == [
        Status.TICKET,
        Status.REPLY,
        Status.TICKET,
        None,
        Status.TICKET,  # another mail under the same Message-ID: taken in, the reuse noted
        Status.QUARANTINED,
        Status.SPAM,
        Status.REFUSED,
        Status.IGNORED,
    ]
    assert results[3].inbound == results[2].inbound
    assert "Message-ID" in results[4].inbound.error
    assert results[4].inbound.ticket != results[2].inbound.ticket
    assert all(r.inbound.pk is not None for r in results)
    # The first mail of the scene plus eight distinct mails of the batch.
    assert InboundEmail.objects.count() == 1 + 8
    assert RefusedAttempt.objects.get().email == "fraud@blocked.example"
    assert results[5].inbound.raw.read() == UNPARSEABLE
    assert results[1].inbound.ticket == ticket
    assert results[8].inbound.ticket == ticket
    bodies = ticket.messages.order_by("pk").values_list("body", flat=True)
    assert [body.strip() for body in bodies] == [
        "Since the update every job stops.",
        "Still broken.",
    ]
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [
        "Invoice missing",
        "Login fails",
        "Printer shows E-042",
        "Printer shows E-042",
    ]
    assert sorted(m.to[0] for m in mailoutbox) == [
        "alice@example.net",
        "bob@example.net",
        "bob@example.net",
    ]


def test_two_mails_from_one_new_address_make_one_customer_and_two_tickets(receive_many):
    results = receive_many(
        mail(sender="Nina New <nina@example.net>", subject="First"),
        mail(sender="Nina New <Nina@Example.NET>", subject="Second"),
    )

    customer = CustomerEmail.objects.get(email="nina@example.net").customer
    assert customer.name == "Nina New"
    assert Customer.objects.count() == 1
    assert [r.inbound.ticket.customer for r in results] == [customer, customer]
    assert len({r.inbound.ticket.pk for r in results}) == 2


def test_mail_from_a_known_address_joins_its_customer_not_a_new_one(receive_many):
    known = CustomerEmailFactory(email="known@example.net")

    results = receive_many(
        mail(sender="known@example.net", subject="One"),
        mail(sender="Someone Else <else@example.net>", subject="Two"),
    )

    assert results[0].inbound.ticket.customer == known.customer
    assert results[1].inbound.ticket.customer != known.customer
    assert Customer.objects.count() == 2


def test_a_tag_naming_another_customers_ticket_opens_a_new_linked_ticket(receive, receive_many):
    ticket = receive(mail()).inbound.ticket

    (result,) = receive_many(mail(sender="mallory@evil.example", subject=f"[#{ticket.number}]"))

    assert result.inbound.status == Status.TICKET
    assert result.inbound.ticket != ticket
    event = result.inbound.ticket.messages.get(kind=Message.Kind.EVENT)
    assert event.event_data == {"event": "linked_from", "ticket": ticket.number}
    assert ticket.messages.count() == 1


@pytest.mark.parametrize("waiting", [StatusType.PENDING, StatusType.CLOSED])
def test_two_replies_in_one_batch_reopen_a_waiting_ticket_once(
    receive, receive_many, tech, waiting
):
    ticket = receive(mail()).inbound.ticket
    workflow.ticket_claim_on_open(ticket=ticket, tech=tech)
    workflow.ticket_reply(
        ticket=ticket, tech=tech, body="Restart it?", internal=False, then_status=waiting
    )
    changes_before = status_changes(ticket)

    results = receive_many(
        mail(subject=f"Re: [#{ticket.number}]", body="Did not help."),
        mail(subject=f"Re: [#{ticket.number}]", body="Still nothing."),
    )

    ticket.refresh_from_db()
    assert [r.inbound.status for r in results] == [Status.REPLY, Status.REPLY]
    assert ticket.status_type == StatusType.OPEN
    assert ticket.assignee == tech
    assert ticket.returned_at is not None
    assert status_changes(ticket) == changes_before + 1
    customer_bodies = ticket.messages.filter(kind=Message.Kind.CUSTOMER).order_by("pk")
    assert [m.body.strip() for m in customer_bodies] == [
        "Since the update every job stops.",
        "Did not help.",
        "Still nothing.",
    ]


def test_a_consultation_answered_twice_in_one_batch_is_answered_once(
    receive, receive_many, tech, mailoutbox, django_capture_on_commit_callbacks
):
    legal = DepartmentFactory(name="Legal", consultation_email="legal@example.test")
    ticket = receive(mail()).inbound.ticket
    workflow.ticket_claim_on_open(ticket=ticket, tech=tech)
    with django_capture_on_commit_callbacks(execute=True):
        question = workflow.ticket_consult(
            ticket=ticket, tech=tech, department=legal, question="May we refund this?"
        )
    question.refresh_from_db()

    first, second = receive_many(
        *(
            mail(
                sender="Legal <legal@example.test>",
                subject=f"Re: [#{ticket.number}] consultation",
                body=body,
                in_reply_to=question.email_message_id,
            )
            for body in ("Yes, within 14 days.", "Correction: within 30 days.")
        )
    )

    ticket.refresh_from_db()
    consultation = Consultation.objects.get()
    assert first.inbound.status == Status.CONSULTATION
    assert second.inbound.status != Status.CONSULTATION
    assert consultation.answer == first.inbound.message
    assert consultation.answer.body.strip() == "Yes, within 14 days."
    assert ticket.messages.filter(kind=Message.Kind.CONSULTATION_IN).count() == 1
    assert ticket.status_type == StatusType.OPEN
    # The late mail is not the ticket's customer: it never lands in the thread.
    assert not ticket.messages.filter(body__contains="Correction").exists()


def without_message_id(raw: bytes) -> bytes:
    stripped = re.sub(rb"Message-ID: [^\r\n]*\r?\n", b"", raw)
    assert b"Message-ID" not in stripped
    return stripped


@pytest.mark.parametrize(
    ("recorded", "new"),
    [
        (
            without_message_id(mail(subject="Recorded before")),
            without_message_id(mail(sender="new@example.net", subject="Never seen")),
        ),
        (UNPARSEABLE, b"\x00\x02 another broken mail"),
    ],
    ids=["no-message-id", "unparseable"],
)
def test_a_new_mail_without_message_id_is_not_a_duplicate_of_a_refetched_one(
    receive, receive_many, recorded, new
):
    first = receive(recorded).inbound  # taken in, then seen again (a re-poll, a new UIDVALIDITY)

    again, fresh = receive_many(recorded, new)

    assert again.duplicate and again.inbound == first
    assert not fresh.duplicate
    assert InboundEmail.objects.count() == 2
    assert fresh.inbound.raw.read() == new


def test_a_mail_with_a_long_message_id_opens_its_ticket(receive):
    message_id = "<" + "a" * 300 + "@mail.example.org>"

    result = receive(mail(message_id=message_id))

    assert result.inbound.status == Status.TICKET
    assert result.inbound.message_id_header == message_id


def test_a_batch_routes_to_account_managers_only_where_they_work(receive_many, department):
    here = MembershipFactory(department=department, user=TechFactory()).user
    elsewhere = MembershipFactory(department=DepartmentFactory(), user=TechFactory()).user
    for address, manager in (("kept@example.org", here), ("other@example.org", elsewhere)):
        customer = CustomerFactory(account_manager=manager)
        CustomerEmailFactory(customer=customer, email=address)

    results = receive_many(
        mail(sender="Kept <kept@example.org>", subject="One"),
        mail(sender="Other <other@example.org>", subject="Two"),
    )

    kept, other = (result.inbound.ticket for result in results)
    assert kept.assignee == here
    assert other.assignee is None  # the general pool of the mailbox's department
