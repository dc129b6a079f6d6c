"""An admin opens the sign-in history, picks last week, narrows it to one tech, reads that
tech's sessions and hours per day in the admin's own time zone, and downloads the CSVs; on a
laptop and on a tablet."""

import csv
import io
import zoneinfo
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import LoginEvent
from tests.factories import (
    PASSWORD,
    AdminFactory,
    DepartmentFactory,
    MembershipFactory,
    TechFactory,
)
from tests.reports.sign_in_rows import failed, session, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KYIV = zoneinfo.ZoneInfo("Europe/Kyiv")
CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def kyiv(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)), KYIV)


def last_week_monday():
    today = timezone.localdate(timezone.now(), KYIV)
    return today - timedelta(days=today.weekday() + 7)


def downloaded_rows(download) -> list[list[str]]:
    raw = Path(download.path()).read_bytes()
    assert raw.startswith("\ufeff".encode())  # a spreadsheet opens it as UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_admin_picks_last_week_reads_a_techs_sessions_and_hours_and_downloads_them(
    live_server, page, screenshot
):
    support = DepartmentFactory(name="Technical support")
    tom = TechFactory(full_name="Tom Tech", email="tom@example.com")
    tanya = TechFactory(full_name="Tanya Tech", email="tanya@example.com")
    for person in (tom, tanya):
        MembershipFactory(user=person, department=support)
    admin = AdminFactory(full_name="Ada Admin", email="ada@example.com", time_zone="Europe/Kyiv")

    monday = last_week_monday()
    tuesday, wednesday, thursday = (monday + timedelta(days=n) for n in (1, 2, 3))
    session(tom, kyiv(monday, 8, 50), kyiv(monday, 17, 5), agent=CHROME)
    # Tuesday's late shift runs past midnight into Wednesday.
    session(tom, kyiv(tuesday, 16, 0), kyiv(wednesday, 0, 45), agent=CHROME, ip="203.0.113.21")
    session(
        tom,
        kyiv(thursday, 9, 0),
        kyiv(thursday, 12, 47),
        kind=LoginEvent.Kind.SESSION_EXPIRED,
        agent=CHROME,
    )
    failed(tom, kyiv(thursday, 8, 59))
    for day in (monday, tuesday, wednesday, thursday):
        session(tanya, kyiv(day, 9, 0), kyiv(day, 12, 30))
        session(tanya, kyiv(day, 13, 15), kyiv(day, 17, 40))
    signed_in(tanya, kyiv(monday - timedelta(days=3), 9, 0))  # the week before: not shown

    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server.url, admin.email)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{live_server.url}/reports/sign-ins/")
    assert page.get_by_test_id("reports-tab-sign-ins").get_attribute("aria-current") == "page"

    page.get_by_test_id("period-last_week").click()
    page.wait_for_url("**period=last_week**")
    assert page.get_by_test_id("period-last_week").get_attribute("aria-current") == "true"
    summary = page.get_by_test_id(f"summary-{tom.pk}").inner_text()
    # 8 h 15 min, 8 h 45 min and 3 h 47 min.
    assert "20 h 47 min" in summary
    assert "Tanya Tech" in page.get_by_test_id("hours-per-day").inner_text()
    screenshot("admin-reads-login-history-all-techs-1366")

    page.get_by_label("Tech", exact=True).select_option(label="Tom Tech")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"**tech={tom.pk}**")
    page.get_by_test_id("session").first.wait_for()
    assert "Days and times in Europe/Kyiv." in page.inner_text("#sign-ins-report")

    sessions = page.get_by_test_id("session")
    assert sessions.count() == 3
    newest = sessions.nth(0).inner_text()
    assert "Session expired, last active at" in newest and "12:47:00" in newest
    late = sessions.nth(1).inner_text()
    assert "16:00:00" in late and "Signed out at" in late and "00:45:00" in late
    assert "8 h 45 min 00 s" in late and "Chrome 131 on macOS" in late
    assert page.get_by_test_id("failure").count() == 1

    hours = page.get_by_test_id("hours-per-day")
    rows = hours.locator("tbody tr")
    assert rows.count() == 7
    assert "8 h 00 min" in rows.nth(1).inner_text()  # Tuesday 16:00 to midnight
    assert "45 min" in rows.nth(2).inner_text()  # Wednesday's first 45 minutes
    assert "Tanya Tech" not in hours.inner_text()
    screenshot("admin-reads-login-history-one-tech-1366")

    with page.expect_download() as download_info:
        page.get_by_test_id("sessions-csv").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"sign-in-sessions-{tom.pk}-")
    rows = downloaded_rows(download)
    assert rows[0][:3] == ["Tech", "Email", "Signed in"]
    assert [row[4] for row in rows[1:]] == ["session expired", "signed out", "signed out"]

    with page.expect_download() as download_info:
        page.get_by_test_id("hours-csv").click()
    hours_rows = downloaded_rows(download_info.value)
    assert len(hours_rows) == 1 + 7
    assert hours_rows[3][0] == wednesday.isoformat() and hours_rows[3][3] == "0.75"

    page.set_viewport_size({"width": 820, "height": 1180})
    page.get_by_label("Tech", exact=True).select_option(label="All techs (3)")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(lambda url: "tech=" in url and f"tech={tom.pk}" not in url)
    page.get_by_test_id(f"summary-{tanya.pk}").wait_for()
    screenshot("admin-reads-login-history-tablet-820")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 820  # the tables scroll inside their cards, not the page
