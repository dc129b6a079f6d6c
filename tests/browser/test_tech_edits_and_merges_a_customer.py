"""A tech works a customer's page: edits the phone and notes, is refused an address that belongs
to another customer (and told whose), adds one of their own, logs a call from the page, then
merges the duplicate of the customer into them and reads the history."""

import pytest
from django.core.management import call_command

from accounts.customers import customer_by_email
from accounts.models import Customer
from helpdesk.demo import DEMO_PASSWORD
from tickets.models import PhoneCall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_tech_edits_a_customer_logs_a_call_and_merges_the_duplicate(
    live_server, page, screenshot, settings
):
    settings.ORDER_URL_TEMPLATE = "https://shop.example/admin/orders/{order}"
    call_command("demo_data")
    ivan = customer_by_email(email="ivan@example.org")
    duplicate = customer_by_email(email="i.petrenko@kyivbakery.example")
    sign_in(page, live_server, "tech@example.com")
    page.wait_for_url(f"{live_server.url}/desk/")

    page.goto(f"{live_server.url}/desk/customers/{ivan.pk}/")
    orders = page.get_by_test_id("customer-orders")
    assert orders.get_by_role("link").first.get_attribute("href") == (
        "https://shop.example/admin/orders/KB-2207"
    )
    screenshot("customer-page")

    # Edit the phone and notes
    page.get_by_test_id("edit-customer").click()
    form = page.get_by_test_id("customer-edit-form")
    form.get_by_label("Phone").fill("+380 44 555 0199")
    form.get_by_label("Notes").fill("Call the shop manager first.")
    screenshot("customer-edit-form")
    form.get_by_role("button", name="Save").click()
    page.get_by_text("Customer details saved.").wait_for()
    assert "+380 44 555 0199" in page.get_by_test_id("customer-profile").inner_text()

    # An address of another customer: refused, saying whose
    page.get_by_test_id("edit-customer").click()
    adding = page.get_by_test_id("customer-address-add")
    adding.get_by_label("New address").fill("customer@example.com")
    adding.get_by_role("button", name="Add the address").click()
    conflict = page.get_by_test_id("address-conflict")
    conflict.wait_for()
    assert "belongs to another customer" in conflict.inner_text()
    assert page.url == f"{live_server.url}/desk/customers/{ivan.pk}/edit/"  # answered in place
    screenshot("customer-address-conflict")
    adding = page.get_by_test_id("customer-address-add")
    adding.get_by_label("New address").fill("ivan.mobile@example.org")
    adding.get_by_role("button", name="Add the address").click()
    page.get_by_text("ivan.mobile@example.org added.").wait_for()
    assert page.get_by_test_id("customer-address").count() == 3

    # A call from the customer page
    page.goto(f"{live_server.url}/desk/customers/{ivan.pk}/")
    call = page.get_by_test_id("customer-call-form")
    call.get_by_label("Ticket").select_option(index=0)
    call.get_by_label("Incoming").check()
    call.get_by_label("Reached the customer").check()
    call.get_by_label("Duration (minutes)").fill("5")
    call.get_by_label("What was agreed").fill("Ivan confirms all five shops take orders again.")
    call.get_by_role("button", name="Log the call").click()
    page.get_by_text("Phone call logged on").wait_for()
    assert PhoneCall.objects.filter(
        message__body="Ivan confirms all five shops take orders again."
    ).exists()

    # Merge the duplicate
    page.get_by_test_id("merge-customer").click()
    page.get_by_label("The other customer").fill("i.petrenko@kyivbakery.example")
    page.get_by_role("button", name="Show what moves").click()
    plan = page.get_by_test_id("merge-plan")
    plan.wait_for()
    assert "i.petrenko@kyivbakery.example" in plan.inner_text()
    assert "1 ticket" in plan.inner_text()
    screenshot("customer-merge-confirmation")
    page.get_by_test_id("merge-confirm").click()
    page.get_by_text("I. Petrenko was merged into Ivan Petrenko.").wait_for()
    history = page.get_by_test_id("customer-history")
    assert "Merged" in history.inner_text()
    assert "Phone" in history.inner_text()
    assert page.get_by_test_id("customer-ticket-row").count() >= 2
    history.scroll_into_view_if_needed()
    screenshot("customer-after-merge")
    assert not Customer.objects.filter(pk=duplicate.pk).exists()
