"""The two SLA clocks through every transition of a case: new, claim, reply, pending, customer
reply, consultation, close, reopen and transfer between calendars (tickets/sla/clocks.py).

Dates: 2026-12-04 is a Friday, 12-07 the Monday after."""

from datetime import date, timedelta

import pytest

from tests.factories import DepartmentFactory, MembershipFactory, TechFactory
from tests.tickets.sla_support import HOUR, at, office_calendar, utc
from tickets import services, workflow
from tickets.models import Priority, StatusType
from tickets.sla.clocks import Alert, Clock, clock_time_left, clocks_running
from tickets.sla.policies import policy_for

pytestmark = pytest.mark.django_db

FRIDAY, MONDAY = (2026, 12, 4), (2026, 12, 7)


@pytest.fixture
def office(department):
    """The fixture department on office hours (UTC): first response in 1 h, resolution in 8 h."""
    department.calendar = office_calendar()
    department.response_time_limit = HOUR
    department.resolution_time_limit = 8 * HOUR
    department.save()
    return department


def fresh(ticket):
    ticket.refresh_from_db()
    return ticket


def test_new_case_due_in_business_time_not_wall_clock(office, submit):
    with at(utc(*FRIDAY, 16, 30)):
        ticket = submit()
    assert ticket.response_due_at == utc(*MONDAY, 9, 30)  # 30 min on Friday, 30 on Monday
    assert ticket.resolution_due_at == utc(*MONDAY, 16, 30)
    assert ticket.due_at == ticket.response_due_at
    # A fifth of an hour left from 12 min before the due time: 48 business minutes in.
    assert ticket.risk_at == utc(*MONDAY, 9, 18)
    assert ticket.sla_alert_at == ticket.due_at
    with at(utc(*FRIDAY, 17, 30)):
        assert not ticket.is_overdue
    with at(utc(2026, 12, 5, 12)):
        assert not ticket.is_overdue and not ticket.is_at_risk
    with at(utc(*MONDAY, 9, 20)):
        assert ticket.is_at_risk
    with at(utc(*MONDAY, 9, 31)):
        assert ticket.is_overdue


def test_a_request_at_1630_with_one_hour_is_not_late_at_1730(office, submit):
    with at(utc(2026, 12, 2, 16, 30)):
        ticket = submit()
    with at(utc(2026, 12, 2, 17, 30)):
        assert not ticket.is_overdue
        left = clock_time_left(ticket, policy=policy_for(office.pk), now=utc(2026, 12, 2, 17, 30))
    assert left == (Clock.RESPONSE, timedelta(minutes=30))


def test_claim_changes_no_clock(office, submit, tech):
    with at(utc(*FRIDAY, 10)):
        ticket = submit()
    before = (ticket.due_at, ticket.resolution_due_at)
    with at(utc(*FRIDAY, 10, 20)):
        workflow.ticket_claim_on_open(ticket=ticket, tech=tech)
    ticket = fresh(ticket)
    assert ticket.assignee == tech
    assert (ticket.due_at, ticket.resolution_due_at) == before


def test_first_reply_stops_the_response_clock_and_the_deadline_takes_over(office, submit, tech):
    with at(utc(*FRIDAY, 10)):
        ticket = submit()
    with at(utc(*FRIDAY, 10, 40)):
        workflow.ticket_reply(ticket=ticket, tech=tech, body="On it.", internal=False)
    ticket = fresh(ticket)
    assert ticket.first_response_at == utc(*FRIDAY, 10, 40)
    assert ticket.response_due_at == utc(*FRIDAY, 11)  # kept: answered on time
    assert ticket.response_used == timedelta(minutes=40)
    # 8 business hours from Friday 10:00: seven on Friday, one on Monday.
    assert ticket.due_at == ticket.resolution_due_at == utc(*MONDAY, 10)
    assert clocks_running(ticket) == [Clock.RESOLUTION]


def test_an_internal_note_is_not_a_first_response(office, submit, tech):
    with at(utc(*FRIDAY, 10)):
        ticket = submit()
    with at(utc(*FRIDAY, 10, 40)):
        workflow.ticket_reply(ticket=ticket, tech=tech, body="Looking.", internal=True)
    ticket = fresh(ticket)
    assert ticket.first_response_at is None
    assert ticket.due_at == ticket.response_due_at == utc(*FRIDAY, 11)


