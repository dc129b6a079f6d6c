"""A Message-ID is a claim, not a proof: only a copy of the same mail is a duplicate; a
different mail that reuses a Message-ID is recorded, raw bytes kept, and taken in on its own."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError
from django.urls import reverse

from tests.concurrency import run_in_threads
from tests.mail.mails import mail, relayed, resent_edited, sample
from tickets import workflow
from tickets.mail import intake, intake_duplicates, intake_writes
from tickets.mail.intake import inbound_receive, inbound_reprocess
from tickets.mail.intake_duplicates import content_fingerprint
from tickets.mail.intake_plans import Arrival, IntakeLookups, plans_make
from tickets.mail.parsing import parse_email
from tickets.models import InboundEmail, Message, Ticket

Status = InboundEmail.Status
OUTLOOK = sample("outlook_russian_reply.eml")
OUTLOOK_EDITED = resent_edited(OUTLOOK)


def fingerprint(raw: bytes) -> str:
    return content_fingerprint(parse_email(raw))


# --- the fingerprint -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "copy",
    [
        pytest.param(relayed(OUTLOOK), id="other-trace-headers"),
        pytest.param(relayed(relayed(OUTLOOK), via="mx3.example.test"), id="two-more-hops"),
        pytest.param(OUTLOOK.replace(b"\r\n", b"\n"), id="line-ends-converted"),
    ],
)
def test_the_same_mail_by_another_path_has_the_same_fingerprint(copy):
    assert copy != OUTLOOK
    assert fingerprint(copy) == fingerprint(OUTLOOK)


def test_a_body_re_encoded_on_the_way_keeps_its_fingerprint():
    body = "Drucker zeigt E-042 – seit dem Update bricht jeder Auftrag ab.\n"
    sent = mail(message_id="<r@x>", body=body, transfer_encoding="8bit")

    for encoding in ("quoted-printable", "base64"):
        copy = mail(message_id="<r@x>", body=body, transfer_encoding=encoding)
        assert copy != sent
        assert fingerprint(copy) == fingerprint(sent)


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(mail(message_id="<m@x>", body="Still broken!"), id="body"),
        pytest.param(mail(message_id="<m@x>", sender="eve@example.net"), id="sender"),
        pytest.param(mail(message_id="<m@x>", subject="Printer shows E-043"), id="subject"),
        pytest.param(
            mail(message_id="<m@x>", sent_at=datetime(2026, 11, 25, tzinfo=UTC)), id="date"
        ),
        pytest.param(
            mail(message_id="<m@x>", attachments=[("log.txt", "text/plain", b"E-042")]),
            id="attachment",
        ),
        pytest.param(mail(message_id="<other@x>"), id="message-id"),
    ],
)
def test_anything_a_person_could_change_changes_the_fingerprint(other):
    assert fingerprint(other) != fingerprint(mail(message_id="<m@x>"))


def test_the_fingerprint_names_the_attachment_bytes():
    one = mail(message_id="<a@x>", attachments=[("log.txt", "text/plain", b"E-042")])
    two = mail(message_id="<a@x>", attachments=[("log.txt", "text/plain", b"E-043")])

    assert fingerprint(one) != fingerprint(two)


def test_a_mail_without_message_id_has_no_fingerprint():
    raw = mail().replace(b"Message-ID:", b"X-Was-Message-ID:")

    assert fingerprint(raw) == ""


# --- the planner ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_planner_calls_only_copies_duplicates_within_one_batch(mailbox):
    first = mail(message_id="<plan@x>")
    arrivals = [
        Arrival(raw=first),
        Arrival(raw=relayed(first)),
        Arrival(raw=mail(message_id="<plan@x>", body="Another text under the same id.")),
        Arrival(raw=mail(message_id="<plan@x>", sender="Eve <eve@example.net>")),
    ]
    lookups = IntakeLookups.load(
        arrivals, mailbox=mailbox, own_addresses={mailbox.email_address}, spam_checked=False
    )

    plans = plans_make(arrivals, lookups)

    assert [plan.duplicate_of for plan in plans] == [None, plans[0], None, None]
    assert [plan.status for plan in plans] == ["ticket", "", "ticket", "ticket"]
    assert plans[0].error == ""
    assert all("Message-ID" in plan.error for plan in (plans[2], plans[3]))
    assert plans[2].details["reused_message_id"] is True
    assert not InboundEmail.objects.exists()  # deciding writes nothing


# --- taking mail in ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_mail_with_other_received_headers_is_recorded_once(receive):
    first = receive(OUTLOOK)

    again = receive(relayed(OUTLOOK))

    assert again.duplicate and again.inbound == first.inbound
    assert InboundEmail.objects.count() == 1
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_a_different_mail_under_the_same_message_id_is_recorded_and_taken_in(receive, mailoutbox):
    first = receive(OUTLOOK).inbound

    edited = receive(OUTLOOK_EDITED)

    second = edited.inbound
    assert not edited.duplicate
    assert InboundEmail.objects.count() == 2
    assert first.message_id_header == second.message_id_header
    assert first.raw.read() == OUTLOOK
    assert second.raw.read() == OUTLOOK_EDITED
    # Taken in as a mail of its own: its own ticket, never the other mail's because of the id.
    assert second.status == Status.TICKET
    assert second.ticket != first.ticket
    assert "повтор" in second.message.body
    assert "Message-ID" in second.error and first.error == ""
    assert second.message.event_data["reused_message_id"] is True
    assert len(mailoutbox) == 2


REUSE_NOTE = "reuses the Message-ID of an earlier, different mail"


@pytest.mark.django_db
def test_staff_see_the_reuse_in_the_thread_and_the_customer_does_not(receive, client, tech):
    first = receive(OUTLOOK).inbound.ticket
    second = receive(OUTLOOK_EDITED).inbound.ticket
    workflow.ticket_claim_on_open(ticket=first, tech=tech)
    workflow.ticket_claim_on_open(ticket=second, tech=tech)
    client.force_login(tech)

    desk = client.get(reverse("tickets:desk_ticket", args=[second.number]))
    other = client.get(reverse("tickets:desk_ticket", args=[first.number]))

    assert desk.status_code == 200 and REUSE_NOTE in desk.content.decode()
    assert other.status_code == 200 and REUSE_NOTE not in other.content.decode()
    client.logout()
    customer_page = client.get(reverse("tickets:ticket_by_token", args=[second.access_token]))
    assert customer_page.status_code == 200
    assert "повтор" in customer_page.content.decode()
    assert REUSE_NOTE not in customer_page.content.decode()


@pytest.mark.django_db
def test_a_different_sender_under_the_same_message_id_gets_a_ticket_of_their_own(receive):
    first = receive(mail(message_id="<1@localhost>", subject="Scanner jams")).inbound

    other = receive(
        mail(message_id="<1@localhost>", sender="Eve <eve@example.net>", subject="Scanner jams")
    ).inbound

    assert other.status == Status.TICKET
    assert other.ticket != first.ticket
    assert other.ticket.customer != first.ticket.customer
    assert other.ticket.customer.emails.get().email == "eve@example.net"


@pytest.mark.django_db
def test_a_reused_message_id_joins_a_ticket_only_by_its_tag(receive):
    first = receive(mail(message_id="<fixed@printer>", subject="Toner low")).inbound
    own = receive(mail(message_id="<other@x>", subject="Paper jam")).inbound.ticket

    tagged = receive(
        mail(message_id="<fixed@printer>", subject=f"Re: {own.tag} Paper jam", body="Again.")
    ).inbound

    assert tagged.status == Status.REPLY
    assert tagged.ticket == own != first.ticket
    assert first.ticket.messages.filter(kind=Message.Kind.CUSTOMER).count() == 1


@pytest.mark.django_db
def test_one_batch_holding_a_copy_and_a_different_mail_under_one_message_id(receive_many):
    results = receive_many(OUTLOOK, relayed(OUTLOOK), OUTLOOK_EDITED)

    assert [r.duplicate for r in results] == [False, True, False]
    assert results[1].inbound == results[0].inbound
    assert results[2].inbound != results[0].inbound
    assert [r.inbound.raw.read() for r in (results[0], results[2])] == [OUTLOOK, OUTLOOK_EDITED]
    assert InboundEmail.objects.count() == 2
    assert Ticket.objects.count() == 2


@pytest.mark.django_db
def test_a_record_from_before_fingerprints_still_recognises_its_copy(receive, monkeypatch):
    first = receive(OUTLOOK).inbound
    InboundEmail.objects.filter(pk=first.pk).update(content_fingerprint="")
    real_read = intake_duplicates._fingerprint_of_stored
    stored_read = []

    def read(inbound):
        stored_read.append(inbound.pk)
        return real_read(inbound)

    monkeypatch.setattr(intake_duplicates, "_fingerprint_of_stored", read)

    refetched = receive(OUTLOOK)
    assert refetched.duplicate and stored_read == []  # the same bytes: no file read
    copy = receive(relayed(OUTLOOK))
    edited = receive(OUTLOOK_EDITED)

    assert copy.duplicate and copy.inbound == first
    assert not edited.duplicate and edited.inbound.status == Status.TICKET
    assert stored_read == [first.pk, first.pk]
    assert InboundEmail.objects.count() == 2


@pytest.mark.django_db
def test_a_record_fingerprinted_before_the_reading_changed_still_recognises_its_copy(receive):
    """An upgrade that reads mail differently (a charset detected, the HTML kept) gives the
    same mail another fingerprint: its copy arriving after the upgrade is still a copy."""
    first = receive(OUTLOOK).inbound
    InboundEmail.objects.filter(pk=first.pk).update(content_fingerprint="0" * 64)

    copy = receive(relayed(OUTLOOK))
    edited = receive(OUTLOOK_EDITED)

    assert copy.duplicate and copy.inbound == first
    assert not edited.duplicate
    assert InboundEmail.objects.count() == 2


@pytest.mark.django_db
def test_a_record_from_before_fingerprints_without_its_raw_file_lets_the_new_mail_in(receive):
    first = receive(OUTLOOK).inbound
    first.raw.storage.delete(first.raw.name)
    InboundEmail.objects.filter(pk=first.pk).update(content_fingerprint="")

    copy = receive(relayed(OUTLOOK))

    assert not copy.duplicate  # recorded twice rather than dropped on a guess
    assert copy.inbound.raw.read() == relayed(OUTLOOK)


@pytest.mark.django_db
def test_a_reprocessed_mail_is_not_a_duplicate_of_its_own_record(receive, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(intake_writes.intake_tickets, "tickets_create_from_emails", broken)
    quarantined = receive(OUTLOOK).inbound
    monkeypatch.undo()
    assert quarantined.status == Status.QUARANTINED

    again = inbound_reprocess(inbound=quarantined)

    assert again.pk == quarantined.pk and again.status == Status.TICKET
    assert again.error == ""  # its own record is no earlier mail under its id
    assert InboundEmail.objects.count() == 1


@pytest.mark.django_db
def test_a_reprocessed_mail_notes_a_different_mail_taken_in_under_its_id_meanwhile(
    receive, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(intake_writes.intake_tickets, "tickets_create_from_emails", broken)
    quarantined = receive(OUTLOOK).inbound
    monkeypatch.undo()
    receive(OUTLOOK_EDITED)

    again = inbound_reprocess(inbound=quarantined)

    assert again.status == Status.TICKET
    assert "Message-ID" in again.error
    assert InboundEmail.objects.count() == 2


# --- two workers at once -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("second", "records"), [("relayed", 1), ("edited", 2)])
def test_two_workers_taking_in_at_once_record_one_mail_once(mailbox, monkeypatch, second, records):
    ticket = inbound_receive(raw=mail(), channel="imap", mailbox=mailbox).inbound.ticket
    # A reply to the sender's ticket: no customer or ticket is created, only the records and
    # the messages can collide.
    reply = mail(message_id="<race@x>", subject=f"Re: {ticket.tag} Printer", body="Still broken.")
    copies = {
        "relayed": relayed(reply),
        "edited": mail(
            message_id="<race@x>", subject=f"Re: {ticket.tag} Printer", body="It smokes now."
        ),
    }
    mails = [reply, copies[second]]
    both_planned = threading.Barrier(2)
    waited = threading.local()
    collisions = []
    real_write = intake.plans_write

    def plans_write(plans, **kwargs):
        if not getattr(waited, "done", False):
            waited.done = True
            both_planned.wait(timeout=10)  # each worker decided before either wrote
        try:
            return real_write(plans, **kwargs)
        except IntegrityError as error:
            collisions.append(str(error))
            raise

    monkeypatch.setattr(intake, "plans_write", plans_write)
    results = [None, None]

    def take_in(index):
        results[index] = inbound_receive(raw=mails[index], channel="imap", mailbox=mailbox)

    run_in_threads(2, take_in)

    recorded = InboundEmail.objects.filter(message_id_header="<race@x>")
    assert recorded.count() == records
    assert all(r.status == Status.REPLY for r in recorded)
    assert sum(not result.duplicate for result in results) == records
    assert {result.inbound.pk for result in results} == set(recorded.values_list("pk", flat=True))
    assert ticket.messages.filter(email_message_id="<race@x>").count() == records
    if records == 1:  # the second insert met the first's fingerprint, and looked again
        assert len(collisions) == 1 and "tickets_inbound_content_unique" in collisions[0]
    else:
        assert collisions == []
