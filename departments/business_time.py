"""Business time: "add N business minutes to this instant" and "business minutes between two
instants" on a department's calendar.

The core functions are pure: they take a `Calendar` value (time zone, weekly open intervals,
holiday dates) and aware datetimes, and touch no database. `calendar_load()` builds the value
from a `BusinessCalendar` row (or None: always open); it is the only place that reads the ORM.

What counts as open: an instant is business time when its *wall-clock* time in the calendar's
zone falls inside one of the intervals of its local weekday, and its local date is not a holiday.
So across daylight saving time an interval lasts what the wall clock says: 02:00–05:00 on a
spring-forward day is two real hours (the skipped hour never happens), and on a fall-back day an
interval covering the repeated hour is open for both passes of it.

Units: the arithmetic is exact to the microsecond (timedeltas). `business_minutes_between()`
returns whole minutes, truncated toward zero, negative when `end` is before `start`;
`business_time_between()` gives the exact timedelta. Adding 0 minutes returns the start even
when the calendar is closed then; adding N > 0 minutes lands on the instant the N-th business
minute ends, which may be a closing time (16:00 + 60 min, closing at 17:00 → 17:00).

Speed: time is walked in UTC chunks of a week, split where the zone's UTC offset changes (found
by bisection), and each chunk is intersected with the open wall-clock intervals of the dates it
covers; no minute is visited one by one. (A zone that changes its offset twice within one week
without the two changes cancelling out would be mis-split; no real zone does.)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY = timedelta(days=1)
CHUNK = timedelta(days=7)
SECOND = timedelta(seconds=1)
EPOCH = datetime(1970, 1, 1)


class CalendarError(ValueError):
    """A calendar that cannot be used: unknown zone, bad or overlapping intervals, or no open
    time at all."""


@dataclass(frozen=True)
class Calendar:
    """A business-hours calendar as plain values.

    `weekly[weekday]` (0 = Monday) holds that day's open intervals as (opens, closes) offsets
    from local midnight; closes may be 24 h (open until midnight). `holidays` are one-off
    dates, `yearly_holidays` (month, day) pairs closed every year."""

    time_zone: str = "UTC"
    always_open: bool = False
    weekly: tuple[tuple[tuple[timedelta, timedelta], ...], ...] = ((),) * 7
    holidays: frozenset[date] = frozenset()
    yearly_holidays: frozenset[tuple[int, int]] = frozenset()
    zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        try:
            zone = ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CalendarError(f"Unknown time zone: {self.time_zone!r}") from exc
        object.__setattr__(self, "zone", zone)
        if self.always_open:
            return
        if len(self.weekly) != 7:
            raise CalendarError("A week has seven days of intervals.")
        weekly = tuple(tuple(sorted(day)) for day in self.weekly)
        object.__setattr__(self, "weekly", weekly)
        for weekday, day in enumerate(weekly):
            problem = day_intervals_problem(day)
            if problem:
                raise CalendarError(f"Weekday {weekday}: {problem}")
        if not any(weekly):
            raise CalendarError("The calendar has no open hours at all.")

    def is_holiday(self, day: date) -> bool:
        return day in self.holidays or (day.month, day.day) in self.yearly_holidays

    def is_open(self, instant: datetime) -> bool:
        """Whether this aware instant is business time (used by tests and for display)."""
        if self.always_open:
            return True
        wall = _aware(instant).astimezone(self.zone).replace(tzinfo=None)
        if self.is_holiday(wall.date()):
            return False
        since_midnight = wall - datetime.combine(wall.date(), time())
        return any(o <= since_midnight < c for o, c in self.weekly[wall.weekday()])


ALWAYS_OPEN = Calendar(always_open=True)


def day_intervals_problem(intervals: Iterable[tuple[timedelta, timedelta]]) -> str:
    """What is wrong with one day's (opens, closes) intervals, or "" when nothing is."""
    previous_close = None
    for opens, closes in sorted(intervals):
        if not timedelta(0) <= opens < DAY or not timedelta(0) < closes <= DAY:
            return "an interval lies outside the day."
        if closes <= opens:
            return "an interval closes before it opens."
        if previous_close is not None and opens < previous_close:
            return "intervals overlap."
        previous_close = closes
    return ""


def time_offsets(opens: time, closes: time) -> tuple[timedelta, timedelta]:
    """A stored (opens, closes) pair as offsets from midnight; closes 00:00 means midnight at
    the end of the day (24:00)."""
    start = timedelta(hours=opens.hour, minutes=opens.minute, seconds=opens.second)
    end = timedelta(hours=closes.hour, minutes=closes.minute, seconds=closes.second)
    return start, end or DAY


def add_business_minutes(calendar: Calendar, start: datetime, minutes: int) -> datetime:
    """The instant (UTC) at which `minutes` of business time after `start` have passed."""
    return add_business_time(calendar, start, timedelta(minutes=minutes))


