"""What the sign-in history costs: queries that do not grow with techs, sessions or failures.

Fixtures (admin, viewer, week): tests/reports/sign_ins_support.py."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import TechFactory
from tests.reports.sign_in_rows import failed, session, signed_in, utc
from tests.reports.sign_ins_support import (
    HTMX,
    SESSIONS_CSV,
    URL,
    WEEK,
    csv_rows,
)

pytestmark = pytest.mark.django_db


def _queries(client, query, headers=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, query, headers=headers or {})
    assert response.status_code == 200
    return len(queries)


def _techs_with_week(count: int, sessions_each: int) -> None:
    for _ in range(count):
        tech = TechFactory()
        for n in range(sessions_each):
            start = utc("2026-11-02T05:00:00") + timedelta(hours=7 * n)
            if n == sessions_each - 1:
                signed_in(tech, start, last=start + timedelta(hours=1))
            else:
                session(tech, start, start + timedelta(hours=6))
            failed(tech, start - timedelta(minutes=1))


def test_queries_do_not_grow_with_techs_sessions_or_failures(client, admin):
    client.force_login(admin)
    _techs_with_week(2, 2)
    client.get(URL, WEEK)  # the session settles on the first request
    few = _queries(client, WEEK)
    _techs_with_week(8, 20)  # ten techs in all
    many = _queries(client, WEEK)
    many_htmx = _queries(client, WEEK, HTMX)

    assert many == few
    assert many_htmx == few - 1  # the partial has no notification bell to count


def test_the_sessions_csv_reads_every_session_in_one_query_after_the_techs(client, admin):
    _techs_with_week(10, 20)
    client.force_login(admin)
    response = client.get(SESSIONS_CSV, WEEK)

    with CaptureQueriesContext(connection) as queries:
        rows = csv_rows(response)

    assert len(rows) == 1 + 10 * 20
    assert len(queries) == 1
