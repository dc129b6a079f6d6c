"""The sign-in history's period picker: named periods around the viewer's today, typed dates;
bad input gets a clear message (in place for htmx, plain for a CSV), never a 500.

Fixtures (admin, viewer, week): tests/reports/sign_ins_support.py."""

from datetime import date

import pytest
import time_machine

from tests.reports.sign_in_rows import utc
from tests.reports.sign_ins_support import (
    HOURS_CSV,
    HTMX,
    NOW,
    SESSIONS_CSV,
    URL,
    WEEK,
    page_of,
)

pytestmark = pytest.mark.django_db


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
