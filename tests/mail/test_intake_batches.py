"""Mail in, a batch at a time: each mail of a batch ends as it would have taken in alone and in
order, one spoiled mail is set aside without stopping the others, and a batch costs a fixed
number of queries however many mails it holds."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Customer, CustomerEmail
from departments.models import Mailbox
from tests.factories import CustomerEmailFactory, DepartmentFactory
from tests.mail.mails import mail
from tests.tickets.conftest import png_bytes
from tickets import services, workflow
from tickets.mail import intake_writes
from tickets.mail.intake import IncomingMail, inbound_receive, inbound_receive_many
from tickets.mail.intake_plans import IntakeLookups
from tickets.models import (
    Attachment,
    BlockedSender,
    Consultation,
    InboundEmail,
    Message,
    OutboundEmail,
    RefusedAttempt,
    StatusType,
    Ticket,
)

pytestmark = pytest.mark.django_db

Status = InboundEmail.Status

UNPARSEABLE = b"\x00\x01 this is not an email at all \xff"


@pytest.fixture
def mailbox(department):
    return Mailbox.objects.create(
        name="Support",
        department=department,
        email_address="support@example.test",
        host="127.0.0.1",
        username="support",
    )


@pytest.fixture
def receive(mailbox, django_capture_on_commit_callbacks):
    """One mail on its own, the way a webhook delivers it (used to set the scene)."""

    def receive(raw):
        with django_capture_on_commit_callbacks(execute=True):
            return inbound_receive(raw=raw, channel="imap", mailbox=mailbox)

    return receive


@pytest.fixture
def receive_many(mailbox, django_capture_on_commit_callbacks):
    """A batch, as a poll takes it in; what the commit schedules (auto-responses) runs."""

    def receive_many(*raws):
        with django_capture_on_commit_callbacks(execute=True):
            return inbound_receive_many(
                mails=[IncomingMail(raw=raw, server_uid=str(n)) for n, raw in enumerate(raws)],
                channel="imap",
                mailbox=mailbox,
            )

    return receive_many


def stored_files(media_root) -> set[str]:
    if not media_root.exists():
        return set()
    return {p.relative_to(media_root).as_posix() for p in media_root.rglob("*") if p.is_file()}


def files_with_rows() -> set[str]:
    """Every file a row points at: raw mails, attachments and their thumbnails."""
    names = set(InboundEmail.objects.exclude(raw="").values_list("raw", flat=True))
    for file, thumbnail in Attachment.objects.values_list("file", "thumbnail"):
        names |= {file, thumbnail} - {""}
    return names


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
        None,
        Status.QUARANTINED,
        Status.SPAM,
        Status.REFUSED,
        Status.IGNORED,
    ]
    assert results[3].inbound == results[2].inbound
    assert results[4].inbound == results[2].inbound
    assert all(r.inbound.pk is not None for r in results)
    # The first mail of the scene plus seven distinct mails of the batch.
    assert InboundEmail.objects.count() == 1 + 7
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
    ]
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.net", "bob@example.net"]


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


def test_one_mail_that_fails_is_quarantined_and_the_others_are_taken_in(
    receive_many, monkeypatch, media_root
):
    real_save = services.attachments_save

    def save_then_fail(*, message, inspected, stored_names):
        saved = real_save(message=message, inspected=inspected, stored_names=stored_names)
        if any(item.original_name == "poison.txt" for item in inspected):
            raise RuntimeError("disk on fire")  # after its files were written
        return saved

    monkeypatch.setattr(services, "attachments_save", save_then_fail)
    poisoned = mail(
        sender="Paul <paul@example.net>",
        subject="Poisoned",
        message_id="<poison@x>",
        attachments=[
            ("screen.png", "image/png", png_bytes()),
            ("poison.txt", "text/plain", b"boom"),
        ],
    )

    results = receive_many(
        mail(sender="Ann <ann@example.net>", attachments=[("a.png", "image/png", png_bytes())]),
        poisoned,
        mail(sender="Ben <ben@example.net>", subject="Fine too"),
    )

    assert [r.inbound.status for r in results] == [
        Status.TICKET,
        Status.QUARANTINED,
        Status.TICKET,
    ]
    bad = results[1].inbound
    assert "disk on fire" in bad.error
    assert bad.raw.read() == poisoned
    assert bad.ticket is None and bad.message is None
    assert not Ticket.objects.filter(subject="Poisoned").exists()
    assert not Message.objects.filter(email_message_id="<poison@x>").exists()
    assert not Customer.objects.filter(emails__email="paul@example.net").exists()
    assert Attachment.objects.get().original_name == "a.png"
    assert stored_files(media_root) == files_with_rows()
    assert len(files_with_rows()) == 3 + 2  # three raw mails, a.png and its thumbnail


def test_a_failing_consultation_answer_quarantines_only_that_mail(
    receive, receive_many, tech, monkeypatch, django_capture_on_commit_callbacks
):
    legal = DepartmentFactory(name="Legal", consultation_email="legal@example.test")
    ticket = receive(mail()).inbound.ticket
    workflow.ticket_claim_on_open(ticket=ticket, tech=tech)
    with django_capture_on_commit_callbacks(execute=True):
        question = workflow.ticket_consult(
            ticket=ticket, tech=tech, department=legal, question="May we refund this?"
        )
    question.refresh_from_db()

    def broken(plan, *, stored_names):
        raise RuntimeError("consultation write failed")

    monkeypatch.setattr(intake_writes, "_consultation_answer", broken)

    results = receive_many(
        mail(sender="Ann <ann@example.net>"),
        mail(
            sender="legal@example.test",
            subject="Re: question",
            body="Yes.",
            in_reply_to=question.email_message_id,
        ),
    )

    assert [r.inbound.status for r in results] == [Status.TICKET, Status.QUARANTINED]
    assert "consultation write failed" in results[1].inbound.error
    assert Consultation.objects.get().answered_at is None
    ticket.refresh_from_db()
    assert ticket.status_type == StatusType.CONSULTATION


def racing_lookups(monkeypatch):
    """The first lookup misses what "another worker" records before this one inserts."""
    real_load = IntakeLookups.load
    calls = []

    def load(cls, arrivals, **kwargs):
        lookups = real_load(arrivals, **kwargs)
        if not calls:
            lookups.recorded_by_digest, lookups.recorded_by_message_id = {}, {}
        calls.append(len(arrivals))
        return lookups

    monkeypatch.setattr(IntakeLookups, "load", classmethod(load))
    return calls


def test_a_mail_recorded_meanwhile_by_another_worker_is_a_duplicate(
    receive, mailbox, monkeypatch, media_root
):
    raw = mail(message_id="<raced@x>")
    first = receive(raw).inbound
    counts = (Ticket.objects.count(), Message.objects.count(), Customer.objects.count())
    files = stored_files(media_root)
    calls = racing_lookups(monkeypatch)

    result = inbound_receive(raw=raw, channel="imap", mailbox=mailbox)

    assert calls == [1, 1]  # the insert failed on the unique hash, and the mail was looked up again
    assert result.duplicate and result.inbound == first
    assert InboundEmail.objects.get() == first
    assert (Ticket.objects.count(), Message.objects.count(), Customer.objects.count()) == counts
    assert stored_files(media_root) == files


def test_a_batch_holding_a_mail_recorded_meanwhile_takes_the_rest_in(
    receive, receive_many, monkeypatch, media_root
):
    raw = mail(message_id="<raced@x>")
    first = receive(raw).inbound
    calls = racing_lookups(monkeypatch)

    results = receive_many(mail(sender="new@example.net", subject="Fresh"), raw)

    assert calls == [2, 1, 1]  # the batch failed and was taken in again mail by mail
    assert not results[0].duplicate and results[0].inbound.status == Status.TICKET
    assert results[1].duplicate and results[1].inbound == first
    assert Ticket.objects.count() == 2
    assert InboundEmail.objects.count() == 2
    assert stored_files(media_root) == files_with_rows()


def test_a_sender_recorded_meanwhile_by_another_worker_keeps_one_customer(
    mailbox, monkeypatch, media_root
):
    known = CustomerEmailFactory(email="nina@example.net").customer
    real_load = IntakeLookups.load
    calls = []

    def load(cls, arrivals, **kwargs):
        lookups = real_load(arrivals, **kwargs)
        if not calls:  # the customer appeared after this worker looked
            lookups.customers = {}
        calls.append(len(arrivals))
        return lookups

    monkeypatch.setattr(IntakeLookups, "load", classmethod(load))

    result = inbound_receive(
        raw=mail(sender="Nina <nina@example.net>"), channel="imap", mailbox=mailbox
    )

    assert calls == [1, 1]  # the customer insert failed, and the mail was looked up again
    assert result.inbound.status == Status.TICKET
    assert result.inbound.ticket.customer == known
    assert Customer.objects.get() == known
    assert stored_files(media_root) == files_with_rows()


def new_requests(count: int, start: int) -> list[IncomingMail]:
    return [
        IncomingMail(
            raw=mail(sender=f"Person {n} <person{n}@example.net>", subject=f"Request {n}"),
            server_uid=str(n),
        )
        for n in range(start, start + count)
    ]


def batch_queries(mailbox, mails: list[IncomingMail]) -> int:
    with CaptureQueriesContext(connection) as queries:
        results = inbound_receive_many(mails=mails, channel="imap", mailbox=mailbox)
    assert [r.inbound.status for r in results] == [Status.TICKET] * len(mails)
    return len(queries)


def test_a_batch_of_new_requests_costs_the_same_queries_whatever_its_size(receive, mailbox):
    receive(mail())  # warms the caches every intake reads (own addresses, blocked senders)

    small = batch_queries(mailbox, new_requests(5, start=0))
    large = batch_queries(mailbox, new_requests(40, start=5))

    # Measured: 13 queries for 5 mails, 13 for 40.
    assert large <= small + 2
    assert Ticket.objects.count() == 1 + 45
    assert Customer.objects.count() == 1 + 45


def test_a_batch_of_replies_costs_the_same_queries_whatever_its_size(receive, mailbox):
    tickets = [
        receive(mail(sender=f"c{n}@example.net", subject=f"Case {n}")).inbound.ticket
        for n in range(45)
    ]

    def queries(chosen):
        mails = [
            IncomingMail(mail(sender=t.customer.emails.get().email, subject=f"Re: {t.tag}"))
            for t in chosen
        ]
        with CaptureQueriesContext(connection) as captured:
            results = inbound_receive_many(mails=mails, channel="imap", mailbox=mailbox)
        assert [r.inbound.status for r in results] == [Status.REPLY] * len(chosen)
        return len(captured)

    small, large = queries(tickets[:5]), queries(tickets[5:])

    # Measured: 11 queries for 5 replies, 11 for 40.
    assert large <= small + 2
    assert all(t.messages.filter(kind=Message.Kind.CUSTOMER).count() == 2 for t in tickets)
    assert OutboundEmail.objects.filter(kind="auto_response").count() == 45


def test_a_batch_of_replies_costs_the_same_queries_while_a_consultation_is_open(
    receive, mailbox, tech
):
    legal = DepartmentFactory(name="Legal", consultation_email="legal@example.test")
    elsewhere = receive(mail(sender="zoe@example.net")).inbound.ticket
    workflow.ticket_claim_on_open(ticket=elsewhere, tech=tech)
    workflow.ticket_consult(ticket=elsewhere, tech=tech, department=legal, question="Refund?")
    tickets = [
        receive(mail(sender=f"c{n}@example.net", subject=f"Case {n}")).inbound.ticket
        for n in range(45)
    ]

    def queries(chosen):
        mails = [
            IncomingMail(mail(sender=t.customer.emails.get().email, subject=f"Re: {t.tag}"))
            for t in chosen
        ]
        with CaptureQueriesContext(connection) as captured:
            results = inbound_receive_many(mails=mails, channel="imap", mailbox=mailbox)
        assert [r.inbound.status for r in results] == [Status.REPLY] * len(chosen)
        return len(captured)

    small, large = queries(tickets[:5]), queries(tickets[5:])

    assert large <= small + 2


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
