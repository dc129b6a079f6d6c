"""SLA marks (tickets/sla/marks.py): the duration wording, and the state and time left of cases
opened and worked through the services on an office calendar and around the clock."""

from datetime import timedelta

import pytest
from django.core.cache import cache

from departments.sla_changes import POLICY_CACHE_KEY
from tests.factories import CategoryFactory, DepartmentFactory
from tests.tickets.marks_support import (
    FRIDAY,
    MONDAY,
    SATURDAY,
    TUESDAY,
    at,
    clock,
    limits_set,
    office_calendar,
)
from tickets import services, workflow
from tickets.board import board_for
from tickets.models import StatusType, Ticket
from tickets.sla.marks import MarkState, clock_marks, duration_label
from tickets.statuses import status_default

__all__ = ["clock"]  # fixtures

pytestmark = pytest.mark.django_db

MINUTE, HOUR = timedelta(minutes=1), timedelta(hours=1)


# The wording of a duration


@pytest.mark.parametrize(
    "amount, words",
    [
        (timedelta(0), "less than a minute"),
        (timedelta(seconds=59), "less than a minute"),
        (MINUTE, "1 min"),
        (59 * MINUTE + timedelta(seconds=59), "59 min"),
        (HOUR, "1 h"),
        (2 * HOUR + 10 * MINUTE, "2 h 10 min"),
        (23 * HOUR + 59 * MINUTE, "23 h 59 min"),
        (24 * HOUR, "1 day"),
        (24 * HOUR + 59 * MINUTE, "1 day"),
        (25 * HOUR + 30 * MINUTE, "1 day 1 h"),
        (48 * HOUR, "2 days"),
        (53 * HOUR, "2 days 5 h"),
    ],
)
def test_durations_read_as_people_say_them(amount, words):
    assert duration_label(amount) == words


def test_an_overdue_amount_reads_the_same_as_time_left():
    assert duration_label(-(3 * HOUR + 5 * MINUTE)) == "3 h 5 min"


def test_durations_are_truncated_so_time_left_never_promises_more():
    assert duration_label(HOUR - timedelta(seconds=1)) == "59 min"
    assert duration_label(-timedelta(seconds=90)) == "1 min"


# Cases on an office calendar (Monday to Friday, 09:00 to 17:00 UTC)


@pytest.fixture
def office(department):
    limits_set(department, response=HOUR, calendar=office_calendar())
    return department


def open_case(clock, submit, when, **fields):
    clock.now = when
    return submit(**fields)


def mark_at(ticket, when):
    ticket = Ticket.objects.get(pk=ticket.pk)
    return clock_marks([ticket], now=when)[ticket.pk]


def test_a_case_past_its_one_hour_limit_in_business_hours_is_overdue(clock, office, submit):
    ticket = open_case(clock, submit, at(TUESDAY, 10))

    mark = mark_at(ticket, at(TUESDAY, 11, 30))

    assert mark.state == MarkState.OVERDUE
    assert mark.left == -30 * MINUTE
    assert mark.business
    assert mark.text == "overdue by 30 min of business time"
    assert (mark.icon, mark.css_class, mark.row_class) == (
        "bi-clock-fill",
        "sla-overdue",
        "row-overdue",
    )


def test_a_case_opened_friday_afternoon_carries_its_time_over_the_weekend(clock, office, submit):
    ticket = open_case(clock, submit, at(FRIDAY, 16, 30))

    at_closing = mark_at(ticket, at(FRIDAY, 17))
    saturday_noon = mark_at(ticket, at(SATURDAY, 12))

    for mark in (at_closing, saturday_noon):
        assert mark.state == MarkState.RUNNING
        assert mark.left == 30 * MINUTE
        assert mark.text == "due in 30 min of business time"
        assert (mark.icon, mark.row_class) == ("bi-clock", "")
    assert mark_at(ticket, at(FRIDAY, 16, 30)).text == "due in 1 h of business time"


