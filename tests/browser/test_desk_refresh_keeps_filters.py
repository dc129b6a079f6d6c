"""The desk refreshes itself every 30 seconds; a filter choice the tech has picked but not yet
applied survives the refresh (issue 14), while the list itself is fetched anew."""

import pytest
from django.core.management import call_command

from helpdesk.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_refresh_keeps_unapplied_filter_choices(live_server, page, screenshot):
    call_command("demo_data")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill("manager@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
    page.goto(f"{live_server.url}/desk/?queue=team")
    department = page.locator("#queue-filters select[name=department]")
    choice = department.locator("option").nth(1).get_attribute("value")
    department.select_option(choice)
    rows_before = page.get_by_test_id("ticket-row").count()
    # Mark the list as it is now: the refresh must replace it.
    page.evaluate("() => { document.querySelector('.ticket-list').dataset.stale = 'yes'; }")

    # The same request and swap the 30-second poll makes (hx-get/hx-select on #desk-body).
    page.evaluate(
        """() => new Promise(done => {
            document.body.addEventListener("htmx:afterSettle", () => done(), {once: true});
            const body = document.getElementById("desk-body");
            htmx.ajax("GET", body.getAttribute("hx-get"),
                      {source: body, target: body, swap: "outerHTML", select: "#desk-body"});
        })"""
    )

    assert department.input_value() == choice
    assert page.get_by_test_id("ticket-row").count() == rows_before
    assert page.locator(".ticket-list[data-stale]").count() == 0
    screenshot("desk-refresh-keeps-filters")
