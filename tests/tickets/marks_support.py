"""Helpers for the SLA mark tests: a clock the services read, and an office calendar."""

from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from departments.models import BusinessCalendar, BusinessHours

# Tuesday 3 June 2025; Friday 6 June; Saturday 7 June; Monday 9 June (UTC).
TUESDAY = datetime(2025, 6, 3, tzinfo=UTC)
FRIDAY = datetime(2025, 6, 6, tzinfo=UTC)
SATURDAY = datetime(2025, 6, 7, tzinfo=UTC)
MONDAY = datetime(2025, 6, 9, tzinfo=UTC)


def at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return day + timedelta(hours=hour, minutes=minute)


@pytest.fixture
def clock(monkeypatch):
    """The time every service, the clocks and the views read (django.utils.timezone.now);
    tests set `clock.now`. None: the real time."""
    real_now = timezone.now
    fake = SimpleNamespace(now=None)
    monkeypatch.setattr(timezone, "now", lambda: fake.now or real_now())
    return fake


def office_calendar(
    name: str = "Office hours",
    *,
    zone: str = "UTC",
    weekdays=range(5),
    opens: time = time(9),
    closes: time = time(17),
) -> BusinessCalendar:
    """Monday to Friday, 09:00 to 17:00, unless told otherwise (closes 00:00: midnight)."""
    calendar = BusinessCalendar.objects.create(name=name, time_zone=zone)
    BusinessHours.objects.bulk_create(
        BusinessHours(calendar=calendar, weekday=weekday, opens=opens, closes=closes)
        for weekday in weekdays
    )
    return calendar


def limits_set(department, *, response: timedelta, resolution=None, calendar=None) -> None:
    """The department's limits and calendar, set before any of its cases is opened."""
    department.response_time_limit = response
    department.resolution_time_limit = resolution
    department.calendar = calendar
    department.save()