def test_the_friday_case_is_due_soon_then_overdue_on_monday_morning(clock, office, submit):
    ticket = open_case(clock, submit, at(FRIDAY, 16, 30))

    soon = mark_at(ticket, at(MONDAY, 9, 20))
    late = mark_at(ticket, at(MONDAY, 9, 31))

    # A fifth of the hour is 12 minutes: due soon from 09:18 on Monday.
    assert soon.state == MarkState.AT_RISK
    assert soon.text == "due soon · 10 min of business time left"
    assert (soon.icon, soon.css_class, soon.row_class) == (
        "bi-exclamation-triangle-fill",
        "sla-at-risk",
        "row-at-risk",
    )
    assert mark_at(ticket, at(MONDAY, 9, 17)).state == MarkState.RUNNING
    assert late.state == MarkState.OVERDUE
    assert late.text == "overdue by 1 min of business time"


def test_a_day_of_business_time_is_24_counted_hours(clock, office, submit):
    ticket = open_case(clock, submit, at(MONDAY, 9))

    # Monday to Wednesday: 24 business hours; Thursday 09:00 to 10:00: one more.
    mark = mark_at(ticket, at(MONDAY + timedelta(days=3), 10))

    assert mark.left == -24 * HOUR
    assert mark.text == "overdue by 1 day of business time"


def test_a_case_waiting_for_the_customer_is_paused_with_its_time_left(
    clock, office, submit, tech, manager
):
    limits_set(office, response=4 * HOUR, calendar=office.calendar)
    ticket = open_case(clock, submit, at(TUESDAY, 10))
    clock.now = at(TUESDAY, 11)
    workflow.ticket_reply(
        ticket=ticket, tech=tech, body="Which model?", internal=False, then_status="pending"
    )

    # A day later the four hours would long be gone, but the clock stopped at one hour used.
    wednesday = at(TUESDAY + timedelta(days=1), 15)
    mark = mark_at(ticket, wednesday)

    assert mark.state == MarkState.PAUSED
    assert mark.left == 3 * HOUR
    assert mark.text == "paused · 3 h of business time left"
    assert (mark.icon, mark.css_class, mark.row_class) == ("bi-pause-circle", "sla-paused", "")
    (row,) = board_for(manager, now=wednesday).departments
    assert (row.overdue, row.at_risk) == (0, 0)


def test_the_paused_clock_runs_on_when_the_customer_writes(clock, office, submit, tech):
    limits_set(office, response=4 * HOUR, calendar=office.calendar)
    ticket = open_case(clock, submit, at(TUESDAY, 10))
    clock.now = at(TUESDAY, 11)
    workflow.ticket_reply(
        ticket=ticket, tech=tech, body="Which model?", internal=False, then_status="pending"
    )
    clock.now = at(TUESDAY + timedelta(days=1), 15)
    services.ticket_reply_from_customer(ticket=ticket, body="The X200.")

    mark = mark_at(ticket, at(TUESDAY + timedelta(days=1), 16))

    assert mark.state == MarkState.RUNNING
    assert mark.text == "due in 2 h of business time"


def test_a_case_set_pending_after_its_deadline_is_paused_not_overdue(clock, office, submit, tech):
    ticket = open_case(clock, submit, at(TUESDAY, 10))
    clock.now = at(TUESDAY, 11, 30)
    workflow.ticket_reply(
        ticket=ticket, tech=tech, body="Sorry for the wait", internal=False, then_status="pending"
    )

    mark = mark_at(ticket, at(TUESDAY, 16))

    assert mark.state == MarkState.PAUSED
    assert mark.left == -30 * MINUTE
    assert mark.text == "paused · 30 min of business time past due"
    assert mark.row_class == ""


def test_an_answered_case_shows_its_resolution_clock(clock, office, submit, tech):
    limits_set(office, response=HOUR, resolution=8 * HOUR, calendar=office.calendar)
    ticket = open_case(clock, submit, at(TUESDAY, 9))
    clock.now = at(TUESDAY, 9, 30)
    workflow.ticket_reply(ticket=ticket, tech=tech, body="On it.", internal=False)

    # The first response clock would have 30 min left; it stopped. Seven of eight hours remain.
    mark = mark_at(ticket, at(TUESDAY, 10))

    assert mark.state == MarkState.RUNNING
    assert mark.text == "due in 7 h of business time"