def add_business_time(calendar: Calendar, start: datetime, amount: timedelta) -> datetime:
    if amount < timedelta(0):
        raise ValueError("Cannot add a negative amount of business time.")
    start = _aware(start).astimezone(UTC)
    if calendar.always_open or not amount:
        return start + amount
    left = amount
    for span_start, span_end in _open_spans(calendar, start.replace(tzinfo=None)):
        length = span_end - span_start
        if left <= length:
            return (span_start + left).replace(tzinfo=UTC)
        left -= length
    raise AssertionError("unreachable: the open spans never end")  # pragma: no cover


def business_time_between(calendar: Calendar, start: datetime, end: datetime) -> timedelta:
    """Exact business time from `start` to `end`; negative when `end` comes first."""
    start, end = _aware(start).astimezone(UTC), _aware(end).astimezone(UTC)
    if end < start:
        return -business_time_between(calendar, end, start)
    if calendar.always_open:
        return end - start
    total = timedelta(0)
    stop = end.replace(tzinfo=None)
    for span_start, span_end in _open_spans(calendar, start.replace(tzinfo=None), stop):
        total += min(span_end, stop) - span_start
    return total


def business_minutes_between(calendar: Calendar, start: datetime, end: datetime) -> int:
    """Whole business minutes from `start` to `end`, truncated toward zero (negative when
    `end` comes first)."""
    amount = business_time_between(calendar, start, end)
    minutes = abs(amount) // timedelta(minutes=1)
    return -minutes if amount < timedelta(0) else minutes


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("Business time needs aware datetimes.")
    return instant


def _offset(zone: ZoneInfo, utc_naive: datetime) -> timedelta:
    return utc_naive.replace(tzinfo=UTC).astimezone(zone).utcoffset()


def _constant_offset_segments(zone, begin: datetime, end: datetime):
    """Split the naive-UTC range [begin, end) where the zone's offset changes."""
    while begin < end:
        offset = _offset(zone, begin)
        last = end - SECOND if end - begin > SECOND else begin
        if _offset(zone, last) == offset:
            yield begin, end, offset
            return
        # Offsets change on whole seconds: bisect on epoch seconds.
        lo = math.floor(begin.replace(tzinfo=UTC).timestamp())
        hi = math.ceil(last.replace(tzinfo=UTC).timestamp())
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if _offset(zone, EPOCH + timedelta(seconds=mid)) == offset:
                lo = mid
            else:
                hi = mid
        hi = EPOCH + timedelta(seconds=hi)
        yield begin, hi, offset
        begin = hi


def _open_spans(
    calendar: Calendar, begin: datetime, stop: datetime | None = None
) -> Iterator[tuple[datetime, datetime]]:
    """Open spans as naive-UTC (start, end) pairs, in order, from `begin` (clipped to it) until
    a span starts at or after `stop` (forever when stop is None)."""
    chunk_start = begin
    while stop is None or chunk_start < stop:
        chunk_end = chunk_start + CHUNK
        for seg_start, seg_end, offset in _constant_offset_segments(
            calendar.zone, chunk_start, chunk_end
        ):
            wall_start, wall_end = seg_start + offset, seg_end + offset
            day = wall_start.date()
            while datetime.combine(day, time()) < wall_end:
                if not calendar.is_holiday(day):
                    midnight = datetime.combine(day, time())
                    for opens, closes in calendar.weekly[day.weekday()]:
                        lo = max(midnight + opens, wall_start)
                        hi = min(midnight + closes, wall_end)
                        if lo < hi:
                            if stop is not None and lo - offset >= stop:
                                return
                            yield lo - offset, hi - offset
                day += DAY
        chunk_start = chunk_end


def calendar_load(business_calendar) -> Calendar:
    """The `Calendar` value of a `departments.models.BusinessCalendar` row; None (a department
    without a calendar) is always open. Raises CalendarError for a calendar with no open
    time."""
    if business_calendar is None:
        return ALWAYS_OPEN
    if business_calendar.always_open:
        return Calendar(time_zone=business_calendar.time_zone, always_open=True)
    weekly = [[] for _ in range(7)]
    for hours in business_calendar.hours.all():
        weekly[hours.weekday].append(time_offsets(hours.opens, hours.closes))
    one_off, yearly = set(), set()
    for holiday in business_calendar.holidays.all():
        if holiday.yearly:
            yearly.add((holiday.date.month, holiday.date.day))
        else:
            one_off.add(holiday.date)
    try:
        return Calendar(
            time_zone=business_calendar.time_zone,
            weekly=tuple(tuple(day) for day in weekly),
            holidays=frozenset(one_off),
            yearly_holidays=frozenset(yearly),
        )
    except CalendarError as exc:
        raise CalendarError(f"Calendar “{business_calendar}”: {exc}") from exc
