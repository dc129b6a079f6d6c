"""A tech finds a customer from the desk: the "Customers" link, a phone number typed as the
customer said it (the results follow as they type), then the customer's page; a Cyrillic name
in capitals finds its customer too, and so do the demo's order number and note."""

import pytest
from django.core.management import call_command

from helpdesk.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_tech_finds_a_customer_by_phone_and_opens_their_page(live_server, page, screenshot):
    call_command("demo_data")
    sign_in(page, live_server, "tech@example.com")
    page.wait_for_url(f"{live_server.url}/desk/")

    page.get_by_test_id("desk-customers").click()
    page.wait_for_url(f"{live_server.url}/desk/customers/")
    assert page.get_by_test_id("customer-row").count() >= 2
    screenshot("customers-list")

    # Typed, not submitted: htmx swaps the results in as the tech types.
    page.get_by_role("searchbox", name="Search customers").press_sequentially("044-555-01")
    page.get_by_test_id("search-summary").wait_for()
    rows = page.get_by_test_id("customer-row")
    assert rows.count() == 1
    assert "Ivan Petrenko" in rows.first.inner_text()
    assert "q=044-555-01" in page.url  # the address bar keeps the search
    screenshot("customers-found-by-phone")

    page.get_by_role("link", name="Ivan Petrenko").click()
    page.wait_for_url(f"{live_server.url}/desk/customers/*/")
    assert page.get_by_role("heading", name="Ivan Petrenko").is_visible()

    page.goto(f"{live_server.url}/desk/customers/?q=ОРЛОВ")
    rows = page.get_by_test_id("customer-row")
    assert rows.count() == 1 and "Дмитрий Орлов" in rows.first.inner_text()
    screenshot("customers-found-cyrillic")

    # The demo's order number and Ivan's note (helpdesk/demo_customer_search.py, demo_customers.py).
    page.goto(f"{live_server.url}/desk/customers/?q=nw-2043")
    assert page.get_by_test_id("customer-row").all_inner_texts()[0].startswith("Carla Customer")
    page.goto(f"{live_server.url}/desk/customers/?q=SHOPS%20IN%20KYIV")
    rows = page.get_by_test_id("customer-row")
    assert rows.count() == 1 and "Ivan Petrenko" in rows.first.inner_text()