def test_pending_over_a_weekend_is_not_late_on_monday(office, submit, tech):
    with at(utc(*FRIDAY, 10)):
        ticket = submit()
    with at(utc(*FRIDAY, 11)):
        workflow.ticket_reply(
            ticket=ticket, tech=tech, body="Which model?", internal=False, then_status="pending"
        )
    ticket = fresh(ticket)
    assert ticket.status_type == StatusType.PENDING
    assert ticket.due_at is None and ticket.risk_at is None and ticket.sla_alert_at is None
    assert ticket.resolution_used == HOUR
    assert ticket.pending_since == utc(*FRIDAY, 11)
    with at(utc(*MONDAY, 15)):
        assert not ticket.is_overdue
        services.ticket_reply_from_customer(ticket=ticket, body="An E-042.")
    ticket = fresh(ticket)
    assert ticket.status_type == StatusType.OPEN
    assert ticket.pending_since is None
    # Seven business hours were left: Monday 15–17, then Tuesday 09–14.
    assert ticket.due_at == ticket.resolution_due_at == utc(2026, 12, 8, 14)
    with at(utc(*MONDAY, 16)):
        assert not ticket.is_overdue


def test_pending_with_the_clock_passed_resumes_overdue_with_the_same_due_time(office, submit, tech):
    with at(utc(*FRIDAY, 10)):
        ticket = submit()
    with at(utc(*FRIDAY, 12)):  # the first response was due at 11:00
        workflow.ticket_status_change(ticket=ticket, author=tech, status_type=StatusType.PENDING)
    ticket = fresh(ticket)
    assert ticket.response_used == 2 * HOUR and ticket.due_at is None
    with at(utc(*MONDAY, 10)):
        services.ticket_reply_from_customer(ticket=ticket, body="Still broken.")
    ticket = fresh(ticket)
    assert ticket.due_at == utc(*FRIDAY, 11)
    with at(utc(*MONDAY, 10)):
        assert ticket.is_overdue
        left = clock_time_left(ticket, policy=policy_for(office.pk), now=utc(*MONDAY, 10))
    # Late by the hour after 11:00 on Friday; the weekend and the wait count nothing.
    assert left == (Clock.RESPONSE, -HOUR)


def test_pause_and_resume_across_a_weekend_and_a_holiday(department, submit, tech):
    department.calendar = office_calendar(holidays=[date(*MONDAY)])
    department.response_time_limit = 4 * HOUR
    department.save()
    with at(utc(*FRIDAY, 14)):
        ticket = submit()
    with at(utc(*FRIDAY, 15)):
        workflow.ticket_status_change(ticket=ticket, author=tech, status_type=StatusType.PENDING)
    with at(utc(*MONDAY, 12)):  # the holiday: the customer writes, nobody is in
        services.ticket_reply_from_customer(ticket=ticket, body="Here it is.")
    ticket = fresh(ticket)
    # 3 h were left; the holiday counts nothing: Tuesday 09:00 + 3 h.
    assert ticket.due_at == utc(2026, 12, 8, 12)


def test_consultation_keeps_the_clocks_running(office, submit, tech):
    other = DepartmentFactory(name="Billing", consultation_email="billing@example.test")
    with at(utc(*FRIDAY, 10)):
        ticket = submit()
    due = ticket.due_at
    with at(utc(*FRIDAY, 10, 15)):
        workflow.ticket_consult(ticket=ticket, tech=tech, department=other, question="Refund?")
    ticket = fresh(ticket)
    assert ticket.status_type == StatusType.CONSULTATION
    assert ticket.due_at == due and clocks_running(ticket) == [Clock.RESPONSE, Clock.RESOLUTION]
    with at(utc(*FRIDAY, 11, 5)):
        assert ticket.is_overdue


def test_close_stops_both_clocks_and_keeps_the_deadline_for_reports(office, submit, tech):
    with at(utc(*FRIDAY, 10)):
        ticket = submit()
    with at(utc(*FRIDAY, 12)):
        workflow.ticket_reply(
            ticket=ticket, tech=tech, body="Fixed.", internal=False, then_status="closed"
        )
    ticket = fresh(ticket)
    assert ticket.closed_at == utc(*FRIDAY, 12)
    assert ticket.due_at is None and ticket.risk_at is None and ticket.sla_alert_at is None
    assert ticket.resolution_due_at == utc(*MONDAY, 10)  # 8 business hours from Friday 10:00
    assert ticket.closed_at <= ticket.resolution_due_at
    assert ticket.first_response_at > ticket.response_due_at  # answered late


