"""The demo's calendars: Billing works office hours in Kyiv, Technical support is 24/7, and
loading the demo twice changes nothing."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from departments.business_time import add_business_minutes, calendar_load
from departments.models import BusinessCalendar, BusinessHours, Department, Holiday, PriorityLimit

pytestmark = pytest.mark.django_db

KYIV = ZoneInfo("Europe/Kyiv")


def test_billing_works_office_hours_in_kyiv_and_reloading_changes_nothing():
    call_command("demo_data")
    models = (BusinessCalendar, BusinessHours, Holiday, PriorityLimit)
    counts = [model.objects.count() for model in models]
    call_command("demo_data")

    assert counts == [model.objects.count() for model in models]
    billing = Department.objects.get(slug="billing")
    assert billing.calendar.name == "Office hours Kyiv"
    assert Department.objects.get(slug="technical-support").calendar is None
    assert billing.priority_limits.get().priority == 4
    calendar = calendar_load(billing.calendar)
    # Friday 17:30 plus an hour of business time: Monday 09:30 (13:00-14:00 is lunch).
    friday = datetime(2026, 12, 4, 17, 30, tzinfo=KYIV)
    assert add_business_minutes(calendar, friday, 60) == datetime(
        2026, 12, 7, 9, 30, tzinfo=KYIV
    ).astimezone(UTC)
    # Christmas Day (yearly) is closed.
    assert not calendar.is_open(datetime(2027, 12, 25, 10, 0, tzinfo=KYIV))
