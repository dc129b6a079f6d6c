"""The reports' daily counts (reports/daily_counts.py): the same numbers as the rows in any zone
and bucket, forgotten by the database the moment a row of their day changes, never counting a
day that has not ended or one a transaction is changing."""

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from reports import daily_counts
from reports.daily_counts import COLUMNS, day_count, days_count, days_uncounted
from reports.definitions import METRICS
from reports.metrics import report_numbers
from reports.models import CountedDay, DailyCount
from reports.periods import DAY, MONTH, WEEK, bucket_kind
from reports.scope import Scope
from reports.tasks import days_count_task
from tests.reports.report_support import (
    EVERYTHING,
    HOUR,
    UTC,
    at,
    period,
    report_numbers_both_ways,
)
from tickets.closures import closure_feedback
from tickets.models import Closure, InboundEmail

NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")  # half an hour off UTC: no local day is a UTC day
MOSCOW = ZoneInfo("Europe/Moscow")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def busy_autumn(opened, support, billing, legal, tom, tina, bill):
    """Cases every few hours from September to November 2026 (before the tests' today, 30
    November), late and on time, consulted, reopened and closed again across days and months,
    transferred, rated, in two departments and unowned."""
    cases = []
    moment = utc(2026, 9, 1, 3)
    step = 0
    while moment < utc(2026, 11, 20):
        tech, department = [(tom, support), (tina, support), (bill, billing)][step % 3]
        case = opened(moment, tech=tech, department=department)
        if step % 4 == 0:
            case.consult(moment + HOUR, legal)
        if step % 5 == 0:
            case.close(moment + 10 * HOUR)  # past the 8 h deadline
        else:
            case.reply(moment + HOUR, close=True)
        if step % 7 == 0:  # reopened by the customer days later, closed again
            case.customer_writes(moment + 60 * HOUR).reply(moment + 70 * HOUR, close=True)
        if step % 6 == 0:
            with at(moment + 30 * HOUR):
                closure_feedback(ticket_id=case.ticket.pk, at=moment + 30 * HOUR)
        if step % 9 == 0:
            case.transfer(moment + 20 * HOUR, tina if tech != tina else tom)
        for n, status in enumerate([InboundEmail.Status.REPLY, InboundEmail.Status.SPAM]):
            InboundEmail.objects.create(
                channel=InboundEmail.Channel.IMAP,
                raw_sha256=f"{step:032d}{n:032d}",
                status=status,
                ticket=case.ticket,
                department_id=case.ticket.department_id,
                owner_id=None if step % 8 == 0 else case.ticket.assignee_id,
                received_at=moment + (5 + n) * HOUR,
            )
        if step % 8 == 0:  # nobody's any more: its closings count for nobody
            Closure.objects.filter(ticket=case.ticket).update(owner=None)
        cases.append(case)
        moment += timedelta(hours=23)
        step += 1
    return cases


ZONES = [UTC, MOSCOW, NEW_YORK, KOLKATA]


PERIODS = [
    ("2026-09-01", "2026-11-29"),  # months
    ("2026-09-14", "2026-11-08"),  # weeks
    ("2026-10-05", "2026-10-31"),  # days, across the end of summer time
    ("2026-09-10", "2026-09-12"),  # within a reopening's three days
]


@pytest.mark.parametrize("zone", ZONES, ids=lambda zone: str(zone))
def test_the_counts_give_the_rows_numbers_in_every_zone_and_bucket(busy_autumn, zone):
    for first, last in PERIODS:
        report_period = period(first, last, zone)
        assert bucket_kind(report_period) in (DAY, WEEK, MONTH)
        numbers = report_numbers_both_ways(report_period, EVERYTHING)
        assert numbers.total.count("closed") > 0


def test_the_counts_give_the_rows_numbers_for_a_department_a_tech_and_the_unowned(
    busy_autumn, support, tom
):
    autumn = period("2026-09-01", "2026-11-29", MOSCOW)
    for scope in [
        Scope(department_ids=[support.pk], department=support),
        Scope(department_ids=None, tech=tom),
        Scope(department_ids=None, unowned=True),
    ]:
        report_numbers_both_ways(autumn, scope)


def test_a_year_of_counted_days_is_read_from_the_counts_not_the_rows(busy_autumn):
    days_count(days_uncounted(limit=1000))
    autumn = period("2026-09-01", "2026-11-29")
    plan = daily_counts.count_plan(autumn, MONTH)
    daily_counts.counts_read(plan, EVERYTHING)
    assert len(plan.counted) == len(plan.candidates) == 90
    assert plan.raw_ranges == []
    with CaptureQueriesContext(connection) as captured:
        report_numbers(autumn, EVERYTHING)
    statements = [query["sql"] for query in captured.captured_queries]
    # Counts, superseded closings, reopenings, their total, the times: nothing else.
    assert len(statements) == 5
    assert not any("tickets_inboundemail" in sql for sql in statements)


