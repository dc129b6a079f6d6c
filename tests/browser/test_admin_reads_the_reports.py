"""An admin reads last month's report: picks the period, reads the eight measures, the per-tech
table and the trend, opens the cases behind one number and downloads them as CSV."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reports.periods import preset_days
from tests.factories import PASSWORD, AdminFactory
from tests.reports.report_support import (
    HOUR,
    bill,
    billing,
    legal,
    opened,
    support,
    tina,
    tom,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["bill", "billing", "legal", "opened", "support", "tina", "tom"]  # fixtures


def last_month_at(day: int, hour: int):
    first, _ = preset_days("last_month", timezone.localdate())
    start = timezone.make_aware(timezone.datetime.combine(first, timezone.datetime.min.time()))
    return start + timedelta(days=day, hours=hour)


@pytest.fixture
def history(opened, support, billing, legal, tom, tina, bill):
    start = last_month_at(4, 9)
    late = opened(start, tech=tom, department=support, subject="Scanner driver will not install")
    late.close(start + 9 * HOUR)
    opened(start, tech=tom, department=support).close(start + HOUR)
    opened(start + 24 * HOUR, tech=tina, department=support).consult(
        start + 25 * HOUR, legal
    ).close(start + 27 * HOUR)
    opened(start + 48 * HOUR, tech=bill, department=billing).close(start + 49 * HOUR)
    return late


def sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_admin_reads_last_month_and_opens_the_cases_behind_a_number(
    live_server, page, screenshot, history
):
    admin = AdminFactory(full_name="Ada Admin", email="ada@example.test")
    sign_in(page, live_server.url, admin.email)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{live_server.url}/reports/")
    page.get_by_label("Period").select_option("last_month")
    page.get_by_role("button", name="Show").click()
    page.get_by_test_id("seed-metrics").wait_for()

    measures = page.get_by_test_id("seed-metrics")
    assert measures.get_by_test_id("metric-closed_late-value").inner_text() == "1"
    assert measures.get_by_test_id("metric-closed_on_time-value").inner_text() == "2"
    assert measures.get_by_test_id("metric-closed_on_time_consulted-value").inner_text() == "1"
    per_tech = page.get_by_test_id("per-tech")
    assert "Tom Tech" in per_tech.inner_text() and "Bill Billing" in per_tech.inner_text()
    assert page.get_by_test_id("chart-trend").count() == 2  # the counts and the share within SLA
    assert page.locator("svg[role=img]").count() == 2
    screenshot("reports-last-month")

    measures.get_by_test_id("metric-closed_late-value").click()
    page.get_by_test_id("cases").wait_for()
    assert page.get_by_test_id("case").count() == 1
    assert "Scanner driver will not install" in page.get_by_test_id("cases").inner_text()
    screenshot("reports-cases-behind-a-number")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="All as CSV").click()
    with open(download_info.value.path(), "rb") as downloaded:
        content = downloaded.read()
    assert content.startswith("\ufeff".encode())
    assert "Scanner driver will not install" in content.decode("utf-8-sig")


def test_the_report_reads_on_a_tablet(live_server, browser, history):
    admin = AdminFactory(full_name="Ada Admin", email="ada@example.test")
    context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="en-GB")
    page = context.new_page()
    sign_in(page, live_server.url, admin.email)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{live_server.url}/reports/?period=last_month")
    page.get_by_test_id("seed-metrics").wait_for()
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "reports-tablet.png"), full_page=True)
    # Nothing wider than the screen but the tables that scroll on their own.
    overflow = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert overflow <= 768