def test_closing_a_waiting_case_leaves_its_deadline_ahead(office, submit, tech):
    with at(utc(*FRIDAY, 10)):
        ticket = submit()
    with at(utc(*FRIDAY, 11)):
        workflow.ticket_reply(
            ticket=ticket, tech=tech, body="Try this.", internal=False, then_status="pending"
        )
    with at(utc(2026, 12, 14, 10)):
        workflow.ticket_status_change(ticket=ticket, author=tech, status_type=StatusType.CLOSED)
    ticket = fresh(ticket)
    assert ticket.pending_since is None
    # 7 business hours were left when it started waiting: closed on time.
    assert ticket.resolution_due_at == utc(2026, 12, 14, 17)
    assert ticket.closed_at <= ticket.resolution_due_at


def test_reopen_starts_a_new_resolution_clock(office, submit, tech):
    with at(utc(*FRIDAY, 10)):
        ticket = submit()
    with at(utc(*FRIDAY, 16)):
        workflow.ticket_reply(
            ticket=ticket, tech=tech, body="Done.", internal=False, then_status="closed"
        )
    ticket = fresh(ticket)
    ticket.sla_alerts = Alert.RESOLUTION_ESCALATED | Alert.RESPONSE_ESCALATED
    ticket.save(update_fields=["sla_alerts"])
    with at(utc(2026, 12, 9, 10)):
        services.ticket_reply_from_customer(ticket=ticket, body="It is back.")
    ticket = fresh(ticket)
    assert ticket.status_type == StatusType.OPEN
    assert ticket.resolution_started_at == utc(2026, 12, 9, 10)
    assert ticket.resolution_used == timedelta(0)
    assert ticket.due_at == ticket.resolution_due_at == utc(2026, 12, 10, 10)
    # The resolution clock may escalate again; the response clock was settled long ago.
    assert ticket.sla_alerts == Alert.RESPONSE_ESCALATED
    assert ticket.sla_alert_at == ticket.resolution_due_at


def test_transfer_counts_time_so_far_on_the_old_calendar_and_the_rest_on_the_new(
    department, submit, tech
):
    department.response_time_limit = 4 * HOUR  # around the clock
    department.save()
    office = DepartmentFactory(
        name="Office", calendar=office_calendar(), response_time_limit=4 * HOUR
    )
    with at(utc(*FRIDAY, 14)):
        ticket = submit()
    assert ticket.due_at == utc(*FRIDAY, 18)
    with at(utc(*FRIDAY, 16)):
        workflow.ticket_transfer(ticket=ticket, by=tech, to_department=office)
    ticket = fresh(ticket)
    assert ticket.response_used == 2 * HOUR
    # 2 h left on office hours: Friday 16–17, Monday 09–10.
    assert ticket.due_at == utc(*MONDAY, 10)


def test_transfer_takes_the_new_departments_limits(department, submit, tech):
    quick = DepartmentFactory(name="Quick", response_time_limit=HOUR)
    with at(utc(*FRIDAY, 10)):
        ticket = submit()
    with at(utc(*FRIDAY, 10, 30)):
        workflow.ticket_transfer(ticket=ticket, by=tech, to_department=quick)
    ticket = fresh(ticket)
    assert ticket.response_limit == HOUR
    assert ticket.due_at == utc(*FRIDAY, 11)


def test_priority_limits_are_shorter(office, submit):
    office.priority_limits.create(
        priority=Priority.EMERGENCY, response_time_limit=timedelta(minutes=15)
    )
    with at(utc(*FRIDAY, 10)):
        urgent = submit(priority=Priority.EMERGENCY)
        usual = submit(priority=Priority.MEDIUM)
    assert urgent.response_due_at == utc(*FRIDAY, 10, 15)
    assert urgent.resolution_limit == timedelta(minutes=15)
    assert usual.response_due_at == utc(*FRIDAY, 11)


def test_a_held_reply_approved_later_is_the_first_response_then(office, submit, trainee, manager):
    from tickets.approvals import reply_approve

    with at(utc(*FRIDAY, 10)):
        ticket = submit()
    with at(utc(*FRIDAY, 10, 10)):
        message = workflow.ticket_reply(ticket=ticket, tech=trainee, body="Hi", internal=False)
    assert fresh(ticket).first_response_at is None
    with at(utc(*FRIDAY, 10, 50)):
        reply_approve(message=message, manager=manager)
    ticket = fresh(ticket)
    assert ticket.first_response_at == utc(*FRIDAY, 10, 50)
    assert ticket.response_used == timedelta(minutes=50)
    assert ticket.due_at == ticket.resolution_due_at


def test_tech_pool_membership_is_unaffected(office, submit):
    """A case from the web lands in the general pool with its clocks started."""
    tech = TechFactory()
    MembershipFactory(user=tech, department=office)
    with at(utc(*FRIDAY, 10)):
        ticket = submit()
    assert ticket.assignee is None and ticket.sla_mark_at == utc(*FRIDAY, 10)
