"""Demo business-hours calendars and limits: Billing works office hours in Kyiv (two intervals
a day, a few yearly holidays) with a resolution limit and a shorter limit for emergencies;
Technical support stays around the clock (no calendar). Loading it twice changes nothing.

Due times do not use the calendars yet: the SLA clocks that will are the next step."""

from datetime import date, time, timedelta

from departments.models import BusinessCalendar, BusinessHours, Department, Holiday, PriorityLimit
from tickets.models import Priority

KYIV_HOURS = [(time(9), time(13)), (time(14), time(18))]  # Monday to Friday
KYIV_HOLIDAYS = [
    # date (the year is ignored: yearly), name
    (date(2026, 1, 1), "New Year's Day"),
    (date(2026, 8, 24), "Independence Day"),
    (date(2026, 12, 25), "Christmas Day"),
]


def demo_calendars_load() -> BusinessCalendar:
    calendar, created = BusinessCalendar.objects.get_or_create(
        name="Office hours Kyiv", defaults={"time_zone": "Europe/Kyiv"}
    )
    if created:
        BusinessHours.objects.bulk_create(
            BusinessHours(calendar=calendar, weekday=weekday, opens=opens, closes=closes)
            for weekday in range(5)
            for opens, closes in KYIV_HOURS
        )
    for day, name in KYIV_HOLIDAYS:
        Holiday.objects.get_or_create(
            calendar=calendar, date=day, defaults={"name": name, "yearly": True}
        )

    billing = Department.objects.filter(slug="billing").first()
    if billing is not None:
        if billing.calendar_id is None:
            billing.calendar = calendar
        if billing.resolution_time_limit is None:
            billing.resolution_time_limit = timedelta(hours=40)
        billing.save(update_fields=["calendar", "resolution_time_limit"])
        PriorityLimit.objects.get_or_create(
            department=billing,
            priority=Priority.EMERGENCY,
            defaults={
                "response_time_limit": timedelta(hours=2),
                "resolution_time_limit": timedelta(hours=8),
            },
        )
    return calendar
