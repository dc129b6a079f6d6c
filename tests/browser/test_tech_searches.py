"""A tech searches from the box in the desk header: a word gives highlighted results, a filter
narrows them (htmx swaps the results in place), a hit opens the ticket, and a ticket number
jumps straight to it."""

import re

import pytest
from django.core.management import call_command

from helpdesk.demo import DEMO_PASSWORD
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "Printer shows error E-042 after the update"


def sign_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_tech_searches_from_the_header_filters_opens_and_jumps(live_server, page, screenshot):
    call_command("demo_data")
    ticket = Ticket.objects.get(subject=SUBJECT)
    sign_in(page, live_server, "tech@example.com")
    page.wait_for_url(f"{live_server.url}/desk/")

    box = page.get_by_label("Search tickets")
    box.fill("printer")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/desk/search/\?q=printer"))
    hits = page.get_by_test_id("search-hit")
    hits.first.wait_for()
    assert hits.count() >= 1
    assert page.locator("mark").first.inner_text().lower().startswith("printer")
    assert page.get_by_label("Search tickets").input_value() == "printer"
    screenshot("search-results-highlighted")

    page.get_by_label("Opened").select_option(label="Last 7 days")
    page.get_by_role("button", name="Search", exact=True).last.click()
    page.wait_for_url(re.compile(r"period=week"))
    page.get_by_test_id("search-hit").filter(has_text=SUBJECT).wait_for()
    screenshot("search-results-filtered")

    page.get_by_test_id("search-hit").filter(has_text=SUBJECT).get_by_role("link").first.click()
    page.wait_for_url(f"{live_server.url}/desk/t/{ticket.number}/")
    page.get_by_role("heading", name=SUBJECT).wait_for()

    box = page.get_by_label("Search tickets")
    box.fill(f"#{ticket.number}")
    box.press("Enter")
    page.wait_for_url(f"{live_server.url}/desk/t/{ticket.number}/")
    screenshot("search-number-jump-lands-on-the-ticket")
