"""A manager's decisions on a trainee's held work (tickets/approvals.py), the approvals queue's
selectors (tickets/approval_queue.py), the held-reply badge of the desk's queue rows, and the
rule that everything a trainee would send a customer waits for a manager."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.concurrency import run_in_threads
from tests.factories import DepartmentFactory, MembershipFactory, TechFactory
from tests.tickets.conftest import png_upload
from tickets import approval_queue, approvals, queues, services, workflow
from tickets.attachments import attachments_inspect
from tickets.mail import outbox
from tickets.models import Activity, Message, OutboundEmail, Source, StatusType

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainee_ticket(submit, trainee):
    return workflow.ticket_claim_on_open(ticket=submit(), tech=trainee).ticket


@pytest.fixture
def held(trainee_ticket, trainee):
    return workflow.ticket_reply(
        ticket=trainee_ticket, tech=trainee, body="Restart the printer twice.", internal=False
    )


def customer_mail(mailoutbox):
    """What reached the customer (vera@example.org); staff are notified of approvals by mail
    too (tickets/notifying.py), and those mails are not the customer's."""
    return [mail for mail in mailoutbox if "vera@example.org" in mail.to]


def reply_rows(message):
    return OutboundEmail.objects.filter(kind=outbox.REPLY, message=message)


def to_customer(mailoutbox, ticket):
    """The mails that went to the ticket's customer (staff get notification mails too)."""
    addresses = set(ticket.customer.emails.values_list("email", flat=True))
    return [mail for mail in mailoutbox if addresses & set(mail.to)]


def to_person(mailoutbox, user):
    return [mail for mail in mailoutbox if user.email in mail.to]


def events(ticket, name):
    return list(Message.objects.filter(ticket=ticket, event_data__event=name).order_by("id"))


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


# Held mail


def test_a_held_mail_is_approved_once(submit, trainee, manager, department):
    ticket = services.ticket_create_for_customer(
        staff=trainee,
        email="li@example.net",
        name="Li",
        phone="",
        subject="Phone call",
        body="Called.",
        category=None,
        department=department,
        priority=3,
        source=Source.PHONE,
        assign_to_me=True,
        send_confirmation=True,
    )
    (mail,) = OutboundEmail.objects.filter(ticket=ticket)

    approvals.mail_approve(outbound=mail, manager=manager)
    with pytest.raises(approvals.AlreadyDecided):
        approvals.mail_approve(outbound=mail, manager=manager)

    mail.refresh_from_db()
    assert mail.status in (OutboundEmail.Status.PENDING, OutboundEmail.Status.SENT)
    assert len(events(ticket, "mail_approved")) == 1


# Everything a trainee would send a customer waits the same way


def test_a_ticket_a_trainee_enters_holds_its_confirmation(trainee, department, mailoutbox):
    ticket = services.ticket_create_for_customer(
        staff=trainee,
        email="li@example.net",
        name="Li",
        phone="+44 20 7946 0000",
        subject="Phone call: router",
        body="Called about the router.",
        category=None,
        department=department,
        priority=3,
        source=Source.PHONE,
        assign_to_me=True,
        send_confirmation=True,
    )

    (mail,) = OutboundEmail.objects.filter(ticket=ticket)
    assert mail.kind == outbox.CONFIRMATION
    assert mail.status == OutboundEmail.Status.AWAITING_APPROVAL
    assert mailoutbox == []


def test_a_ticket_a_trainee_splits_from_a_message_holds_its_confirmation(
    trainee_ticket, trainee, department, mailoutbox
):
    first = trainee_ticket.messages.get(kind=Message.Kind.CUSTOMER)

    ticket = services.ticket_create_from_message(
        staff=trainee,
        message=first,
        subject="The second question",
        department=department,
        priority=3,
        send_confirmation=True,
    )

    (mail,) = OutboundEmail.objects.filter(ticket=ticket)
    assert mail.status == OutboundEmail.Status.AWAITING_APPROVAL
    assert not [m for m in mailoutbox if m.subject.startswith(ticket.tag)]


def test_a_trainees_reply_with_a_file_waits_and_is_listed_with_it(trainee_ticket, trainee, manager):
    message = workflow.ticket_reply(
        ticket=trainee_ticket,
        tech=trainee,
        body="See the marked area.",
        internal=False,
        attachments=attachments_inspect([png_upload("marked.png")]),
    )

    assert message.awaiting_approval
    assert not OutboundEmail.objects.filter(ticket=trainee_ticket, kind=outbox.REPLY).exists()
    (listed,) = approval_queue.held_replies_for(user=manager).replies
    assert [a.original_name for a in listed.attachments.all()] == ["marked.png"]


def test_a_trainees_internal_note_is_not_held(trainee_ticket, trainee):
    note = workflow.ticket_reply(
        ticket=trainee_ticket, tech=trainee, body="Checked the logs.", internal=True
    )

    assert not note.awaiting_approval
    assert not OutboundEmail.objects.filter(message=note).exists()


