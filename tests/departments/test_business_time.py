"""Business-time arithmetic (departments/business_time.py): hand-written cases, and property
tests against a brute-force reference that walks minute by minute."""

import time as clock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from departments.business_time import (
    ALWAYS_OPEN,
    Calendar,
    CalendarError,
    add_business_minutes,
    add_business_time,
    business_minutes_between,
    business_time_between,
    calendar_load,
)

KYIV = ZoneInfo("Europe/Kyiv")
NEW_YORK = ZoneInfo("America/New_York")
MINUTE = timedelta(minutes=1)


def hours(*pairs):
    """((9, 13), (14, 18)) -> that day's intervals as offsets from midnight."""
    return tuple(
        (timedelta(hours=a // 1, minutes=round(a % 1 * 60)), timedelta(hours=b)) for a, b in pairs
    )


OFFICE = hours((9, 17))
SPLIT = hours((9, 13), (14, 18))
WEEKDAYS_ONLY = lambda day: (day,) * 5 + ((), ())  # noqa: E731


def office(zone="Europe/Kyiv", day=OFFICE, **kwargs):
    return Calendar(time_zone=zone, weekly=WEEKDAYS_ONLY(day), **kwargs)


def at(zone, *args, fold=0):
    """A wall time in UTC (so that a repeated hour's second pass compares as it should)."""
    return datetime(*args, tzinfo=zone).replace(fold=fold).astimezone(UTC)


# --- Hand-written examples -------------------------------------------------------------------


def test_an_hour_before_closing_time_runs_on_into_the_next_morning():
    start = at(KYIV, 2026, 12, 1, 16, 30)  # a Tuesday, office closes at 17:00

    due = add_business_minutes(office(), start, 60)

    assert due == at(KYIV, 2026, 12, 2, 9, 30)
    assert due.tzinfo is UTC
    assert business_minutes_between(office(), start, at(KYIV, 2026, 12, 1, 17, 30)) == 30


def test_friday_evening_runs_on_to_monday():
    start = at(KYIV, 2026, 12, 4, 16, 0)  # Friday

    assert add_business_minutes(office(), start, 120) == at(KYIV, 2026, 12, 7, 10, 0)
    assert business_minutes_between(office(), start, at(KYIV, 2026, 12, 7, 10, 0)) == 120


def test_filling_the_day_exactly_lands_on_closing_time():
    start = at(KYIV, 2026, 12, 1, 16, 0)

    assert add_business_minutes(office(), start, 60) == at(KYIV, 2026, 12, 1, 17, 0)


def test_the_lunch_break_and_a_start_outside_hours():
    calendar = office(day=SPLIT)

    assert add_business_minutes(calendar, at(KYIV, 2026, 12, 1, 12, 30), 60) == at(
        KYIV, 2026, 12, 1, 14, 30
    )
    # Starting at night counts from the opening.
    assert add_business_minutes(calendar, at(KYIV, 2026, 12, 1, 3, 0), 30) == at(
        KYIV, 2026, 12, 1, 9, 30
    )
    assert business_minutes_between(
        calendar, at(KYIV, 2026, 12, 1, 0, 0), at(KYIV, 2026, 12, 2, 0, 0)
    ) == (8 * 60)


def test_holidays_one_off_and_yearly_are_skipped():
    calendar = office(holidays=frozenset({date(2026, 12, 2)}), yearly_holidays=frozenset({(12, 3)}))
    start = at(KYIV, 2026, 12, 1, 16, 30)

    assert add_business_minutes(calendar, start, 60) == at(KYIV, 2026, 12, 4, 9, 30)
    # The yearly holiday closes the same day a year later too.
    assert not calendar.is_open(at(KYIV, 2027, 12, 3, 10, 0))
    assert calendar.is_open(at(KYIV, 2027, 12, 2, 10, 0))


def test_spring_forward_the_skipped_hour_does_not_count():
    # Kyiv, Sunday 29 March 2026: 03:00 jumps to 04:00. Open 02:00-05:00 every day.
    calendar = Calendar(time_zone="Europe/Kyiv", weekly=(hours((2, 5)),) * 7)
    start = at(KYIV, 2026, 3, 29, 2, 0)

    assert business_minutes_between(calendar, start, at(KYIV, 2026, 3, 29, 5, 0)) == 120
    assert add_business_minutes(calendar, start, 120) == at(KYIV, 2026, 3, 29, 5, 0)
    assert add_business_minutes(calendar, start, 121) == at(KYIV, 2026, 3, 30, 2, 1)


def test_fall_back_the_repeated_hour_counts_twice():
    # New York, Sunday 1 November 2026: 02:00 falls back to 01:00. Open 00:00-03:00 every day.
    calendar = Calendar(time_zone="America/New_York", weekly=(hours((0, 3)),) * 7)
    start = at(NEW_YORK, 2026, 11, 1, 0, 0)

    assert business_minutes_between(calendar, start, at(NEW_YORK, 2026, 11, 1, 3, 0)) == 240
    first_pass_end = add_business_minutes(calendar, start, 120)
    assert first_pass_end == at(NEW_YORK, 2026, 11, 1, 1, 0, fold=1)
    assert add_business_minutes(calendar, start, 240) == at(NEW_YORK, 2026, 11, 1, 3, 0)


def test_an_interval_ending_at_midnight_joins_the_next_morning():
    calendar = Calendar(time_zone="Europe/Kyiv", weekly=(hours((0, 2), (22, 24)),) * 7)
    start = at(KYIV, 2026, 12, 1, 23, 30)

    assert add_business_minutes(calendar, start, 60) == at(KYIV, 2026, 12, 2, 0, 30)
    assert business_minutes_between(calendar, start, at(KYIV, 2026, 12, 2, 0, 30)) == 60


def test_always_open_is_wall_clock_time():
    start = at(KYIV, 2026, 3, 29, 2, 0)

    assert add_business_minutes(ALWAYS_OPEN, start, 90) == start + timedelta(minutes=90)
    assert business_minutes_between(ALWAYS_OPEN, start, start + timedelta(hours=5)) == 300


def test_between_is_negative_backwards_and_truncates_to_whole_minutes():
    start = at(KYIV, 2026, 12, 1, 10, 0)
    end = start + timedelta(minutes=5, seconds=59)

    assert business_minutes_between(office(), start, end) == 5
    assert business_minutes_between(office(), end, start) == -5
    assert business_time_between(office(), end, start) == -timedelta(minutes=5, seconds=59)


def test_adding_nothing_returns_the_start_and_negative_amounts_are_refused():
    start = at(KYIV, 2026, 12, 5, 3, 0)  # Saturday night, closed

    assert add_business_minutes(office(), start, 0) == start
    with pytest.raises(ValueError):
        add_business_minutes(office(), start, -1)
    with pytest.raises(ValueError):
        add_business_minutes(office(), datetime(2026, 12, 1, 10, 0), 5)  # naive


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"weekly": ((),) * 7}, "no open hours"),
        ({"weekly": (hours((9, 13), (12, 18)),) * 7}, "overlap"),
        ({"weekly": ((hours((9, 17))[0][::-1],),) * 7}, "closes before it opens"),
        ({"time_zone": "Mars/Olympus", "weekly": (OFFICE,) * 7}, "Unknown time zone"),
    ],
)
def test_unusable_calendars_are_refused(kwargs, message):
    with pytest.raises(CalendarError, match=message):
        Calendar(**kwargs)


