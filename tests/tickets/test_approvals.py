"""A manager's decisions on a trainee's held work (tickets/approvals.py): approve, edit then
approve, reject, and two managers at once. The queue, the desk's badge and the rule that
everything a trainee sends a customer waits: test_approval_queue.py."""

import pytest
from django.core.exceptions import ValidationError

from tests.concurrency import run_in_threads
from tests.factories import MembershipFactory, TechFactory
from tests.tickets.approval_support import (
    events,
    held,
    held_mail,
    reply_rows,
    to_customer,
    to_person,
    trainee_ticket,
)
from tickets import approvals, workflow
from tickets.mail import outbox
from tickets.models import Activity, Message, OutboundEmail, StatusType

pytestmark = pytest.mark.django_db
__all__ = ["held", "held_mail", "trainee_ticket"]  # fixtures


# Held replies never reach the outbox before approval


def test_a_trainees_public_reply_waits_with_no_outbox_row(held, trainee_ticket):
    assert held.awaiting_approval
    assert held.kind == Message.Kind.REPLY
    assert not OutboundEmail.objects.filter(message=held).exists()
    trainee_ticket.refresh_from_db()
    assert trainee_ticket.first_response_at is None


@pytest.mark.parametrize("then", [StatusType.PENDING, StatusType.CLOSED])
def test_send_and_pending_or_close_still_holds_the_reply(trainee_ticket, trainee, then):
    message = workflow.ticket_reply(
        ticket=trainee_ticket, tech=trainee, body="Done, I think.", internal=False, then_status=then
    )

    assert message.awaiting_approval
    assert not OutboundEmail.objects.filter(ticket=trainee_ticket, kind=outbox.REPLY).exists()


# Approve


