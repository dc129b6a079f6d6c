"""Shared by the sign-in history report's tests (tests/reports/test_sign_ins_*.py; the fixtures
are the folder's, through conftest.py): its addresses, a week of one tech's sign-ins, an admin and
a manager reading in Kyiv, and how a page and a CSV are read."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import LoginEvent
from tests.factories import AdminFactory
from tests.reports.sign_in_rows import failed, session, signed_in, utc

URL = reverse("reports:sign_ins")
SESSIONS_CSV = reverse("reports:sign_ins_sessions_csv")
HOURS_CSV = reverse("reports:sign_ins_hours_csv")
HTMX = {"HX-Request": "true"}
WEEK = {"from": "2026-11-02", "to": "2026-11-08"}  # Monday to Sunday
# Wednesday 11 November 2026, noon in Kyiv: "last week" is 2 to 8 November.
NOW = utc("2026-11-11T10:00:00")
HOSTILE_AGENT = '=HYPERLINK("http://evil.example/","click")'


@pytest.fixture
def admin(db):
    return AdminFactory(full_name="Ada Admin", time_zone="Europe/Kyiv")


@pytest.fixture
def viewer(manager):
    """The support manager, reading times in Kyiv (UTC+2 in November)."""
    manager.time_zone = "Europe/Kyiv"
    manager.save(update_fields=["time_zone"])
    return manager


@pytest.fixture
def week(tech):
    """Tom's week: a day signed out, a night across midnight that expired, a session still open,
    and a wrong password then a throttled attempt."""
    session(
        tech,
        utc("2026-11-02T06:01:02"),
        utc("2026-11-02T14:31:02"),
        agent=HOSTILE_AGENT,
    )
    session(
        tech,
        utc("2026-11-03T20:00:00"),  # 22:00 in Kyiv
        utc("2026-11-04T01:30:00"),  # 03:30 on the 4th
        kind=LoginEvent.Kind.SESSION_EXPIRED,
        ip="2001:db8::7",
    )
    signed_in(tech, utc("2026-11-06T07:00:00"), last=utc("2026-11-06T09:15:00"))
    failed(tech, utc("2026-11-02T06:00:30"))
    failed(tech, utc("2026-11-02T06:00:50"), kind=LoginEvent.Kind.SIGN_IN_THROTTLED)
    return tech


def page_of(response) -> str:
    return response.content.decode()


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
