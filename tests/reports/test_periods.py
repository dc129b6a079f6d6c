"""Named periods and chosen dates, as whole days in the viewer's time zone, and the trend's
buckets."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from reports.periods import (
    DAY,
    MONTH,
    WEEK,
    PeriodError,
    bucket_kind,
    bucket_starts,
    period_from_query,
)

UTC = ZoneInfo("UTC")
KYIV = ZoneInfo("Europe/Kyiv")
NEW_YORK = ZoneInfo("America/New_York")
# Wednesday 18 February 2026, 23:30 UTC: already Thursday 19 February in Kyiv.
NOW = datetime(2026, 2, 18, 23, 30, tzinfo=UTC)


def days(preset, zone=UTC):
    period = period_from_query({"period": preset}, zone=zone, now=NOW)
    return period.first_day, period.last_day


@pytest.mark.parametrize(
    ("preset", "first", "last"),
    [
        ("today", date(2026, 2, 18), date(2026, 2, 18)),
        ("yesterday", date(2026, 2, 17), date(2026, 2, 17)),
        ("this_week", date(2026, 2, 16), date(2026, 2, 22)),  # Monday to Sunday
        ("last_week", date(2026, 2, 9), date(2026, 2, 15)),
        ("this_month", date(2026, 2, 1), date(2026, 2, 18)),
        ("last_month", date(2026, 1, 1), date(2026, 1, 31)),
        ("this_quarter", date(2026, 1, 1), date(2026, 2, 18)),
        ("last_quarter", date(2025, 10, 1), date(2025, 12, 31)),
        ("this_year", date(2026, 1, 1), date(2026, 2, 18)),
        ("last_year", date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_named_periods(preset, first, last):
    assert days(preset) == (first, last)


def test_today_is_the_viewers_today():
    assert days("today", KYIV) == (date(2026, 2, 19), date(2026, 2, 19))
    assert days("today", NEW_YORK) == (date(2026, 2, 18), date(2026, 2, 18))


def test_a_period_starts_and_ends_at_local_midnight():
    period = period_from_query({"period": "last_month"}, zone=KYIV, now=NOW)
    assert period.start == datetime(2025, 12, 31, 22, tzinfo=UTC)
    assert period.end == datetime(2026, 1, 31, 22, tzinfo=UTC)


def test_chosen_dates_win_over_a_named_period():
    period = period_from_query(
        {"period": "today", "from": "2026-01-05", "to": "2026-01-09"}, zone=UTC, now=NOW
    )
    assert (period.first_day, period.last_day, period.preset) == (
        date(2026, 1, 5),
        date(2026, 1, 9),
        "custom",
    )
    assert period.query() == {"from": "2026-01-05", "to": "2026-01-09"}


def test_only_a_first_day_runs_to_today_and_only_a_last_day_is_one_day():
    assert period_from_query({"from": "2026-02-01"}, zone=UTC, now=NOW).last_day == date(
        2026, 2, 18
    )
    one = period_from_query({"to": "2026-02-03"}, zone=UTC, now=NOW)
    assert one.first_day == one.last_day == date(2026, 2, 3)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-02-30"}, "YYYY-MM-DD"),
        ({"from": "yesterday"}, "YYYY-MM-DD"),
        ({"from": "0001-01-01"}, "YYYY-MM-DD"),
        ({"from": "2026-02-10", "to": "2026-02-01"}, "comes after"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "three years"),
        ({"period": "forever"}, "Pick a period"),
        ({"from": "2026-01-01" + "1" * 200}, "YYYY-MM-DD"),
    ],
)
def test_bad_periods_say_why(query, message):
    with pytest.raises(PeriodError, match=message):
        period_from_query(query, zone=UTC, now=NOW)


def test_the_month_before_a_month_is_the_whole_calendar_month():
    march = period_from_query({"from": "2026-03-01", "to": "2026-03-31"}, zone=UTC, now=NOW)
    last_month = period_from_query({"period": "last_month"}, zone=UTC, now=NOW)
    assert (last_month.before().first_day, last_month.before().last_day) == (
        date(2025, 12, 1),
        date(2025, 12, 31),
    )
    assert (march.before().first_day, march.before().last_day) == (
        date(2026, 1, 29),
        date(2026, 2, 28),
    )


def test_buckets_are_days_weeks_or_months_by_the_length_of_the_period():
    month = period_from_query({"period": "last_month"}, zone=UTC, now=NOW)
    quarter = period_from_query({"period": "last_quarter"}, zone=UTC, now=NOW)
    year = period_from_query({"period": "last_year"}, zone=UTC, now=NOW)
    assert [bucket_kind(p) for p in (month, quarter, year)] == [DAY, WEEK, MONTH]
    assert len(bucket_starts(month, DAY)) == 31
    weeks = bucket_starts(quarter, WEEK)
    assert weeks[0] == date(2025, 9, 29) and all(day.weekday() == 0 for day in weeks)
    assert bucket_starts(year, MONTH) == [date(2025, n, 1) for n in range(1, 13)]
