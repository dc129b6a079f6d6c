"""Rules found by review: where a ticket lands after a transfer, and what a held reply leaves."""

import pytest

from tickets import queues, services, workflow
from tickets.models import StatusType

pytestmark = pytest.mark.django_db


def test_pending_ticket_put_back_in_the_pool_is_new_and_shows_in_the_general_pool(submit, tech):
    ticket = workflow.ticket_claim_on_open(ticket=submit(), tech=tech).ticket
    workflow.ticket_reply(
        ticket=ticket,
        tech=tech,
        body="Waiting for you",
        internal=False,
        then_status=StatusType.PENDING,
    )

    ticket = workflow.ticket_transfer(ticket=ticket, by=tech)

    assert ticket.assignee is None
    assert ticket.status_type == StatusType.NEW
    general = queues.queue_page(user=tech, queue="general").tickets
    assert ticket in general


def test_trainee_held_reply_keeps_the_customer_replied_mark_until_approved(
    submit, trainee, manager
):
    ticket = workflow.ticket_claim_on_open(ticket=submit(), tech=trainee).ticket
    workflow.ticket_status_change(ticket=ticket, author=trainee, status_type=StatusType.PENDING)
    services.ticket_reply_from_customer(ticket=ticket, body="Any news?")

    message = workflow.ticket_reply(ticket=ticket, tech=trainee, body="Soon!", internal=False)
    ticket.refresh_from_db()
    assert message.awaiting_approval
    assert ticket.returned_at is not None
    assert ticket.first_response_at is None

    workflow.reply_approve(message=message, manager=manager)
    ticket.refresh_from_db()
    assert ticket.returned_at is None
    assert ticket.first_response_at is not None