def test_approve_writes_the_reply_to_the_outbox_and_the_customer_gets_it(
    held, trainee_ticket, manager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        approvals.reply_approve(message=held, manager=manager)

    held.refresh_from_db()
    assert not held.awaiting_approval and held.approved_by == manager
    assert reply_rows(held).count() == 1
    (sent,) = to_customer(mailoutbox, trainee_ticket)
    assert "Restart the printer twice." in sent.body
    # The trainee hears of the decision (tickets/notifying.py); nobody else is mailed.
    (told,) = to_person(mailoutbox, held.author)
    assert "approved your reply" in told.body
    assert len(mailoutbox) == 2
    (event,) = events(trainee_ticket, "reply_approved")
    assert event.event_data == {"event": "reply_approved", "message": held.pk}
    assert event.activity == Activity.REPLY_APPROVED and event.author == manager


def test_edit_then_approve_sends_the_edited_text_and_keeps_the_draft(
    held, trainee_ticket, manager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        approvals.reply_approve(
            message=held, manager=manager, edited_body="Please restart the printer once."
        )

    held.refresh_from_db()
    assert held.body == "Please restart the printer once."
    assert held.event_data["original_body"] == "Restart the printer twice."
    assert held.event_data["edited_by"] == manager.full_name
    (event,) = events(trainee_ticket, "reply_approved")
    assert event.author == manager
    assert event.event_data["edited"] is True
    assert event.event_data["original_body"] == "Restart the printer twice."
    (sent,) = to_customer(mailoutbox, trainee_ticket)
    assert "Please restart the printer once." in sent.body
    assert "twice" not in sent.body


@pytest.mark.parametrize("text", ["", "   \n "])
def test_edit_with_empty_text_changes_nothing(held, manager, text):
    with pytest.raises(ValidationError):
        approvals.reply_approve(message=held, manager=manager, edited_body=text)

    held.refresh_from_db()
    assert held.awaiting_approval and held.body == "Restart the printer twice."
    assert not OutboundEmail.objects.filter(message=held).exists()
    assert not Message.objects.filter(event_data__event="reply_approved").exists()


# Reject


def test_reject_makes_an_internal_note_with_the_reason_and_nothing_reaches_the_customer(
    held, trainee_ticket, manager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        approvals.reply_reject(message=held, manager=manager, reason="  Ask for the model first. ")

    held.refresh_from_db()
    assert held.kind == Message.Kind.NOTE
    assert not held.awaiting_approval
    assert held.rejected_by == manager and held.rejected_at is not None
    assert held.rejection_reason == "Ask for the model first."
    assert held.body == "Restart the printer twice."  # kept for the trainee to learn from
    (event,) = events(trainee_ticket, "reply_rejected")
    assert event.event_data == {
        "event": "reply_rejected",
        "message": held.pk,
        "reason": "Ask for the model first.",
    }
    assert event.activity == Activity.REPLY_REJECTED
    assert event.department_id == trainee_ticket.department_id
    assert not OutboundEmail.objects.filter(message=held).exists()
    assert to_customer(mailoutbox, trainee_ticket) == []
    # Only the trainee is mailed, with the reason.
    (told,) = mailoutbox
    assert told.to == [held.author.email] and "Ask for the model first." in told.body


def test_a_rejected_reply_can_never_be_approved_afterwards(
    held, manager, mailoutbox, django_capture_on_commit_callbacks
):
    approvals.reply_reject(message=held, manager=manager, reason="Wrong product.")

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(approvals.AlreadyDecided, match="already rejected"):
            approvals.reply_approve(message=held, manager=manager)
        with pytest.raises(approvals.AlreadyDecided):
            approvals.reply_approve(message=held, manager=manager, edited_body="Try this.")

    held.refresh_from_db()
    assert held.kind == Message.Kind.NOTE and held.approved_by is None
    assert not OutboundEmail.objects.filter(message=held).exists()
    assert mailoutbox == []


def test_an_approved_reply_cannot_be_rejected_afterwards(held, manager):
    approvals.reply_approve(message=held, manager=manager)

    with pytest.raises(approvals.AlreadyDecided, match="already approved"):
        approvals.reply_reject(message=held, manager=manager, reason="Too late.")

    held.refresh_from_db()
    assert held.kind == Message.Kind.REPLY and held.rejected_at is None
    assert reply_rows(held).count() == 1


@pytest.mark.parametrize("reason", ["", "   ", "x" * (approvals.REASON_MAX_LENGTH + 1)])
def test_reject_without_a_usable_reason_changes_nothing(held, manager, reason):
    with pytest.raises(ValidationError):
        approvals.reply_reject(message=held, manager=manager, reason=reason)

    held.refresh_from_db()
    assert held.awaiting_approval and held.kind == Message.Kind.REPLY
    assert held.rejected_at is None and held.rejection_reason == ""
    assert not Message.objects.filter(event_data__event="reply_rejected").exists()


def test_rejecting_a_reply_sent_with_close_opens_the_ticket_again(trainee_ticket, trainee, manager):
    message = workflow.ticket_reply(
        ticket=trainee_ticket,
        tech=trainee,
        body="Solved.",
        internal=False,
        then_status=StatusType.CLOSED,
    )
    trainee_ticket.refresh_from_db()
    assert trainee_ticket.status_type == StatusType.CLOSED

    approvals.reply_reject(message=message, manager=manager, reason="It is not solved yet.")

    trainee_ticket.refresh_from_db()
    assert trainee_ticket.status_type == StatusType.OPEN
    assert trainee_ticket.assignee == trainee


# Two managers at once: exactly one decision wins


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["approve", "reject", "edit"])
def test_two_managers_deciding_at_once_exactly_one_wins(
    submit, trainee, manager, department, second
):
    other_manager = TechFactory(full_name="Mo Manager")
    MembershipFactory(user=other_manager, department=department)
    ticket = workflow.ticket_claim_on_open(ticket=submit(), tech=trainee).ticket
    message = workflow.ticket_reply(ticket=ticket, tech=trainee, body="Draft.", internal=False)
    outcomes: dict[int, str] = {}

    def decide(index):
        try:
            if index == 0:
                approvals.reply_reject(message=message, manager=manager, reason="No.")
            elif second == "approve":
                approvals.reply_approve(message=message, manager=other_manager)
            elif second == "edit":
                approvals.reply_approve(
                    message=message, manager=other_manager, edited_body="Better."
                )
            else:
                approvals.reply_reject(message=message, manager=other_manager, reason="Nope.")
            outcomes[index] = "won"
        except approvals.AlreadyDecided:
            outcomes[index] = "lost"

    run_in_threads(2, decide)

    assert sorted(outcomes.values()) == ["lost", "won"]
    message.refresh_from_db()
    decisions = Message.objects.filter(
        ticket=ticket, event_data__event__in=["reply_approved", "reply_rejected"]
    )
    assert decisions.count() == 1
    if message.rejected_at is not None:
        assert message.kind == Message.Kind.NOTE and message.approved_by is None
        assert not OutboundEmail.objects.filter(message=message).exists()
    else:
        assert message.approved_by == other_manager
        assert OutboundEmail.objects.filter(message=message).count() == 1
