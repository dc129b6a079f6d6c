"""The sign-in history page (reports/views/sign_ins.py): per tech, per day, every session and
failure in the viewer's zone; the sub-navigation; keyset pages; its htmx partial.

Fixtures (admin, viewer, week): tests/reports/sign_ins_support.py."""

from datetime import timedelta

import pytest

from tests.factories import TechFactory, UserFactory
from tests.reports.sign_in_rows import failed, session, utc
from tests.reports.sign_ins_support import (
    HTMX,
    URL,
    WEEK,
    page_of,
)

pytestmark = pytest.mark.django_db


def test_admin_reads_a_techs_week_in_their_own_zone(client, admin, week):
    client.force_login(admin)

    response = client.get(URL, {**WEEK, "tech": week.pk})

    assert response.status_code == 200
    page = page_of(response)
    assert "Days and times in Europe/Kyiv." in page
    summary = response.context["report"].summaries
    assert [(s.tech, s.sessions, s.failures) for s in summary] == [(week, 3, 2)]
    # 8 h 30 min + 5 h 30 min + 2 h 15 min so far.
    assert summary[0].hours == timedelta(hours=16, minutes=15)
    assert "16 h 15 min" in page
    assert [s.session.how for s in response.context["report"].sessions] == [
        "open",
        "expired",
        "signed_out",
    ]
    assert 'datetime="2026-11-02T08:01:02+02:00">Mon 2 Nov 2026, 08:01:02</time>' in page
    assert "Session expired, last active at" in page and "03:30:00" in page
    assert "Still signed in" in page and "(so far)" in page
    assert "Signed out at" in page and "2001:db8::7" in page
    assert "Firefox 128 on Windows" in page
    assert "Sign-in refused: too many failures" in page and "Failed sign-in" in page


def test_the_hours_table_has_a_row_per_day_and_splits_the_night_at_midnight(client, admin, week):
    client.force_login(admin)

    response = client.get(URL, {**WEEK, "tech": week.pk})

    days = {row.day.isoformat(): row.cells[0].hours for row in response.context["report"].days}
    assert len(days) == 7
    assert days["2026-11-03"] == timedelta(hours=2)  # 22:00 to midnight
    assert days["2026-11-04"] == timedelta(hours=3, minutes=30)  # midnight to 03:30
    assert days["2026-11-05"] == timedelta(0)
    page = page_of(response)
    assert '<caption class="visually-hidden">Hours signed in, days by techs</caption>' in page
    assert '<th scope="row" class="fw-normal text-nowrap"><time datetime="2026-11-03">' in page


def test_every_tech_gets_a_column_and_a_summary_row_when_none_is_chosen(client, admin, week):
    idle = TechFactory(full_name="Ida Idle")
    customer = UserFactory(full_name="Carla Customer")
    client.force_login(admin)

    response = client.get(URL, WEEK)

    report = response.context["report"]
    assert week in report.techs and idle in report.techs and admin in report.techs
    assert customer not in report.techs
    by_tech = {s.tech: s for s in report.summaries}
    assert by_tech[idle].hours == timedelta(0) and by_tech[idle].sessions == 0
    assert {row.tech for row in report.sessions} == {week}
    assert "All techs" in page_of(response)


def test_the_sub_navigation_marks_sign_in_history_as_the_page_read(client, admin):
    client.force_login(admin)

    page = page_of(client.get(URL, WEEK))

    assert (
        'class="nav-link active" aria-current="page" href="/reports/sign-ins/" '
        'data-testid="reports-tab-sign-ins"'
    ) in page
    assert 'class="nav-link" href="/reports/" data-testid="reports-tab-overview"' in page


def test_sessions_of_all_techs_come_in_keyset_pages(client, admin, tech):
    other = TechFactory(full_name="Olga Other")
    start = utc("2026-11-02T06:00:00")
    for n in range(60):
        session(tech if n % 2 else other, start + timedelta(minutes=n), start + timedelta(hours=1))
    client.force_login(admin)

    first = client.get(URL, WEEK).context["report"]
    cursor = first.sessions_page.next_cursor
    second = client.get(URL, {**WEEK, "cursor": cursor}).context["report"]

    seen = [row.session.id for row in first.sessions + second.sessions]
    assert len(first.sessions) == 50 and len(second.sessions) == 10
    assert len(set(seen)) == 60
    assert second.sessions_page.next_cursor is None


def test_a_long_list_of_failures_says_only_the_newest_are_shown(client, admin, tech):
    for n in range(51):
        failed(tech, utc("2026-11-02T06:00:00") + timedelta(seconds=n))
    client.force_login(admin)

    response = client.get(URL, WEEK)

    assert len(response.context["report"].failures) == 50
    assert "Only the newest 50 are shown" in page_of(response)
    assert response.context["report"].summaries  # the count is still the whole period's
    assert {s.tech: s.failures for s in response.context["report"].summaries}[tech] == 51


def test_the_htmx_partial_is_the_report_alone(client, admin, week):
    client.force_login(admin)

    response = client.get(URL, {**WEEK, "tech": week.pk}, headers=HTMX)

    assert response.status_code == 200
    page = page_of(response)
    assert page.lstrip().startswith('<div id="sign-ins-report"')
    assert "<html" not in page and "reports-tab-sign-ins" not in page
    assert 'data-testid="hours-per-day"' in page and 'data-testid="session"' in page
