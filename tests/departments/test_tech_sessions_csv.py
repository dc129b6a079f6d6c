"""The CSV of a tech's sign-in sessions: what it holds, in which zone, and that a spreadsheet
opening it runs nothing."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import LoginEvent
from helpdesk.csv_export import csv_cell
from tests.departments.conftest import ended, signed_in

pytestmark = pytest.mark.django_db

ONE_DAY = {"from": "2026-11-02", "to": "2026-11-02"}


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def download(client, tech, query=ONE_DAY):
    response = client.get(reverse("manage:tech_sessions_csv", args=[tech.pk]), query)
    assert response.status_code == 200, response.content
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())  # spreadsheets open it as UTF-8
    body = raw.decode("utf-8-sig")
    return response, list(csv.reader(io.StringIO(body)))


def test_the_csv_lists_each_session_with_times_in_the_viewers_zone(client, viewer, tech):
    morning = signed_in(tech, utc("2026-11-02T06:01:02"), last=utc("2026-11-02T09:00:00"))
    ended(morning, utc("2026-11-02T09:30:45"))
    noon = signed_in(
        tech, utc("2026-11-02T10:15:00"), last=utc("2026-11-02T11:47:13"), ip="2001:db8::7"
    )
    ended(noon, utc("2026-11-02T11:47:13"), kind=LoginEvent.Kind.SESSION_EXPIRED)
    signed_in(tech, utc("2026-11-02T14:00:00"), last=utc("2026-11-02T15:20:00"))
    signed_in(tech, utc("2026-11-03T08:00:00"))  # another day
    client.force_login(viewer)

    response, rows = download(client, tech)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="sign-ins-{tech.pk}-2026-11-02-2026-11-02.csv"'
    )
    assert rows == [
        [
            "Signed in",
            "Ended",
            "How it ended",
            "Last active",
            "Duration (seconds)",
            "IP address",
            "Browser",
        ],
        [
            "2026-11-02T16:00:00+02:00",
            "",
            "still signed in",
            "2026-11-02T17:20:00+02:00",
            "4800",
            "203.0.113.7",
            "Firefox 128 on Windows",
        ],
        [
            "2026-11-02T12:15:00+02:00",
            "2026-11-02T13:47:13+02:00",
            "session expired",
            "2026-11-02T13:47:13+02:00",
            "5533",
            "2001:db8::7",
            "Firefox 128 on Windows",
        ],
        [
            "2026-11-02T08:01:02+02:00",
            "2026-11-02T11:30:45+02:00",
            "signed out",
            "2026-11-02T11:00:00+02:00",
            "12583",
            "203.0.113.7",
            "Firefox 128 on Windows",
        ],
    ]


def test_a_user_agent_written_as_a_formula_stays_text(client, viewer, tech):
    signed_in(tech, utc("2026-11-02T06:00:00"), agent="=cmd|' /C calc'!A0")
    signed_in(tech, utc("2026-11-02T07:00:00"), agent='Robot, "quoted"\r\nnext line')
    client.force_login(viewer)

    _response, rows = download(client, tech)

    assert rows[1][6] == 'Robot, "quoted"\r\nnext line'  # quoted, read back whole
    assert rows[2][6] == "'=cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Firefox", "Firefox"),
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_get_an_apostrophe(value, cell):
    assert csv_cell(value) == cell


def test_a_bad_period_is_a_plain_400(client, viewer, tech):
    client.force_login(viewer)
    csv_url = reverse("manage:tech_sessions_csv", args=[tech.pk])

    response = client.get(csv_url, {"from": "2026-11-05", "to": "2026-11-02"})

    assert response.status_code == 400
    assert response.content.decode() == "The first day comes after the last day."
    assert client.get(csv_url, {"from": "nope"}).status_code == 400


def test_the_csv_reads_every_session_in_one_query(client, viewer, tech):
    client.force_login(viewer)
    start = utc("2026-11-02T00:00:00")

    def add(count, offset):
        for n in range(offset, offset + count):
            session = signed_in(tech, start + timedelta(seconds=n * 10))
            if n % 2:
                ended(session, start + timedelta(seconds=n * 10 + 5))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            _response, rows = download(client, tech)
        return len(captured), len(rows)

    add(5, 0)
    few, few_rows = queries()
    add(195, 5)
    many, many_rows = queries()

    assert (few_rows, many_rows) == (6, 201)
    assert many == few


def test_a_manager_of_another_department_gets_not_found(client, billing_manager, tech):
    client.force_login(billing_manager)

    response = client.get(reverse("manage:tech_sessions_csv", args=[tech.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("role", ["tech", "trainee", "customer_user"])
def test_techs_trainees_and_customers_are_refused(client, request, role, tech):
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse("manage:tech_sessions_csv", args=[tech.pk]))

    assert response.status_code == 403
