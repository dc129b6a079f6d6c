"""The sign-in history report: who may read whose sign-ins, the period picker, what the page
shows (per tech, per day, every session and failure, in the viewer's zone), its htmx partial,
its CSVs, and queries that do not grow with techs or sessions."""

import csv
import io
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import LoginEvent
from tests.factories import AdminFactory, MembershipFactory, TechFactory, UserFactory
from tests.reports.conftest import failed, session, signed_in, utc

pytestmark = pytest.mark.django_db

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


# What the page shows


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


def test_the_default_period_is_this_week_in_the_viewers_zone(client, admin, week):
    client.force_login(admin)

    with time_machine.travel(NOW, tick=False):
        response = client.get(URL)

    period = response.context["report"].period
    assert (period.first_day, period.last_day) == (date(2026, 11, 9), date(2026, 11, 11))
    assert 'data-testid="period-this_week"' in page_of(response)
    assert 'aria-current="true"' in page_of(response)


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("today", "2026-11-11", "2026-11-11"),
        ("yesterday", "2026-11-10", "2026-11-10"),
        ("this_week", "2026-11-09", "2026-11-11"),
        ("last_week", "2026-11-02", "2026-11-08"),
        ("this_month", "2026-11-01", "2026-11-11"),
        ("last_month", "2026-10-01", "2026-10-31"),
    ],
)
def test_a_named_period_is_whole_days_around_today(client, admin, name, first, last):
    client.force_login(admin)

    with time_machine.travel(NOW, tick=False):
        response = client.get(URL, {"period": name})

    period = response.context["report"].period
    assert (period.first_day.isoformat(), period.last_day.isoformat()) == (first, last)
    assert response.context["period_form"].active_preset == name


def test_today_is_the_viewers_today_just_after_their_midnight(client, admin):
    client.force_login(admin)

    # 23:30 UTC on the 10th is 01:30 on the 11th in Kyiv.
    with time_machine.travel(utc("2026-11-10T23:30:00"), tick=False):
        response = client.get(URL, {"period": "today"})

    assert response.context["report"].period.first_day.isoformat() == "2026-11-11"


def test_dates_typed_for_last_week_are_shown_as_last_week(client, admin):
    client.force_login(admin)

    with time_machine.travel(NOW, tick=False):
        response = client.get(URL, WEEK)

    assert response.context["period_form"].active_preset == "last_week"


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


def test_the_htmx_partial_shows_bad_dates_in_place(client, admin):
    client.force_login(admin)

    response = client.get(URL, {"from": "2026-11-08", "to": "2026-11-02"}, headers=HTMX)

    assert response.status_code == 200  # htmx swaps only 2xx answers
    assert "The first day comes after the last day." in page_of(response)


# Bad input: a clear message, never a 500


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-11-08", "to": "2026-11-02"}, "The first day comes after the last day."),
        ({"from": "2025-01-01", "to": "2026-11-02"}, "Choose at most 366 days."),
        ({"from": "2026-02-30", "to": "2026-03-02"}, "Enter a valid date."),
        ({"from": "yesterday", "to": "2026-03-02"}, "Enter a valid date."),
        ({"from": "0001-01-01", "to": "2026-03-02"}, "Choose a date between 1970 and 2999."),
        ({"period": "next_century"}, "Choose one of the periods offered, or two dates."),
        ({"period": "x" * 5000}, "Choose one of the periods offered, or two dates."),
    ],
)
def test_bad_periods_get_a_clear_message_and_no_report(client, admin, query, message):
    client.force_login(admin)

    response = client.get(URL, query)

    assert response.status_code == 400
    assert message in page_of(response)
    assert response.context["report"] is None


@pytest.mark.parametrize("url", [URL, SESSIONS_CSV, HOURS_CSV])
@pytest.mark.parametrize("tech_id", ["abc", "-1", "1.5", "9" * 30, "١"])
def test_a_tech_id_that_is_not_one_is_not_found(client, admin, url, tech_id):
    client.force_login(admin)

    assert client.get(url, {**WEEK, "tech": tech_id}).status_code == 404


@pytest.mark.parametrize("url", [SESSIONS_CSV, HOURS_CSV])
def test_a_csv_of_a_bad_period_is_a_plain_400(client, admin, url):
    client.force_login(admin)

    response = client.get(url, {"from": "2026-11-08", "to": "2026-11-02"})

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "The first day comes after the last day." in page_of(response)


# Who may read whose sign-ins


def test_a_manager_reads_the_techs_of_their_departments_only(
    client, viewer, tech, billing_tech, week
):
    client.force_login(viewer)

    response = client.get(URL, WEEK)

    assert response.status_code == 200
    select = [person.pk for person in response.context["techs"]]
    assert tech.pk in select and viewer.pk in select
    assert billing_tech.pk not in select
    assert billing_tech.full_name not in page_of(response)


def test_a_tech_in_two_departments_is_read_by_a_manager_of_either(
    client, viewer, billing, billing_manager, tech, week
):
    MembershipFactory(user=tech, department=billing)

    for manager in (viewer, billing_manager):
        client.force_login(manager)
        response = client.get(URL, {**WEEK, "tech": tech.pk})
        assert response.status_code == 200
        assert response.context["report"].summaries[0].sessions == 3