def test_a_change_to_a_counted_day_forgets_that_day_only(busy_autumn):
    days_count(days_uncounted(limit=1000))
    counted = CountedDay.objects.count()
    closing = Closure.objects.filter(closed_at__date=date(2026, 10, 7)).first()
    closing.feedback_at = utc(2026, 11, 1)
    closing.save(update_fields=["feedback_at"])
    assert not CountedDay.objects.filter(day=date(2026, 10, 7)).exists()
    assert not DailyCount.objects.filter(day=date(2026, 10, 7)).exists()
    assert CountedDay.objects.count() == counted - 1
    # Read from the rows until counted again, and right either way.
    report_numbers_both_ways(period("2026-10-01", "2026-10-31"), EVERYTHING)


def test_a_row_moved_to_another_day_forgets_both_days(busy_autumn):
    days_count(days_uncounted(limit=1000))
    closing = Closure.objects.filter(closed_at__date=date(2026, 10, 7)).first()
    Closure.objects.filter(pk=closing.pk).update(closed_at=utc(2026, 10, 9, 12))
    assert not CountedDay.objects.filter(day__in=[date(2026, 10, 7), date(2026, 10, 9)]).exists()
    assert CountedDay.objects.filter(day=date(2026, 10, 8)).exists()


def test_a_deleted_case_forgets_the_days_of_its_rows(busy_autumn):
    days_count(days_uncounted(limit=1000))
    case = busy_autumn[0]
    days = {closing.closed_at.date() for closing in case.ticket.closures.all()}
    case.ticket.delete()
    assert not CountedDay.objects.filter(day__in=days).exists()


def test_a_closing_superseded_after_the_period_still_counts_in_it(opened, support, tom):
    case = opened(utc(2026, 10, 30, 9), tech=tom, department=support)
    case.reply(utc(2026, 10, 30, 10), close=True)
    case.customer_writes(utc(2026, 11, 2, 9)).reply(utc(2026, 11, 2, 10), close=True)
    days_count(days_uncounted(limit=1000))
    october = report_numbers(period("2026-10-01", "2026-10-31"), EVERYTHING)
    both = report_numbers(period("2026-10-01", "2026-11-15"), EVERYTHING)
    assert october.total.count("closed") == 1
    assert both.total.count("closed") == 1  # once, by its last closing


def test_today_and_the_future_are_never_counted(opened, support, tom):
    now = datetime.now(UTC)
    opened(now - HOUR, tech=tom, department=support).reply(now - HOUR / 2, close=True)
    assert day_count(now.date()) is False
    assert now.date() not in days_uncounted(limit=1000)
    assert not CountedDay.objects.filter(day=now.date()).exists()


def test_uncounted_days_come_newest_first_and_a_run_counts_at_most_its_batch(busy_autumn, settings):
    days = days_uncounted(limit=5)
    assert days == sorted(days, reverse=True)
    assert days[0] == datetime.now(UTC).date() - timedelta(days=1)
    settings.REPORTS_DAYS_PER_COUNT = 7
    assert days_count_task() == 7
    assert CountedDay.objects.count() == 7
    assert days_uncounted(limit=1)[0] == days[0] - timedelta(days=7)


def test_every_counting_number_has_its_column():
    fields = {field.name for field in DailyCount._meta.get_fields()}
    assert set(COLUMNS) <= fields
    counted_sources = {"closings", "mails", "consultations"}
    assert {key for key, metric in METRICS.items() if metric.source in counted_sources} == set(
        COLUMNS
    )


@pytest.mark.django_db(transaction=True)
def test_a_day_being_changed_is_not_counted_until_the_change_commits(opened, support, tom):
    case = opened(utc(2026, 10, 7, 9), tech=tom, department=support)
    case.reply(utc(2026, 10, 7, 10), close=True)
    changing, release = threading.Event(), threading.Event()

    def rate_in_another_transaction():
        try:
            with transaction.atomic():
                Closure.objects.filter(ticket=case.ticket).update(feedback_at=utc(2026, 11, 1))
                changing.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    writer = threading.Thread(target=rate_in_another_transaction)
    writer.start()
    try:
        assert changing.wait(timeout=10)
        assert day_count(date(2026, 10, 7)) is False  # left for the next run
        assert day_count(date(2026, 10, 8)) is True
    finally:
        release.set()
        writer.join()
    assert day_count(date(2026, 10, 7)) is True
    line = DailyCount.objects.get(day=date(2026, 10, 7))
    assert (line.closed, line.feedback) == (1, 1)
