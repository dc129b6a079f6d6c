"""Mail in, without a mail server: tickets, threading, duplicates, quarantine, auto-responses,
spam and consultations through the one intake door."""

import pytest
from django.db.models import Count

from tests.factories import DepartmentFactory
from tests.mail.mails import mail
from tests.tickets.conftest import png_bytes
from tickets import workflow
from tickets.mail import intake, intake_writes
from tickets.mail.spam_verdicts import spam_verdict_change
from tickets.models import (
    Attachment,
    Consultation,
    InboundEmail,
    Message,
    OutboundEmail,
    Source,
    StatusType,
    Ticket,
)

pytestmark = pytest.mark.django_db

Status = InboundEmail.Status


def auto_responses():
    return OutboundEmail.objects.filter(kind="auto_response")


def test_a_new_mail_opens_a_ticket_and_is_acknowledged_once(receive, mailbox, mailoutbox):
    raw = mail(message_id="<first@mail.example.org>")

    result = receive(raw)

    inbound = result.inbound
    assert not result.duplicate
    assert inbound.status == Status.TICKET
    ticket = inbound.ticket
    assert ticket.source == Source.EMAIL
    assert ticket.department == mailbox.department
    assert ticket.subject == "Printer shows E-042"
    assert ticket.customer.emails.get().email == "vera@example.org"
    first = ticket.messages.get(kind=Message.Kind.CUSTOMER)
    assert first.body.strip() == "Since the update every job stops."
    assert first.email_message_id == "<first@mail.example.org>"
    assert inbound.raw.read() == raw
    assert len(mailoutbox) == 1
    ack = mailoutbox[0].message()
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["In-Reply-To"] == "<first@mail.example.org>"
    assert ack["Subject"].startswith(f"[#{ticket.number}]")
    assert mailoutbox[0].from_email == "support@example.test"


def test_the_same_mail_twice_is_recorded_once(receive):
    raw = mail()

    first, again = receive(raw), receive(raw)

    assert again.duplicate and again.inbound == first.inbound
    assert Ticket.objects.count() == 1
    assert InboundEmail.objects.count() == 1


def test_a_copy_that_came_another_way_is_recorded_once(receive):
    raw = mail(message_id="<same@x>", body="one")
    receive(raw)

    again = receive(b"Received: from relay.example.net by mx2.example.test; 24 Nov 2026\n" + raw)

    assert again.duplicate
    assert Ticket.objects.count() == 1


def test_a_tagged_reply_from_the_customer_joins_and_reopens_the_ticket(receive, tech):
    ticket = receive(mail()).inbound.ticket
    workflow.ticket_claim_on_open(ticket=ticket, tech=tech)
    workflow.ticket_reply(
        ticket=ticket, tech=tech, body="Restart it?", internal=False, then_status=StatusType.PENDING
    )

    reply = receive(
        mail(
            subject=f"Re: [#{ticket.number}] Printer shows E-042",
            body="Did not help.\n\nOn Mon, Tom wrote:\n> Restart it?",
        )
    )

    ticket.refresh_from_db()
    assert reply.inbound.status == Status.REPLY
    assert ticket.status_type == StatusType.OPEN
    assert ticket.assignee == tech
    assert ticket.returned_at is not None
    message = reply.inbound.message
    assert message.body.strip() == "Did not help."
    assert "Restart it?" in message.event_data["quoted"]
    assert Ticket.objects.count() == 1
    # The reports count each mail for the case's department and owner when it arrived.
    first = InboundEmail.objects.get(status=Status.TICKET)
    assert (first.department_id, first.owner_id) == (ticket.department_id, None)
    reply.inbound.refresh_from_db()
    assert (reply.inbound.department_id, reply.inbound.owner_id) == (ticket.department_id, tech.pk)


def test_a_reply_to_our_mail_joins_by_in_reply_to(receive, tech, mailoutbox):
    ticket = receive(mail()).inbound.ticket
    workflow.ticket_claim_on_open(ticket=ticket, tech=tech)
    our_id = OutboundEmail.objects.get(kind="auto_response").message_id_header

    reply = receive(mail(subject="no tag here", in_reply_to=our_id, references=our_id))

    assert reply.inbound.ticket == ticket
    assert reply.inbound.status == Status.REPLY


