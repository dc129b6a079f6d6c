import pytest
from django.utils import timezone

from tests.factories import PASSWORD
from tests.tickets.escalation_support import (
    MINUTE,
    RESPONSE,
    boss,
    case,
    colleague,
    desk,
    outsider,
    owner,
    staff,
)
from tickets.models import Ticket
from tickets.sla.escalation import sla_alerts_sweep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["boss", "case", "colleague", "desk", "outsider", "owner", "staff"]  # fixtures


def test_manager_finds_the_escalation_in_the_feed_and_on_the_ticket(
    live_server, page, screenshot, case, boss
):
    ticket = case(subject="Boiler makes a noise")
    # Its first response was due five minutes ago (as if it had come in two hours back).
    passed = timezone.now() - 5 * MINUTE
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=passed - RESPONSE, response_due_at=passed, due_at=passed, sla_alert_at=passed
    )
    assert sla_alerts_sweep() == 1

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(boss.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/manage/")

    page.goto(f"{live_server.url}/manage/activity/")
    page.get_by_label("Kind").select_option("sla_escalated")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**kind=sla_escalated**")
    row = page.get_by_test_id("activity-row").first
    assert row.get_attribute("data-activity") == "sla_escalated"
    assert "Escalation: a time limit passed" in row.inner_text()
    assert "Escalation: first response overdue (due" in row.inner_text()
    screenshot("manager-activity-escalations")

    row.get_by_role("link").click()
    line = page.locator(".thread-event", has_text="Escalation: first response overdue")
    line.wait_for()
    assert line.locator(".bi-alarm").count() == 1
    screenshot("ticket-escalation-event-line")
