"""The eight measures and the numbers beside them, on cases built through the product's own
services at chosen instants: each definition at its edges (reports/definitions.py)."""

from datetime import datetime

import pytest

from reports.metrics import ALL, DEPARTMENT, TECH
from reports.scope import Scope
from tests.reports.report_support import EVERYTHING, HOUR, KYIV, UTC, at, numbers_by, period
from tickets.closures import closure_feedback
from tickets.models import Closure, Consultation, InboundEmail, StatusType


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


OCTOBER = period("2026-10-01", "2026-10-31")


def totals(report_period=OCTOBER, scope=EVERYTHING):
    return numbers_by(report_period, scope)[ALL]


@pytest.fixture
def four_cases(opened, support, legal, tom):
    """Opened Monday 5 October 09:00 UTC, around-the-clock limits of 2 h and 8 h: the deadline
    is 17:00."""
    start = utc(2026, 10, 5, 9)
    exact = opened(start, tech=tom, department=support).reply(start + HOUR)
    exact.close(utc(2026, 10, 5, 17))  # exactly at the deadline: on time
    consulted = opened(start, tech=tom, department=support).consult(start + HOUR, legal)
    consulted.close(utc(2026, 10, 5, 16))
    late = opened(start, tech=tom, department=support).close(utc(2026, 10, 5, 18))
    late_consulted = opened(start, tech=tom, department=support)
    late_consulted.consult(utc(2026, 10, 5, 18), legal).close(utc(2026, 10, 5, 19))
    return exact, consulted, late, late_consulted


def test_each_closing_falls_in_exactly_one_of_the_four_closed_measures(four_cases):
    numbers = totals()
    assert numbers.count("closed_on_time") == 1  # closed at 17:00 sharp
    assert numbers.count("closed_on_time_consulted") == 1
    assert numbers.count("closed_late") == 1
    assert numbers.count("closed_late_consulted") == 1
    assert numbers.count("closed") == 4


def test_a_case_closed_exactly_at_its_deadline_is_on_time(four_cases):
    exact = four_cases[0]
    closure = Closure.objects.get(ticket=exact.ticket)
    assert closure.closed_at == closure.deadline == utc(2026, 10, 5, 17)
    assert closure.on_time


def test_first_consultations_count_before_or_past_the_deadline_as_it_was_then(four_cases):
    numbers = totals()
    assert numbers.count("consulted_before_deadline") == 1
    assert numbers.count("consulted_past_deadline") == 1


def test_consulted_past_deadline_yet_closed_on_time_after_the_customer_reopened(
    opened, support, legal, tom
):
    """Overdue when consulted (measure 7), closed, reopened by the customer (a new resolution
    clock), closed within it: closed on time with consulting (measure 3)."""
    start = utc(2026, 10, 12, 9)
    case = opened(start, tech=tom, department=support).reply(start + HOUR)
    case.consult(utc(2026, 10, 12, 18), legal).close(utc(2026, 10, 12, 19))
    case.customer_writes(utc(2026, 10, 12, 20)).close(utc(2026, 10, 12, 22))
    numbers = totals()
    assert numbers.count("consulted_past_deadline") == 1
    assert numbers.count("consulted_before_deadline") == 0
    assert numbers.count("closed_on_time_consulted") == 1
    assert numbers.count("closed_late_consulted") == 0
    assert numbers.count("closed") == 1
    assert numbers.count("reopened") == 1


def test_a_case_closed_twice_in_the_period_counts_once_by_its_last_closing(opened, support, tom):
    start = utc(2026, 10, 6, 9)
    case = opened(start, tech=tom, department=support).reply(start + HOUR, close=True)
    case.customer_writes(utc(2026, 10, 6, 11)).close(utc(2026, 10, 6, 12))
    numbers = totals()
    assert numbers.count("closed") == 1
    assert numbers.count("reopened") == 1
    first, last = Closure.objects.filter(ticket=case.ticket).order_by("closed_at")
    assert first.reopened_at == first.superseded_at - HOUR == utc(2026, 10, 6, 11)
    assert first.feedback_at == utc(2026, 10, 6, 11)  # the customer wrote after it
    assert last.feedback_at is None
    assert numbers.count("feedback") == 0  # counted on the last closing