def test_a_tag_from_a_stranger_opens_a_new_linked_ticket(receive):
    ticket = receive(mail()).inbound.ticket

    other = receive(mail(sender="mallory@evil.example", subject=f"Re: [#{ticket.number}]"))

    assert other.inbound.status == Status.TICKET
    assert other.inbound.ticket != ticket
    event = other.inbound.ticket.messages.get(kind=Message.Kind.EVENT)
    assert event.event_data == {"event": "linked_from", "ticket": ticket.number}
    assert ticket.messages.count() == 1


def test_a_reference_the_product_did_not_send_never_joins_a_ticket(receive):
    ticket = receive(mail(message_id="<customer-original@x>")).inbound.ticket

    forged = receive(mail(sender="mallory@evil.example", in_reply_to="<customer-original@x>"))

    assert forged.inbound.ticket != ticket


def test_internal_control_headers_from_outside_are_not_obeyed(receive):
    ticket = receive(mail()).inbound.ticket

    other = receive(mail(sender="x@example.net", headers={"X-Helpdesk-Ticket": str(ticket.number)}))

    assert other.inbound.ticket != ticket


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X-Auto-Response-Suppress": "All"},
        {"List-Id": "<news.example.org>"},
    ],
)
def test_automatic_mail_opens_a_ticket_but_gets_no_auto_response(receive, headers, mailoutbox):
    result = receive(mail(headers=headers))

    assert result.inbound.status == Status.TICKET
    assert mailoutbox == []


def test_mail_from_our_own_address_is_set_aside_without_auto_response(receive, mailoutbox):
    result = receive(mail(sender="support@example.test"))

    assert result.inbound.status == Status.SET_ASIDE
    assert mailoutbox == []


def test_an_out_of_office_to_an_existing_ticket_is_kept_but_changes_nothing(receive):
    ticket = receive(mail()).inbound.ticket

    auto = receive(
        mail(
            subject=f"Out of office: [#{ticket.number}]", headers={"Auto-Submitted": "auto-replied"}
        )
    )

    assert auto.inbound.status == Status.IGNORED
    assert ticket.messages.count() == 1


def test_auto_responses_are_limited_per_sender_per_hour(receive, mailoutbox, settings):
    settings.MAIL_AUTO_RESPONSES_PER_HOUR = 3
    for index in range(5):
        receive(mail(subject=f"Request {index}"))

    assert Ticket.objects.count() == 5
    assert len(mailoutbox) == 3


def test_a_very_long_message_id_opens_its_ticket_and_threads_its_reply(receive):
    long_id = "<" + "x" * 600 + "@mail.example.org>"
    first = receive(mail(message_id=long_id))
    ticket = first.inbound.ticket

    reply = receive(mail(subject=f"Re: {ticket.tag} Printer", body="More.", in_reply_to=long_id))

    assert first.inbound.status == Status.TICKET
    assert first.inbound.message.email_message_id == long_id
    assert reply.inbound.status == Status.REPLY and reply.inbound.ticket == ticket


def test_unparseable_mail_is_quarantined_and_the_next_one_goes_through(receive):
    bad = receive(b"\x00\x01 this is not an email at all \xff")
    good = receive(mail())

    assert bad.inbound.status == Status.QUARANTINED
    assert bad.inbound.error
    assert bad.inbound.raw.read().startswith(b"\x00\x01")
    assert good.inbound.status == Status.TICKET