def test_a_trainees_consultation_goes_to_the_department_not_the_customer(trainee_ticket, trainee):
    """By decision not held: it is addressed to another department, never to the customer."""
    consulted = DepartmentFactory(name="Billing", consultation_email="billing@example.test")

    question = workflow.ticket_consult(
        ticket=trainee_ticket, tech=trainee, department=consulted, question="Refund possible?"
    )

    (mail,) = OutboundEmail.objects.filter(message=question)
    assert mail.kind == outbox.CONSULTATION
    assert mail.status == OutboundEmail.Status.PENDING
    assert question.event_data["to"] == "billing@example.test"


# The queue: who sees what


def test_the_queue_is_oldest_first_and_only_of_the_managers_departments(
    submit, trainee, manager, admin_user
):
    other = DepartmentFactory(name="Sales")
    other_trainee = TechFactory(replies_need_approval=True)
    MembershipFactory(user=other_trainee, department=other)
    other_manager = TechFactory()
    MembershipFactory(user=other_manager, department=other, is_manager=True)
    mine = []
    for index in range(3):
        ticket = workflow.ticket_claim_on_open(ticket=submit(), tech=trainee).ticket
        mine.append(
            workflow.ticket_reply(ticket=ticket, tech=trainee, body=f"A{index}", internal=False)
        )
    theirs = submit()
    workflow.ticket_transfer(ticket=theirs, by=manager, to_department=other)
    theirs = workflow.ticket_claim_on_open(ticket=theirs, tech=other_trainee).ticket
    their_reply = workflow.ticket_reply(ticket=theirs, tech=other_trainee, body="B", internal=False)

    assert [m.pk for m in approval_queue.held_replies_for(user=manager).replies] == [
        m.pk for m in mine
    ]
    assert [m.pk for m in approval_queue.held_replies_for(user=other_manager).replies] == [
        their_reply.pk
    ]
    assert approval_queue.held_replies_for(user=admin_user).total == 4
    assert approval_queue.held_replies_for(user=trainee).replies == []


def test_a_transferred_ticket_is_decided_by_its_new_departments_managers(
    held, trainee_ticket, manager
):
    sales = DepartmentFactory(name="Sales")
    sales_manager = TechFactory()
    MembershipFactory(user=sales_manager, department=sales, is_manager=True)

    workflow.ticket_transfer(ticket=trainee_ticket, by=manager, to_department=sales)

    assert approval_queue.held_replies_for(user=manager).replies == []
    assert [m.pk for m in approval_queue.held_replies_for(user=sales_manager).replies] == [held.pk]


def test_the_queue_pages_by_id(submit, trainee, manager):
    ticket = workflow.ticket_claim_on_open(ticket=submit(), tech=trainee).ticket
    replies = [
        workflow.ticket_reply(ticket=ticket, tech=trainee, body=f"R{i}", internal=False)
        for i in range(5)
    ]

    first = approval_queue.held_replies_for(user=manager, size=2)
    second = approval_queue.held_replies_for(user=manager, after=first.next_after, size=2)
    last = approval_queue.held_replies_for(user=manager, after=second.next_after, size=2)

    assert first.total == 5
    assert [m.pk for m in first.replies + second.replies + last.replies] == [m.pk for m in replies]
    assert last.next_after is None


# The desk's queue rows


def test_queue_rows_say_which_tickets_hold_a_reply(submit, trainee, held, trainee_ticket):
    other = workflow.ticket_claim_on_open(ticket=submit(), tech=trainee).ticket

    page = queues.queue_page(user=trainee, queue="mine")

    flags = {ticket.pk: ticket.has_held_reply for ticket in page.tickets}
    assert flags == {trainee_ticket.pk: True, other.pk: False}


@pytest.mark.parametrize("queue", ["mine", "general", "team"])
def test_queue_query_count_does_not_grow_with_held_replies(client, submit, trainee, manager, queue):
    def held_tickets(count):
        for index in range(count):
            ticket = submit(subject=f"Case {index}")
            if queue != "general":
                ticket = workflow.ticket_claim_on_open(ticket=ticket, tech=trainee).ticket
            Message.objects.create(
                ticket=ticket,
                kind=Message.Kind.REPLY,
                author=trainee,
                body="x",
                awaiting_approval=True,
            )

    viewer = manager if queue == "team" else trainee
    client.force_login(viewer)

    def count_queries():
        client.get(f"/desk/?queue={queue}")  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/desk/?queue={queue}")
        assert response.status_code == 200
        return len(queries), response.content.decode().count('data-testid="held-reply-badge"')

    held_tickets(3)
    few, badges_few = count_queries()
    held_tickets(57)
    many, badges_many = count_queries()

    assert badges_few == 3 and badges_many == queues.PAGE_SIZE
    assert many == few


def test_the_demo_has_held_replies_and_a_rejected_one():
    from django.core.management import call_command

    from helpdesk.demo_approvals import REJECTION_REASON

    call_command("demo_data")
    call_command("demo_data")  # loads once

    assert Message.objects.filter(awaiting_approval=True).count() >= 2
    (rejected,) = Message.objects.filter(rejected_at__isnull=False)
    assert rejected.rejection_reason == REJECTION_REASON
    assert not OutboundEmail.objects.filter(message=rejected).exists()