def test_closed_once_in_each_of_two_periods_counts_in_each(opened, support, tom):
    case = opened(utc(2026, 10, 30, 9), tech=tom, department=support)
    case.close(utc(2026, 10, 31, 9)).customer_writes(utc(2026, 11, 2, 9))
    case.close(utc(2026, 11, 2, 10))
    assert totals().count("closed") == 1
    assert totals(period("2026-11-01", "2026-11-30")).count("closed") == 1
    assert totals(period("2026-10-01", "2026-11-30")).count("closed") == 1


def test_feedback_is_a_rating_or_a_message_after_the_closing(opened, support, tom):
    start = utc(2026, 10, 7, 9)
    rated = opened(start, tech=tom, department=support).close(start + HOUR)
    wrote = opened(start, tech=tom, department=support).close(start + HOUR)
    opened(start, tech=tom, department=support).close(start + HOUR)  # silent
    closure_feedback(ticket_id=rated.ticket.pk, at=start + 3 * HOUR)
    wrote.customer_writes(start + 2 * HOUR)
    numbers = totals(period("2026-10-07", "2026-10-07"))
    # The reopened case is still counted by the closing the customer answered.
    assert numbers.count("closed") == 3
    assert numbers.count("feedback") == 2
    assert numbers.share("feedback") == pytest.approx(200 / 3)


def test_the_owner_when_the_case_closed_gets_it_not_the_one_before_a_transfer(
    opened, support, tom, tina
):
    start = utc(2026, 10, 8, 9)
    opened(start, tech=tom, department=support).transfer(start + HOUR, tina).close(start + 2 * HOUR)
    by_tech = numbers_by(OCTOBER, EVERYTHING, grouping=TECH)
    assert by_tech[tina.pk].count("closed") == 1
    assert tom.pk not in by_tech or by_tech[tom.pk].count("closed") == 0


def test_spam_closings_never_count_and_automatic_ones_do(opened, support, tom):
    start = utc(2026, 10, 9, 9)
    spam = opened(start, tech=tom, department=support).close(start + HOUR)
    Closure.objects.filter(ticket=spam.ticket).update(reason=Closure.Reason.SPAM)
    auto = opened(start, tech=tom, department=support).close(start + HOUR)
    Closure.objects.filter(ticket=auto.ticket).update(reason=Closure.Reason.AUTO_CLOSED)
    assert totals().count("closed") == 1


def test_periods_are_whole_days_in_the_viewers_zone_across_the_end_of_summer_time(
    opened, support, tom
):
    """Kyiv leaves summer time on Sunday 25 October 2026 (UTC+3 before, UTC+2 after), so its
    25 October runs from 24 Oct 21:00 to 25 Oct 22:00 UTC: 25 hours."""
    start = utc(2026, 10, 24, 12)
    early = opened(start, tech=tom, department=support).close(utc(2026, 10, 24, 21, 30))
    late = opened(start, tech=tom, department=support).close(utc(2026, 10, 25, 21, 30))
    after = opened(start, tech=tom, department=support).close(utc(2026, 10, 25, 22, 30))
    kyiv_day = period("2026-10-25", "2026-10-25", zone=KYIV)
    assert kyiv_day.end.astimezone(UTC) - kyiv_day.start.astimezone(UTC) == 25 * HOUR
    assert totals(kyiv_day).count("closed") == 2  # early (00:30) and late (23:30)
    utc_day = period("2026-10-25", "2026-10-25")
    assert totals(utc_day).count("closed") == 2  # late and after
    assert {early.ticket.pk, late.ticket.pk, after.ticket.pk}


def test_the_per_tech_and_per_department_breakdowns_add_up_to_the_total(
    four_cases, opened, billing, bill, tina, support
):
    start = utc(2026, 10, 14, 9)
    opened(start, tech=bill, department=billing).close(start + 10 * HOUR)
    unowned = opened(start, tech=tina, department=support)
    unowned.close(start + HOUR)
    Closure.objects.filter(ticket=unowned.ticket).update(owner=None)
    total = totals()
    for grouping in (TECH, DEPARTMENT):
        rows = numbers_by(OCTOBER, EVERYTHING, grouping=grouping).values()
        for key in ("closed", "closed_on_time", "closed_late", "closed_late_consulted"):
            assert sum(row.count(key) for row in rows) == total.count(key), (grouping, key)