def test_seventy_two_hours_across_a_two_week_holiday_is_fast():
    fortnight = frozenset(date(2026, 12, 1) + timedelta(days=n) for n in range(14))
    calendar = office(day=SPLIT, holidays=fortnight)
    start = at(KYIV, 2026, 11, 30, 12, 0)

    began = clock.perf_counter()
    due = add_business_minutes(calendar, start, 72 * 60)
    back = business_minutes_between(calendar, start, due)
    elapsed = clock.perf_counter() - began

    assert due == at(KYIV, 2026, 12, 25, 12, 0)
    assert back == 72 * 60
    assert elapsed < 0.05
    # A year of business time is still quick.
    began = clock.perf_counter()
    add_business_minutes(calendar, start, 250 * 8 * 60)
    assert clock.perf_counter() - began < 0.2


# --- Property tests against a brute-force reference ----------------------------------------

ZONES = [
    "Europe/Kyiv",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",  # half-hour DST shift
    "America/Santiago",  # southern-hemisphere DST
    "Asia/Kathmandu",  # +05:45, no DST
    "UTC",
]
# Instants near the DST changes of these zones in 2026, and some ordinary ones.
ANCHORS = [
    datetime(2026, 3, 8, 6, 0),  # New York spring forward (07:00 UTC)
    datetime(2026, 3, 29, 0, 0),  # Kyiv, London spring forward
    datetime(2026, 4, 4, 14, 0),  # Lord Howe, Santiago fall back
    datetime(2026, 9, 5, 2, 0),  # Santiago spring forward
    datetime(2026, 10, 3, 14, 0),  # Lord Howe spring forward
    datetime(2026, 10, 25, 0, 0),  # Kyiv, London fall back
    datetime(2026, 11, 1, 5, 0),  # New York fall back
    datetime(2026, 12, 31, 20, 0),  # New Year
    datetime(2026, 6, 10, 12, 0),
]


def is_open_reference(calendar, instant):
    """Independent of the module: the local wall time sits in an interval of its weekday and
    its local date is no holiday."""
    wall = instant.astimezone(ZoneInfo(calendar.time_zone))
    day = wall.date()
    if day in calendar.holidays or (day.month, day.day) in calendar.yearly_holidays:
        return False
    minute = wall.hour * 60 + wall.minute
    return any(
        opens // MINUTE <= minute < closes // MINUTE
        for opens, closes in calendar.weekly[wall.weekday()]
    )


