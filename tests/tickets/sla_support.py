"""Fixtures for the SLA tests: calendars, a department on office hours, and time travel."""

from datetime import UTC, datetime, time, timedelta

import time_machine

from departments.models import BusinessCalendar, BusinessHours, Holiday

OFFICE_OPEN, OFFICE_CLOSE = time(9), time(17)


def office_calendar(*, name="Office hours", time_zone="UTC", holidays=()) -> BusinessCalendar:
    """Monday to Friday, 09:00–17:00 in `time_zone`, with these one-off holidays."""
    calendar = BusinessCalendar.objects.create(name=name, time_zone=time_zone)
    BusinessHours.objects.bulk_create(
        BusinessHours(calendar=calendar, weekday=day, opens=OFFICE_OPEN, closes=OFFICE_CLOSE)
        for day in range(5)
    )
    for day in holidays:
        Holiday.objects.create(calendar=calendar, date=day, name="Holiday")
    return calendar


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def at(instant: datetime):
    """Travel to `instant`, with the clock standing still there."""
    return time_machine.travel(instant, tick=False)


HOUR = timedelta(hours=1)