def test_a_scope_limits_every_number_to_its_department_or_tech(
    four_cases, opened, billing, bill, support, tom
):
    start = utc(2026, 10, 14, 9)
    opened(start, tech=bill, department=billing).close(start + 10 * HOUR)
    assert totals(scope=Scope(department_ids=(billing.pk,))).count("closed_late") == 1
    assert totals(scope=Scope(department_ids=(support.pk,))).count("closed") == 4
    assert totals(scope=Scope(department_ids=None, tech=bill)).count("closed") == 1
    assert totals(scope=Scope(department_ids=(support.pk,), tech=bill)).count("closed") == 0


def test_mail_received_counts_mail_taken_into_tickets_only(opened, support, tom):
    case = opened(utc(2026, 10, 5, 9), tech=tom, department=support)

    def mail(status, when, n):
        InboundEmail.objects.create(
            channel=InboundEmail.Channel.IMAP,
            raw_sha256=f"{n:064d}",
            status=status,
            ticket=case.ticket,
            department_id=case.ticket.department_id,  # as the intake records it
            owner_id=case.ticket.assignee_id,
            received_at=when,
        )

    mail(InboundEmail.Status.TICKET, utc(2026, 10, 5, 9), 1)
    mail(InboundEmail.Status.REPLY, utc(2026, 10, 6, 9), 2)
    mail(InboundEmail.Status.CONSULTATION, utc(2026, 10, 6, 10), 3)
    mail(InboundEmail.Status.SPAM, utc(2026, 10, 6, 11), 4)
    mail(InboundEmail.Status.QUARANTINED, utc(2026, 10, 6, 12), 5)
    mail(InboundEmail.Status.REPLY, utc(2026, 11, 1, 0), 6)  # the next period
    assert totals().count("emails_received") == 3
    assert numbers_by(OCTOBER, EVERYTHING, grouping=TECH)[tom.pk].count("emails_received") == 3


def test_medians_and_90th_percentiles_of_business_time(opened, support, tom):
    start = utc(2026, 10, 19, 9)
    for hours in (1, 2, 3, 4, 10):
        case = opened(start, tech=tom, department=support).reply(start + hours * HOUR / 2)
        case.close(start + hours * HOUR)
    numbers = totals()
    assert numbers.times["resolution_p50"] == 3 * HOUR
    assert numbers.times["resolution_p90"] == 4 * HOUR + 0.6 * 6 * HOUR  # interpolated
    assert numbers.times["response_p50"] == 1.5 * HOUR
    # Within SLA: answered within 2 h (2 h sharp is in time) and closed within 8 h; the 10 h
    # case, answered after 5 h, misses both.
    assert numbers.count("within_sla") == 4
    assert numbers.share("within_sla") == 80


def test_the_first_consultation_of_a_case_is_marked_and_later_ones_are_not(
    opened, support, legal, tom
):
    start = utc(2026, 10, 20, 9)
    case = opened(start, tech=tom, department=support).consult(start + HOUR, legal)
    with at(start + 2 * HOUR):
        Consultation.objects.filter(ticket=case.ticket).update(answered_at=start + 2 * HOUR)
    case.consult(start + 3 * HOUR, legal)
    first, second = Consultation.objects.filter(ticket=case.ticket).order_by("asked_at")
    assert first.first_of_case and not second.first_of_case
    assert first.deadline_when_asked == start + 8 * HOUR
    assert totals().count("consulted_before_deadline") == 1


def test_an_empty_period_has_zeros_and_no_times(db):
    numbers = totals()
    assert numbers.is_empty
    assert numbers.share("feedback") is None
    assert numbers.times.get("resolution_p50") is None


def test_closing_a_case_records_its_status_type(opened, support, tom):
    case = opened(utc(2026, 10, 21, 9), tech=tom, department=support).close(utc(2026, 10, 21, 10))
    case.ticket.refresh_from_db()
    assert case.ticket.status_type == StatusType.CLOSED
    assert Closure.objects.filter(ticket=case.ticket, reopened_at__isnull=True).count() == 1