def test_a_closed_case_has_no_mark(clock, office, submit, tech):
    ticket = open_case(clock, submit, at(TUESDAY, 9))
    clock.now = at(TUESDAY, 9, 30)
    workflow.ticket_status_change(
        ticket=ticket, author=tech, status=status_default(StatusType.CLOSED)
    )

    assert mark_at(ticket, at(TUESDAY, 15)) is None


def test_marks_agree_with_the_board_counts(clock, office, submit, manager):
    late = open_case(clock, submit, at(TUESDAY, 9), subject="Late")
    soon = open_case(clock, submit, at(TUESDAY, 9, 50), subject="Soon")
    fresh = open_case(clock, submit, at(TUESDAY, 9, 59), subject="Fresh")
    now = at(TUESDAY, 10, 40)

    marks = clock_marks(Ticket.objects.all(), now=now)
    (row,) = board_for(manager, now=now).departments

    assert [marks[t.pk].state for t in (late, soon, fresh)] == [
        MarkState.OVERDUE,
        MarkState.AT_RISK,
        MarkState.RUNNING,
    ]
    assert (row.overdue, row.at_risk) == (1, 1)
    assert row.oldest.sla_mark.state == MarkState.OVERDUE


# Around the clock (no calendar): plain wording


@pytest.fixture
def around_the_clock(department):
    limits_set(department, response=10 * HOUR)
    return department


def test_a_department_without_a_calendar_says_plain_time(clock, around_the_clock, submit):
    ticket = open_case(clock, submit, at(SATURDAY, 1))

    running = mark_at(ticket, at(SATURDAY, 8, 50))
    soon = mark_at(ticket, at(SATURDAY, 10, 30))
    late = mark_at(ticket, at(SATURDAY, 14))

    assert not running.business
    assert running.text == "due in 2 h 10 min"
    assert soon.text == "due soon · 30 min left"
    assert late.text == "overdue by 3 h"


def test_a_paused_case_around_the_clock_says_plain_time_left(clock, around_the_clock, submit, tech):
    ticket = open_case(clock, submit, at(SATURDAY, 1))
    clock.now = at(SATURDAY, 8)
    workflow.ticket_reply(
        ticket=ticket, tech=tech, body="Which model?", internal=False, then_status="pending"
    )

    assert mark_at(ticket, at(MONDAY, 9)).text == "paused · 3 h left"


# Policies read once


def test_marks_read_the_policies_once_whatever_the_number_of_cases(
    clock, office, submit, django_assert_num_queries
):
    other = DepartmentFactory(name="Billing", slug="billing")
    limits_set(other, response=2 * HOUR)
    billing = CategoryFactory(name="Invoice", department=other)
    for index in range(2):
        open_case(clock, submit, at(TUESDAY, 9), subject=f"Support {index}")
        open_case(clock, submit, at(TUESDAY, 9), subject=f"Billing {index}", category=billing)
    keys = [POLICY_CACHE_KEY.format(pk) for pk in (office.pk, other.pk)]

    def count(tickets):
        cache.delete_many(keys)
        # Cold: the departments, their priority limits, the calendar's hours and holidays.
        with django_assert_num_queries(4):
            clock_marks(tickets, now=at(TUESDAY, 10))
        # Warm: the cache alone.
        with django_assert_num_queries(0):
            return clock_marks(tickets, now=at(TUESDAY, 10))

    few = list(Ticket.objects.all())
    assert len(count(few)) == 4
    for index in range(8):
        open_case(clock, submit, at(TUESDAY, 9), subject=f"More {index}", category=billing)
    assert len(count(list(Ticket.objects.all()))) == 12


def test_closed_cases_alone_need_no_policy(clock, office, submit, tech, django_assert_num_queries):
    ticket = open_case(clock, submit, at(TUESDAY, 9))
    workflow.ticket_status_change(
        ticket=ticket, author=tech, status=status_default(StatusType.CLOSED)
    )
    ticket = Ticket.objects.get(pk=ticket.pk)
    cache.delete(POLICY_CACHE_KEY.format(office.pk))

    with django_assert_num_queries(0):
        assert clock_marks([ticket], now=at(TUESDAY, 10)) == {ticket.pk: None}
