"""Held mail, the rule that everything a trainee would send a customer waits for a manager, the
approvals queue's selectors (tickets/approval_queue.py) and the held-reply badge of the desk's
queue rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import DepartmentFactory, MembershipFactory, TechFactory
from tests.tickets.approval_support import (
    events,
    held,
    held_mail,
    trainee_phone_ticket,
    trainee_ticket,
)
from tests.tickets.conftest import png_upload
from tickets import approval_queue, approvals, queues, services, workflow
from tickets.attachments import attachments_inspect
from tickets.mail import outbox
from tickets.models import Message, OutboundEmail

pytestmark = pytest.mark.django_db
__all__ = ["held", "held_mail", "trainee_ticket"]  # fixtures


# Held mail


def test_a_held_mail_is_approved_once(submit, trainee, manager, department):
    ticket = trainee_phone_ticket(trainee, department)
    (mail,) = OutboundEmail.objects.filter(ticket=ticket)

    approvals.mail_approve(outbound=mail, manager=manager)
    with pytest.raises(approvals.AlreadyDecided):
        approvals.mail_approve(outbound=mail, manager=manager)

    mail.refresh_from_db()
    assert mail.status in (OutboundEmail.Status.PENDING, OutboundEmail.Status.SENT)
    assert len(events(ticket, "mail_approved")) == 1


# Everything a trainee would send a customer waits the same way


def test_a_ticket_a_trainee_enters_holds_its_confirmation(trainee, department, mailoutbox):
    ticket = trainee_phone_ticket(
        trainee,
        department,
        phone="+44 20 7946 0000",
        subject="Phone call: router",
        body="Called about the router.",
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
