"""Admins keep business-hours calendars (hours, holidays, imported public holidays) and the
departments' limits; bad input is refused with a message and nothing is saved."""

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from departments.models import (
    BusinessCalendar,
    BusinessHours,
    Department,
    Holiday,
    PriorityLimit,
)
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def inline(prefix, rows, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(rows):
        data.update({f"{prefix}-{n}-{key}": value for key, value in row.items()})
    return data


def calendar_data(hours=(), holidays=(), **fields):
    data = {"name": "Office hours", "time_zone": "Europe/Kyiv", **fields}
    data.update(inline("hours", list(hours)))
    data.update(inline("holidays", list(holidays)))
    return data


WEEK = [{"weekday": str(d), "opens": "09:00", "closes": "13:00"} for d in range(5)] + [
    {"weekday": str(d), "opens": "14:00", "closes": "18:00"} for d in range(5)
]


# --- Models -------------------------------------------------------------------------------


def test_a_calendar_needs_a_known_time_zone():
    calendar = BusinessCalendar(name="Mars", time_zone="Mars/Olympus")

    with pytest.raises(ValidationError) as raised:
        calendar.full_clean()

    assert "time_zone" in raised.value.message_dict


def test_hours_close_after_they_open_and_midnight_is_the_end_of_the_day():
    calendar = BusinessCalendar.objects.create(name="Kyiv", time_zone="Europe/Kyiv")

    backwards = BusinessHours(calendar=calendar, weekday=0, opens=time(17), closes=time(9))
    with pytest.raises(ValidationError) as raised:
        backwards.full_clean()
    assert "closes" in raised.value.message_dict

    until_midnight = BusinessHours(calendar=calendar, weekday=0, opens=time(22), closes=time(0))
    until_midnight.full_clean()
    assert str(until_midnight) == "Monday 22:00–24:00"


def test_a_resolution_limit_shorter_than_the_response_limit_is_refused():
    department = DepartmentFactory(response_time_limit=timedelta(hours=8))
    department.resolution_time_limit = timedelta(hours=2)

    with pytest.raises(ValidationError) as raised:
        department.full_clean()

    assert "resolution_time_limit" in raised.value.message_dict
    department.resolution_time_limit = None
    assert department.resolution_limit == timedelta(hours=8)


def test_priority_limits_must_be_shorter_than_the_departments():
    department = DepartmentFactory(
        response_time_limit=timedelta(hours=8), resolution_time_limit=timedelta(hours=40)
    )

    too_long = PriorityLimit(
        department=department, priority=4, response_time_limit=timedelta(hours=9)
    )
    with pytest.raises(ValidationError) as raised:
        too_long.full_clean()
    assert "response_time_limit" in raised.value.message_dict

    inverted = PriorityLimit(
        department=department,
        priority=4,
        response_time_limit=timedelta(hours=2),
        resolution_time_limit=timedelta(hours=1),
    )
    with pytest.raises(ValidationError) as raised:
        inverted.full_clean()
    assert "resolution_time_limit" in raised.value.message_dict

    fine = PriorityLimit(department=department, priority=4, response_time_limit=timedelta(hours=1))
    fine.full_clean()
    fine.save()
    assert fine.resolution_limit == timedelta(hours=1)
    duplicate = PriorityLimit(
        department=department, priority=4, response_time_limit=timedelta(hours=1)
    )
    with pytest.raises(ValidationError):
        duplicate.full_clean()


# --- Admin --------------------------------------------------------------------------------


def test_the_calendar_pages_load(admin_client):
    calendar = BusinessCalendar.objects.create(name="Kyiv", time_zone="Europe/Kyiv")

    for url in (
        reverse("admin:departments_businesscalendar_changelist"),
        reverse("admin:departments_businesscalendar_add"),
        reverse("admin:departments_businesscalendar_change", args=[calendar.pk]),
    ):
        assert admin_client.get(url).status_code == 200


def test_an_admin_saves_a_calendar_with_split_days_midnight_and_holidays(admin_client):
    hours = [*WEEK, {"weekday": "5", "opens": "22:00", "closes": "24:00"}]
    holidays = [{"date": "2026-12-25", "name": "Christmas", "yearly": "on"}]

    response = admin_client.post(
        reverse("admin:departments_businesscalendar_add"), calendar_data(hours, holidays)
    )

    assert response.status_code == 302
    calendar = BusinessCalendar.objects.get()
    assert calendar.hours.count() == 11
    assert calendar.hours.get(weekday=5).closes == time(0)
    assert calendar.holidays.get().yearly


@pytest.mark.parametrize(
    "hours, fields, message",
    [
        (
            [
                {"weekday": "0", "opens": "09:00", "closes": "13:00"},
                {"weekday": "0", "opens": "12:00", "closes": "18:00"},
            ],
            {},
            "The opening hours of Monday overlap.",
        ),
        ([{"weekday": "0", "opens": "18:00", "closes": "09:00"}], {}, "must come after"),
        ([], {}, "Add opening hours, or mark the calendar as always open"),
        (WEEK, {"time_zone": "Kyiv"}, "is not a known time zone"),
    ],
)
def test_bad_calendars_are_refused_with_a_message(admin_client, hours, fields, message):
    response = admin_client.post(
        reverse("admin:departments_businesscalendar_add"), calendar_data(hours, **fields)
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BusinessCalendar.objects.exists()
    assert not BusinessHours.objects.exists()


def test_an_always_open_calendar_needs_no_hours(admin_client):
    response = admin_client.post(
        reverse("admin:departments_businesscalendar_add"), calendar_data(always_open="on")
    )

    assert response.status_code == 302
    assert BusinessCalendar.objects.get().always_open


def action(calendars, **fields):
    return {
        "action": "import_public_holidays",
        "_selected_action": [str(c.pk) for c in calendars],
        **fields,
    }


def test_importing_a_countrys_public_holidays(admin_client):
    calendar = BusinessCalendar.objects.create(name="Kyiv", time_zone="Europe/Kyiv")
    Holiday.objects.create(calendar=calendar, date=date(2026, 12, 25), name="Our Christmas")
    url = reverse("admin:departments_businesscalendar_changelist")

    form_page = admin_client.post(url, action([calendar]))
    assert form_page.status_code == 200
    assert "Import public holidays" in form_page.content.decode()

    response = admin_client.post(
        url, action([calendar], apply="1", country="US", subdivision="", year="2026"), follow=True
    )

    assert response.status_code == 200
    days = dict(calendar.holidays.values_list("date", "name"))
    assert days[date(2026, 7, 4)] == "Independence Day"
    assert days[date(2026, 12, 25)] == "Our Christmas"  # kept as it was
    added = len(days) - 1
    assert f"{added} holidays added, 1 already there" in response.content.decode()

    again = admin_client.post(
        url, action([calendar], apply="1", country="US", subdivision="", year="2026"), follow=True
    )
    assert calendar.holidays.count() == len(days)
    assert "0 holidays added" in again.content.decode()


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"country": "XX", "year": "2026"}, "Select a valid choice"),
        ({"country": "US", "subdivision": "ZZ", "year": "2026"}, "US has no such region"),
        ({"country": "US", "year": "soon"}, "Enter a whole number"),
    ],
)
def test_a_bad_import_shows_the_form_again_and_adds_nothing(admin_client, fields, message):
    calendar = BusinessCalendar.objects.create(name="Kyiv", time_zone="Europe/Kyiv")

    response = admin_client.post(
        reverse("admin:departments_businesscalendar_changelist"),
        action([calendar], apply="1", **fields),
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Holiday.objects.exists()


def department_data(department, limits=(), **fields):
    data = {
        "name": department.name,
        "slug": department.slug,
        "consultation_email": "",
        "response_time_limit": "08:00:00",
        "resolution_time_limit": "",
        "calendar": "",
        "is_active": "on",
        "auto_response_enabled": "on",
        **fields,
    }
    data.update(inline("priority_limits", list(limits)))
    data.update(inline("memberships", []))
    return data


def test_an_admin_gives_a_department_a_calendar_and_priority_limits(admin_client):
    department = DepartmentFactory()
    calendar = BusinessCalendar.objects.create(name="Kyiv", time_zone="UTC", always_open=True)
    url = reverse("admin:departments_department_change", args=[department.pk])
    assert admin_client.get(url).status_code == 200

    response = admin_client.post(
        url,
        department_data(
            department,
            [{"priority": "4", "response_time_limit": "01:00:00", "resolution_time_limit": ""}],
            calendar=str(calendar.pk),
            resolution_time_limit="2 00:00:00",
        ),
    )

    assert response.status_code == 302
    department.refresh_from_db()
    assert department.calendar == calendar
    assert department.resolution_limit == timedelta(days=2)
    assert department.priority_limits.get().response_time_limit == timedelta(hours=1)


def test_a_priority_limit_longer_than_the_departments_is_refused(admin_client):
    department = DepartmentFactory()
    url = reverse("admin:departments_department_change", args=[department.pk])

    response = admin_client.post(
        url,
        department_data(
            department,
            [{"priority": "4", "response_time_limit": "10:00:00", "resolution_time_limit": ""}],
        ),
    )

    assert response.status_code == 200
    assert "must not be longer than the department" in response.content.decode()
    assert not PriorityLimit.objects.exists()
    assert Department.objects.get().resolution_time_limit is None
