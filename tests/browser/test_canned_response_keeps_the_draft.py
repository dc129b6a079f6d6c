"""Issue 14: the canned-response picker works inside the reply box and never loses the draft.

With JavaScript: Enter in the picker's search field narrows the list without leaving the page or
sending the reply, and a response goes in where the cursor stands. Without JavaScript: searching
and inserting submit the reply form itself, and the page comes back with the draft."""

import pytest
from playwright.sync_api import expect

from responses.models import CannedResponse
from tests.browser.conftest import SCREENSHOTS
from tests.factories import (
    PASSWORD,
    DepartmentFactory,
    MembershipFactory,
    TechFactory,
    WebFormFactory,
)
from tickets import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DRAFT = "Hello Vera,\nI looked at the printer logs.\nBest wishes"


@pytest.fixture
def ticket_with_responses():
    department = DepartmentFactory(name="Technical support")
    billing = DepartmentFactory(name="Billing", slug="billing")
    tech = TechFactory(full_name="Tom Tech")
    MembershipFactory(user=tech, department=department)
    MembershipFactory(user=tech, department=billing)
    ticket = services.ticket_submit_from_web(
        form=WebFormFactory(default_department=department),
        name="Vera Visitor",
        email="vera@example.org",
        subject="Printer shows E-042",
        body="It stopped after the update.",
        category=None,
        priority=2,
    )
    CannedResponse.objects.create(title="Greeting", body="Hello {{ customer_first_name }}")
    CannedResponse.objects.create(
        title="Firmware update", body="Please update the firmware.", department=department
    )
    CannedResponse.objects.create(title="Refund", body="Refunded.", department=billing)
    return tech, ticket


def sign_in_and_open(page, base_url, tech, ticket):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email address").fill(tech.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base_url}/desk/t/{ticket.number}/")


def test_with_javascript_search_and_insert_at_the_cursor_keep_the_draft(
    live_server, page, screenshot, ticket_with_responses
):
    tech, ticket = ticket_with_responses
    sign_in_and_open(page, live_server.url, tech, ticket)
    sent_before = ticket.messages.count()
    ticket_url = page.url
    loads = []
    page.on("load", lambda _: loads.append(page.url))
    box = page.locator("#id_body")
    box.fill(DRAFT)
    # The cursor goes to the end of the second line, before "Best wishes".
    box.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Home")

    page.get_by_text("Canned responses", exact=True).click()
    # Another department's response (the tech is in Billing too) is not offered on this ticket.
    expect(page.get_by_role("button", name="Greeting")).to_be_visible()
    assert not page.get_by_role("button", name="Refund").count()
    search = page.get_by_label("Search canned responses")
    search.fill("firmware")
    search.press("Enter")
    expect(page.get_by_role("button", name="Greeting")).to_have_count(0)
    assert page.url == ticket_url and loads == []
    assert box.input_value() == DRAFT
    screenshot("canned-picker-search-with-javascript")

    page.get_by_role("button", name="Firmware update").click()
    expect(page.locator("#id_body")).to_have_value(
        "Hello Vera,\nI looked at the printer logs.\n\nPlease update the firmware.\n\nBest wishes"
    )
    assert page.url == ticket_url and loads == []
    # The reply box has the keyboard back, the cursor right after the inserted text, so typing
    # goes on from there.
    expect(page.locator("#id_body")).to_be_focused()
    page.keyboard.type(" Thanks.")
    expect(page.locator("#id_body")).to_have_value(
        "Hello Vera,\nI looked at the printer logs.\n\nPlease update the firmware. Thanks."
        "\n\nBest wishes"
    )
    assert ticket.messages.count() == sent_before  # nothing was sent
    screenshot("canned-picker-inserted-at-the-cursor")


@pytest.fixture
def page_without_javascript(browser):
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="en-GB", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_without_javascript_search_and_insert_keep_the_draft(
    live_server, page_without_javascript, ticket_with_responses
):
    page = page_without_javascript
    tech, ticket = ticket_with_responses
    urls = []
    page.on("request", lambda request: urls.append(request.url))
    sign_in_and_open(page, live_server.url, tech, ticket)
    sent_before = ticket.messages.count()
    page.locator("#id_body").fill(DRAFT)
    page.get_by_text("Canned responses", exact=True).click()

    # Enter in the search field submits the reply form to the search, not the reply.
    page.get_by_label("Search canned responses").fill("firmware")
    page.get_by_label("Search canned responses").press("Enter")
    page.wait_for_url(f"**/desk/t/{ticket.number}/reply/responses/")
    assert page.locator("#id_body").input_value() == DRAFT
    assert not page.get_by_role("button", name="Greeting").count()
    assert page.get_by_label("Search canned responses").input_value() == "firmware"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(SCREENSHOTS / "canned-picker-search-without-javascript.png"), full_page=True
    )

    page.get_by_role("button", name="Firmware update").click()
    page.wait_for_url(f"**/desk/t/{ticket.number}/reply/insert/**")
    assert page.locator("#id_body").input_value() == f"{DRAFT}\n\nPlease update the firmware."
    assert ticket.messages.count() == sent_before  # nothing was sent
    assert not any("printer" in url for url in urls)
    page.screenshot(
        path=str(SCREENSHOTS / "canned-picker-inserted-without-javascript.png"), full_page=True
    )