@st.composite
def day_intervals(draw):
    """0-3 non-overlapping intervals on a 30-minute grid (some ending at midnight)."""
    cuts = sorted(draw(st.sets(st.integers(0, 48), max_size=6)))
    cuts = cuts[: len(cuts) // 2 * 2]
    return tuple(
        (timedelta(minutes=30 * a), timedelta(minutes=30 * b))
        for a, b in zip(cuts[::2], cuts[1::2], strict=True)
    )


@st.composite
def calendars(draw):
    weekly = tuple(draw(day_intervals()) for _ in range(7))
    if not any(weekly):
        weekly = (hours((9, 17)), *weekly[1:])
    anchor_day = date(2026, 1, 1)
    holidays = draw(
        st.frozensets(st.integers(0, 400).map(lambda n: anchor_day + timedelta(days=n)), max_size=8)
    )
    yearly = draw(st.frozensets(st.tuples(st.integers(1, 12), st.integers(1, 28)), max_size=2))
    return Calendar(
        time_zone=draw(st.sampled_from(ZONES)),
        weekly=weekly,
        holidays=holidays,
        yearly_holidays=yearly,
    )


@st.composite
def minute_instants(draw):
    anchor = draw(st.sampled_from(ANCHORS))
    shift = draw(st.integers(-3 * 24 * 60, 3 * 24 * 60))
    return (anchor + timedelta(minutes=shift)).replace(tzinfo=UTC)


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WINDOW = 3 * 24 * 60  # minutes the reference walks


@PROPERTY
@given(calendar=calendars(), start=minute_instants())
def test_agrees_with_the_minute_by_minute_reference(calendar, start):
    open_minutes = [is_open_reference(calendar, start + n * MINUTE) for n in range(WINDOW)]
    counted = 0
    for n, is_open in enumerate(open_minutes):
        if n % 97 == 0:  # between() at many ends
            assert business_minutes_between(calendar, start, start + n * MINUTE) == counted
        if is_open:
            counted += 1
            # The counted-th business minute ends at n + 1.
            assert add_business_minutes(calendar, start, counted) == start + (n + 1) * MINUTE
    assert business_minutes_between(calendar, start, start + WINDOW * MINUTE) == counted
    assert calendar.is_open(start) == open_minutes[0]


@PROPERTY
@given(
    calendar=calendars(),
    start=minute_instants(),
    seconds=st.integers(0, 59),
    minutes=st.integers(0, 60 * 24 * 60),
)
def test_adding_then_measuring_round_trips(calendar, start, seconds, minutes):
    start = start + timedelta(seconds=seconds)

    due = add_business_minutes(calendar, start, minutes)

    assert due >= start
    assert business_time_between(calendar, start, due) == timedelta(minutes=minutes)
    assert business_minutes_between(calendar, due, start) == -minutes


@PROPERTY
@given(
    calendar=calendars(),
    start=minute_instants(),
    a=st.integers(0, 20 * 24 * 60),
    b=st.integers(0, 20 * 24 * 60),
)
def test_monotonic_and_additive(calendar, start, a, b):
    low, high = sorted((a, b))
    first, second = (
        add_business_minutes(calendar, start, low),
        add_business_minutes(calendar, start, high),
    )

    assert first <= second
    assert add_business_minutes(calendar, first, high - low) == second
    middle = start + (second - start) / 2
    assert business_time_between(calendar, start, middle) + business_time_between(
        calendar, middle, second
    ) == business_time_between(calendar, start, second)


# --- The loader --------------------------------------------------------------------------


@pytest.mark.django_db
def test_calendar_load_builds_the_value_from_the_rows():
    from departments.models import BusinessCalendar, BusinessHours, Holiday

    row = BusinessCalendar.objects.create(name="Kyiv", time_zone="Europe/Kyiv")
    BusinessHours.objects.create(calendar=row, weekday=0, opens=time(9), closes=time(13))
    BusinessHours.objects.create(calendar=row, weekday=0, opens=time(22), closes=time(0))
    Holiday.objects.create(calendar=row, date=date(2026, 12, 25), name="Christmas")
    Holiday.objects.create(calendar=row, date=date(2020, 1, 1), name="New Year", yearly=True)

    calendar = calendar_load(row)

    assert calendar.time_zone == "Europe/Kyiv"
    assert calendar.weekly[0] == hours((9, 13), (22, 24))
    assert calendar.holidays == {date(2026, 12, 25)}
    assert calendar.yearly_holidays == {(1, 1)}
    assert calendar_load(None) is ALWAYS_OPEN
    row.always_open = True
    assert calendar_load(row).always_open


@pytest.mark.django_db
def test_calendar_load_refuses_a_calendar_without_hours():
    from departments.models import BusinessCalendar

    row = BusinessCalendar.objects.create(name="Empty", time_zone="UTC")

    with pytest.raises(CalendarError, match=r"Empty.*no open hours"):
        calendar_load(row)


def test_add_business_time_takes_seconds():
    start = at(KYIV, 2026, 12, 1, 16, 59, 30)

    assert add_business_time(office(), start, timedelta(seconds=45)) == at(
        KYIV, 2026, 12, 2, 9, 0, 15
    )
