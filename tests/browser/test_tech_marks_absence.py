import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Absence
from helpdesk.demo import DEMO_PASSWORD
from tickets import workflow
from tickets.models import Ticket
from tickets.tasks import absences_carry_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "Refund for the cancelled order"


def sign_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/desk/")


def test_tech_marks_an_absence_and_the_substitute_gets_their_pool(live_server, page, screenshot):
    call_command("demo_data")
    ticket = Ticket.objects.get(subject=SUBJECT)
    tanya = ticket.department.memberships.get(user__email="tech2@example.com").user
    workflow.ticket_claim_on_open(ticket=ticket, tech=tanya)

    sign_in(page, live_server, "tech2@example.com")
    page.goto(f"{live_server.url}/accounts/preferences/")
    page.get_by_role("link", name="Your absences").click()
    page.get_by_role("heading", name="Your absences").wait_for()
    now = timezone.localtime(timezone.now())
    page.get_by_label("Away from").fill((now - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Back at").fill((now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Substitute").select_option(label="Tom Tech")
    page.get_by_label("Note").fill("Holiday")
    page.get_by_role("button", name="Record absence").click()
    page.get_by_text("Absence recorded.").wait_for()
    assert "Substitute: Tom Tech" in page.get_by_test_id("absence-list").inner_text()
    screenshot("tech-records-absence")

    assert absences_carry_out() == {"started": 1, "ended": 0}  # the beat's minute

    page.context.clear_cookies()
    sign_in(page, live_server, "tech@example.com")
    row = page.get_by_test_id("ticket-row").filter(has_text=SUBJECT)
    row.wait_for()
    screenshot("substitute-pool-holds-handed-over-tickets")
    row.get_by_role("link", name=SUBJECT).click()
    page.get_by_role("heading", name=SUBJECT).wait_for()
    assert "Handed over to Tom Tech while Tanya Tech is absent" in page.inner_text("body")
    screenshot("handed-over-ticket-thread")

    # Back: the end runs, and Tanya takes her ticket back from the box on her desk.
    Absence.objects.filter(tech=tanya).update(ends_at=timezone.now() - timedelta(seconds=1))
    assert absences_carry_out() == {"started": 0, "ended": 1}
    page.context.clear_cookies()
    sign_in(page, live_server, "tech2@example.com")
    box = page.get_by_test_id("handed-over-box")
    assert SUBJECT in box.inner_text()
    screenshot("returning-tech-sees-handed-over-tickets")
    box.get_by_role("button", name="Take back all").click()
    # Every ticket handed over from her open pool (the demo gives her two) comes back.
    page.get_by_text(re.compile(r"\d+ tickets? (is|are) back in your pool\.")).wait_for()
    ticket.refresh_from_db()
    assert ticket.assignee == tanya