def test_a_failure_while_processing_quarantines_the_mail_and_writes_nothing_else(
    receive, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(intake_writes.intake_tickets, "tickets_create_from_emails", broken)

    result = receive(mail())

    assert result.inbound.status == Status.QUARANTINED
    assert "database hiccup" in result.inbound.error
    assert Ticket.objects.count() == 0
    monkeypatch.undo()
    again = intake.inbound_reprocess(inbound=result.inbound)
    assert again.status == Status.TICKET


def test_attachments_pass_the_web_checks(receive):
    result = receive(
        mail(
            attachments=[
                ("screen.png", "image/png", png_bytes()),
                ("fake.png", "image/png", b"MZ\x90\x00 not an image"),
                ("setup.exe", "application/octet-stream", b"MZ\x90\x00"),
            ]
        )
    )

    message = result.inbound.message
    kept = Attachment.objects.filter(message=message).order_by("id")
    assert [(a.original_name, a.is_image, a.failed_image_check) for a in kept] == [
        ("screen.png", True, False),
        # Not an image after all: kept as a plain download (with a note), not lost.
        ("fake.png", False, True),
    ]
    assert kept[1].content_type == "application/octet-stream"
    assert len(message.event_data["refused_attachments"]) == 1  # the blocked .exe


def test_upstream_spam_is_set_aside_and_not_spam_opens_its_ticket(receive, mailoutbox):
    result = receive(mail(headers={"X-Spam-Flag": "YES"}))

    assert result.inbound.status == Status.SPAM
    assert Ticket.objects.count() == 0
    assert mailoutbox == []

    inbound = spam_verdict_change(inbound=result.inbound, is_spam=False)

    assert inbound.status == Status.TICKET
    assert inbound.spam_learned_as == "ham"
    assert Ticket.objects.count() == 1


def test_marking_a_mail_ticket_as_spam_closes_it_and_learns(receive):
    inbound = receive(mail()).inbound

    inbound = spam_verdict_change(inbound=inbound, is_spam=True)

    inbound.ticket.refresh_from_db()
    assert inbound.status == Status.SPAM
    assert inbound.spam_learned_as == "spam"
    assert inbound.ticket.status_type == StatusType.CLOSED
    # The reports never count it as a closed case.
    assert inbound.ticket.closures.get().reason == "spam"


def test_a_blocked_sender_is_refused(receive):
    from tickets.models import BlockedSender

    BlockedSender.objects.create(kind="domain", value="example.org")

    result = receive(mail())

    assert result.inbound.status == Status.REFUSED
    assert Ticket.objects.count() == 0


def test_consultation_round_trip(receive, tech, mailoutbox, django_capture_on_commit_callbacks):
    legal = DepartmentFactory(name="Legal", consultation_email="legal@example.test")
    ticket = receive(mail()).inbound.ticket
    workflow.ticket_claim_on_open(ticket=ticket, tech=tech)
    with django_capture_on_commit_callbacks(execute=True):
        question = workflow.ticket_consult(
            ticket=ticket, tech=tech, department=legal, question="May we refund this?"
        )
    ticket.refresh_from_db()
    assert ticket.status_type == StatusType.CONSULTATION
    sent = next(m for m in mailoutbox if m.to == ["legal@example.test"])
    question.refresh_from_db()
    assert sent.extra_headers["Message-ID"] == question.email_message_id
    assert "May we refund this?" in sent.body

    answer = receive(
        mail(
            sender="Legal <legal@example.test>",
            subject=f"Re: {sent.subject}",
            body="Yes, within 14 days.",
            in_reply_to=question.email_message_id,
        )
    )

    ticket.refresh_from_db()
    assert answer.inbound.status == Status.CONSULTATION
    assert ticket.status_type == StatusType.OPEN
    assert ticket.assignee == tech
    assert ticket.returned_at is not None
    consultation = Consultation.objects.get()
    assert consultation.answered_at is not None
    assert consultation.answer.kind == Message.Kind.CONSULTATION_IN
    assert consultation.answer.body.strip() == "Yes, within 14 days."


def test_no_ticket_is_ever_created_twice_for_one_message_id(receive):
    for _ in range(3):
        receive(mail(message_id="<once@x>"))

    counts = InboundEmail.objects.values("message_id_header").annotate(n=Count("id"))
    assert all(row["n"] == 1 for row in counts)
    assert Ticket.objects.count() == 1
