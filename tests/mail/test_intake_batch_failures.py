"""Mail in, a batch at a time, when something goes wrong: one spoiled mail is set aside without
stopping the others, and a mail or sender another worker recorded meanwhile is taken in once."""

import pytest

from accounts.models import Customer
from tests.factories import CustomerEmailFactory, DepartmentFactory
from tests.mail.mails import mail
from tests.tickets.conftest import png_bytes
from tickets import workflow
from tickets.mail import intake_tickets, intake_writes
from tickets.mail.intake import inbound_receive
from tickets.mail.intake_plans import IntakeLookups
from tickets.models import Attachment, Consultation, InboundEmail, Message, StatusType, Ticket

pytestmark = pytest.mark.django_db

Status = InboundEmail.Status


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


def test_one_mail_that_fails_is_quarantined_and_the_others_are_taken_in(
    receive_many, monkeypatch, media_root
):
    real_save = intake_tickets.attachments_save

    def save_then_fail(*, message, inspected, stored_names):
        saved = real_save(message=message, inspected=inspected, stored_names=stored_names)
        if any(item.original_name == "poison.txt" for item in inspected):
            raise RuntimeError("disk on fire")  # after its files were written
        return saved

    monkeypatch.setattr(intake_tickets, "attachments_save", save_then_fail)
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
            lookups.recorded_by_digest, lookups.recorded_by_fingerprint = {}, {}
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
