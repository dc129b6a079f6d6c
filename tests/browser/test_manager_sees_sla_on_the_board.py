"""A manager's morning: the board shows one case overdue and one at risk, each with its icon and
word; the overdue case's page says by how much and carries the escalation line; the escalation
mail waits in var/mail/ (the file mail backend `make run` uses)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import PASSWORD
from tests.tickets.escalation_support import (
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
from tickets.sla.clocks import CLOCK_FIELDS, clocks_start
from tickets.sla.escalation import sla_alerts_sweep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["boss", "case", "colleague", "desk", "outsider", "owner", "staff"]  # fixtures


def arrived_earlier(ticket: Ticket, age: timedelta) -> None:
    """The case as if it had come in `age` ago: its clocks started then."""
    ticket.created_at = timezone.now() - age
    clocks_start(ticket, now=ticket.created_at)
    ticket.save(update_fields=["created_at", *CLOCK_FIELDS])


def test_manager_sees_overdue_and_at_risk_and_gets_the_escalation_mail(
    live_server, page, screenshot, settings, tmp_path, case, boss
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "var" / "mail"
    late = case(subject="Boiler makes a noise")
    soon = case(subject="Radiator cold in the hall")
    arrived_earlier(late, RESPONSE + timedelta(minutes=20))  # first response 20 min late
    arrived_earlier(soon, RESPONSE - timedelta(minutes=10))  # 10 of 120 minutes left
    assert sla_alerts_sweep() == 1  # the late one; the other is not due yet

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(boss.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/manage/")
    assert page.get_by_test_id("count-overdue").first.inner_text().strip() == "1"
    assert page.get_by_test_id("count-at-risk").first.inner_text().strip() == "1"
    board = page.locator("main").inner_text()
    assert "Overdue" in board and "At risk" in board
    screenshot("manager-board-overdue-and-at-risk")

    page.goto(f"{live_server.url}/desk/t/{late.number}/")
    header = page.get_by_test_id("due")
    assert "overdue by 20 min" in header.inner_text()
    assert header.locator(".bi-clock-fill").count() == 1
    line = page.locator(".thread-event", has_text="Escalation: first response overdue")
    line.wait_for()
    screenshot("manager-ticket-overdue-with-escalation")

    page.goto(f"{live_server.url}/desk/t/{soon.number}/")
    assert "due soon" in page.get_by_test_id("due").inner_text()

    mails = list((tmp_path / "var" / "mail").glob("*.log"))
    assert mails, "the escalation mail is written to var/mail/"
    text = "\n".join(path.read_text() for path in mails)
    assert f"[#{late.number}]" in text
    assert boss.email in text
    assert "first response" in text
