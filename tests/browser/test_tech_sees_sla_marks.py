"""A tech's desk with a case overdue, one due soon and one waiting for the customer: each row
says so with an icon, words and (overdue, due soon) a tint; the ticket page's header says it
too, with the due time, and the presence poll keeps it current; the manager's board marks the
department's oldest waiting case."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from departments.models import Department
from helpdesk.demo import DEMO_PASSWORD
from tickets import services, workflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LATE = "Router reboots every hour"
SOON = "Printer queue stuck"
WAITING = "Scanner driver question"


def sign_in(page, base_url, email):
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")


def phone_case(monkeypatch, tom, department, subject, opened_ago):
    """Tom takes a phone call `opened_ago` before now (the services read the clock then)."""
    when = timezone.now() - opened_ago
    monkeypatch.setattr(timezone, "now", lambda: when)
    try:
        return services.ticket_create_for_customer(
            staff=tom,
            email="lena@example.org",
            name="Lena Long",
            phone="",
            subject=subject,
            body="Please call back.",
            category=None,
            department=department,
            priority=2,
            source="phone",
            assign_to_me=True,
            send_confirmation=False,
        )
    finally:
        monkeypatch.undo()


def test_the_desk_and_the_ticket_mark_overdue_due_soon_and_paused_cases(
    live_server, page, screenshot, monkeypatch
):
    call_command("demo_data")
    tom = User.objects.get(email="tech@example.com")
    support = Department.objects.get(slug="technical-support")  # 4 hours, around the clock
    late = phone_case(monkeypatch, tom, support, LATE, timedelta(days=2))
    soon = phone_case(monkeypatch, tom, support, SOON, timedelta(hours=3, minutes=30))
    waiting = phone_case(monkeypatch, tom, support, WAITING, timedelta(minutes=5))
    workflow.ticket_reply(
        ticket=waiting, tech=tom, body="Which model?", internal=False, then_status="pending"
    )

    sign_in(page, live_server.url, "tech@example.com")
    page.goto(f"{live_server.url}/desk/?queue=mine")
    late_row = page.get_by_test_id("ticket-row").filter(has_text=LATE)
    soon_row = page.get_by_test_id("ticket-row").filter(has_text=SOON)
    late_row.wait_for()
    assert "row-overdue" in late_row.get_attribute("class")
    assert "overdue by 1 day 20 h" in late_row.get_by_test_id("sla").inner_text()
    assert late_row.locator(".bi-clock-fill").count() == 1
    assert "row-at-risk" in soon_row.get_attribute("class")
    assert re.search(r"due soon · (29|30) min left", soon_row.get_by_test_id("sla").inner_text())
    assert soon_row.locator(".bi-exclamation-triangle-fill").count() == 1
    screenshot("sla-marks-desk")

    page.get_by_test_id("queue-pending").click()
    waiting_row = page.get_by_test_id("ticket-row").filter(has_text=WAITING)
    waiting_row.wait_for()
    assert re.search(r"paused · 3 h 5[45] min left", waiting_row.get_by_test_id("sla").inner_text())
    assert waiting_row.locator(".bi-pause-circle").count() == 1
    screenshot("sla-marks-desk-pending")

    page.goto(f"{live_server.url}/desk/t/{late.number}/")
    page.get_by_role("heading", name=LATE).wait_for()
    due = page.get_by_test_id("due").inner_text()
    assert "overdue by 1 day 20 h" in due and "· due " in due
    screenshot("sla-marks-ticket-overdue")

    with page.expect_response(lambda response: "/presence/" in response.url, timeout=30_000):
        page.goto(f"{live_server.url}/desk/t/{soon.number}/")
        page.get_by_role("heading", name=SOON).wait_for()
        assert "due soon" in page.get_by_test_id("due").inner_text()
    # The presence poll brought the mark again, out of band: still one, still due soon.
    page.wait_for_timeout(200)
    assert page.locator("#ticket-sla").count() == 1
    assert "due soon" in page.get_by_test_id("due").inner_text()
    # The customer's other tickets in the side panel carry their marks too.
    assert "overdue by" in page.get_by_test_id("other-ticket").filter(has_text=LATE).inner_text()
    screenshot("sla-marks-ticket-due-soon")

    page.set_viewport_size({"width": 800, "height": 900})
    page.goto(f"{live_server.url}/desk/?queue=mine")
    page.get_by_test_id("ticket-row").filter(has_text=LATE).wait_for()
    screenshot("sla-marks-desk-tablet")

    sign_in(page, live_server.url, "manager@example.com")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/manage/")
    section = page.locator(f"[data-testid='board-department-{support.pk}']")
    oldest = section.get_by_test_id("oldest-waiting")
    assert LATE in oldest.inner_text()
    assert "overdue by 1 day 20 h" in oldest.inner_text()
    assert "row-overdue" in oldest.get_attribute("class")
    screenshot("sla-marks-board")

    oldest.get_by_role("link", name=LATE).click()
    page.get_by_role("heading", name=LATE).wait_for()
    page.get_by_role("link", name="Lena Long").click()
    row = page.get_by_test_id("customer-ticket-row").filter(has_text=SOON)
    assert "row-at-risk" in row.get_attribute("class")
    assert "due soon" in row.get_by_test_id("sla").inner_text()
    screenshot("sla-marks-customer-page")