@pytest.mark.parametrize("url", [URL, SESSIONS_CSV, HOURS_CSV])
def test_a_manager_of_another_department_gets_not_found_for_a_tech(
    client, billing_manager, week, url
):
    client.force_login(billing_manager)

    assert client.get(url, {**WEEK, "tech": week.pk}).status_code == 404


def test_a_manager_of_another_department_sees_none_of_the_techs_sign_ins(
    client, billing_manager, billing_tech, week
):
    client.force_login(billing_manager)

    response = client.get(URL, WEEK)

    assert {person.pk for person in response.context["techs"]} == {
        billing_manager.pk,
        billing_tech.pk,
    }
    assert week.full_name not in page_of(response)
    rows = csv_rows(client.get(SESSIONS_CSV, WEEK))
    assert rows[1:] == []


@pytest.mark.parametrize("url", [URL, SESSIONS_CSV, HOURS_CSV])
@pytest.mark.parametrize("role", ["tech", "trainee", "customer_user"])
def test_techs_trainees_and_customers_are_refused(client, request, role, url):
    client.force_login(request.getfixturevalue(role))

    assert client.get(url, WEEK).status_code == 403


@pytest.mark.parametrize("url", [URL, SESSIONS_CSV, HOURS_CSV])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url, WEEK)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


def test_a_disabled_manager_is_refused(client, viewer):
    viewer.is_active = False
    viewer.save(update_fields=["is_active"])
    client.force_login(viewer)

    assert client.get(URL, WEEK).status_code in (302, 403)


# CSV


def test_the_sessions_csv_lists_each_session_with_times_in_the_viewers_zone(client, admin, week):
    client.force_login(admin)

    response = client.get(SESSIONS_CSV, {**WEEK, "tech": week.pk})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        f'filename="sign-in-sessions-{week.pk}-2026-11-02-2026-11-08.csv"'
        in response["Content-Disposition"]
    )
    header, *rows = csv_rows(response)
    assert header == [
        "Tech",
        "Email",
        "Signed in",
        "Ended",
        "How it ended",
        "Last active",
        "Duration (seconds)",
        "IP address",
        "Browser",
    ]
    assert [row[4] for row in rows] == ["still signed in", "session expired", "signed out"]
    open_row, expired_row, signed_out_row = rows
    assert open_row[:4] == ["Tom Tech", week.email, "2026-11-06T09:00:00+02:00", ""]
    assert open_row[5:7] == ["2026-11-06T11:15:00+02:00", str(2 * 3600 + 15 * 60)]
    assert expired_row[3] == "2026-11-04T03:30:00+02:00" and expired_row[7] == "2001:db8::7"
    assert signed_out_row[6] == str(8 * 3600 + 30 * 60)


def test_a_user_agent_or_a_name_written_as_a_formula_stays_text_in_the_csv(client, admin, week):
    week.full_name = "@SUM(1+1)*cmd|' /C calc'!A0"
    week.save(update_fields=["full_name"])
    client.force_login(admin)

    rows = csv_rows(client.get(SESSIONS_CSV, {**WEEK, "tech": week.pk}))
    hours = csv_rows(client.get(HOURS_CSV, {**WEEK, "tech": week.pk}))

    assert rows[3][8] == "'" + HOSTILE_AGENT
    assert rows[3][0] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert hours[1][1] == "'@SUM(1+1)*cmd|' /C calc'!A0"


def test_the_hours_csv_has_a_row_per_tech_and_day_zero_included(client, admin, week):
    idle = TechFactory(full_name="Ida Idle")
    client.force_login(admin)

    response = client.get(HOURS_CSV, WEEK)

    assert 'filename="sign-in-hours-2026-11-02-2026-11-08.csv"' in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header == ["Day", "Tech", "Email", "Hours signed in", "Seconds signed in"]
    toms = {row[0]: row[3:] for row in rows if row[2] == week.email}
    assert toms == {
        "2026-11-02": ["8.50", "30600"],
        "2026-11-03": ["2.00", "7200"],
        "2026-11-04": ["3.50", "12600"],
        "2026-11-05": ["0.00", "0"],
        "2026-11-06": ["2.25", "8100"],
        "2026-11-07": ["0.00", "0"],
        "2026-11-08": ["0.00", "0"],
    }
    assert [row[3] for row in rows if row[2] == idle.email] == ["0.00"] * 7


def test_the_csvs_of_a_manager_hold_their_departments_techs_only(
    client, viewer, billing_tech, week
):
    session(billing_tech, utc("2026-11-02T08:00:00"), utc("2026-11-02T09:00:00"))
    client.force_login(viewer)

    sessions = csv_rows(client.get(SESSIONS_CSV, WEEK))
    hours = csv_rows(client.get(HOURS_CSV, WEEK))

    assert {row[1] for row in sessions[1:]} == {week.email}
    assert billing_tech.email not in {row[2] for row in hours[1:]}


# Queries


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
