"""Every closing of a case is recorded for the reports, by the one place that changes a status,
whoever closes it: a tech, the auto-close sweep, a spam verdict; reopening undoes it, the
customer writing after it is feedback, and closing again supersedes it."""

import pytest

from tests.tickets.pending_support import CLOSE_AFTER, REMIND_AFTER, days, set_waiting
from tickets import services, workflow
from tickets.models import Closure, StatusType
from tickets.sla.pending import pending_steps_sweep


@pytest.fixture
def claimed(submit, tech):
    return workflow.ticket_claim_on_open(ticket=submit(), tech=tech).ticket


def close(ticket, tech):
    return workflow.ticket_status_change(ticket=ticket, author=tech, status_type=StatusType.CLOSED)


def test_a_tech_closing_records_owner_department_deadline_and_clocks(claimed, tech, department):
    workflow.ticket_reply(ticket=claimed, tech=tech, body="Done.", internal=False)
    claimed.refresh_from_db()
    close(claimed, tech)
    claimed.refresh_from_db()
    closure = Closure.objects.get(ticket=claimed)
    assert closure.reason == Closure.Reason.CLOSED
    assert (closure.owner, closure.department) == (tech, department)
    assert closure.closed_at == claimed.closed_at
    assert closure.deadline == claimed.resolution_due_at
    assert closure.first_response_at == claimed.first_response_at
    assert closure.response_used == claimed.response_used
    assert closure.resolution_used == claimed.resolution_used
    assert not closure.consulted and closure.reopened_at is None


def test_send_and_close_records_one_closing(claimed, tech):
    workflow.ticket_reply(
        ticket=claimed, tech=tech, body="Fixed.", internal=False, then_status=StatusType.CLOSED
    )
    assert Closure.objects.filter(ticket=claimed).count() == 1


def test_moving_between_two_closed_statuses_is_not_a_second_closing(claimed, tech):
    from tickets.models import Status

    close(claimed, tech)
    resolved = Status.objects.create(name="Resolved", type=StatusType.CLOSED)
    workflow.ticket_status_change(ticket=claimed, author=tech, status=resolved)
    assert Closure.objects.filter(ticket=claimed).count() == 1


def test_a_tech_reopening_is_not_customer_feedback(claimed, tech):
    close(claimed, tech)
    workflow.ticket_status_change(ticket=claimed, author=tech, status_type=StatusType.OPEN)
    closure = Closure.objects.get(ticket=claimed)
    assert closure.reopened_at is not None
    assert closure.feedback_at is None


def test_the_customer_writing_after_the_closing_is_feedback_and_reopens_it(claimed, tech):
    close(claimed, tech)
    services.ticket_reply_from_customer(ticket=claimed, body="Thanks, it works!")
    closure = Closure.objects.get(ticket=claimed)
    assert closure.feedback_at is not None
    assert closure.reopened_at is not None
    close(claimed, tech)
    first, second = Closure.objects.filter(ticket=claimed).order_by("closed_at")
    assert first.superseded_at == second.closed_at
    assert second.reopened_at is None and second.superseded_at is None


def test_the_auto_close_sweep_records_an_automatic_closing(
    department, submit, tech, django_capture_on_commit_callbacks
):
    department.pending_reminder_days = REMIND_AFTER
    department.pending_autoclose_days = CLOSE_AFTER
    department.save()
    ticket = set_waiting(submit(), tech)
    with django_capture_on_commit_callbacks(execute=True):
        pending_steps_sweep(now=ticket.pending_since + days(REMIND_AFTER))
        pending_steps_sweep(now=ticket.pending_since + days(REMIND_AFTER + CLOSE_AFTER))
    assert Closure.objects.get(ticket=ticket).reason == Closure.Reason.AUTO_CLOSED


def test_a_consulted_case_is_closed_as_consulted(claimed, tech, department):
    from tests.factories import DepartmentFactory

    legal = DepartmentFactory(name="Legal", consultation_email="legal@example.test")
    workflow.ticket_consult(ticket=claimed, tech=tech, department=legal, question="May we?")
    claimed.refresh_from_db()
    close(claimed, tech)
    assert Closure.objects.get(ticket=claimed).consulted
