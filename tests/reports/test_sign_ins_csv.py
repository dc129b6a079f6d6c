"""The sign-in history's CSVs: every session, and the hours per tech and day, in the viewer's
zone, cells that would run as a formula kept as text, a manager's techs only.

Fixtures (admin, viewer, week): tests/reports/sign_ins_support.py."""

import pytest

from tests.factories import TechFactory
from tests.reports.sign_in_rows import session, utc
from tests.reports.sign_ins_support import (
    HOSTILE_AGENT,
    HOURS_CSV,
    SESSIONS_CSV,
    WEEK,
    csv_rows,
)

pytestmark = pytest.mark.django_db


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
