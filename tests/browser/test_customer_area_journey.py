import pytest
from django.core.management import call_command

from helpdesk.demo import DEMO_PASSWORD
from tickets.models import Message, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base_url, email):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_customer_follows_their_tickets_and_answers_one(live_server, page, screenshot):
    call_command("demo_data")

    sign_in(page, live_server.url, "customer@example.com")

    page.wait_for_url(f"{live_server.url}/my/")
    rows = page.locator("#ticket-list tbody tr")
    # Every ticket of theirs, and only theirs (the demo grows; the database says how many).
    assert (
        rows.count() == Ticket.objects.filter(customer__user__email="customer@example.com").count()
    )
    assert page.get_by_role("link", name="Printer shows error E-042 after the update").is_visible()
    assert not page.get_by_text("Site is down for all our shops").count()
    screenshot("customer-my-tickets")

    page.get_by_role("link", name="Printer shows error E-042 after the update").click()
    page.get_by_label("Your reply").fill("The error also shows on the second printer.")
    page.get_by_role("button", name="Send reply").click()
    page.get_by_text("The error also shows on the second printer.").wait_for()
    screenshot("customer-ticket-after-reply")

    ticket = Ticket.objects.get(subject="Printer shows error E-042 after the update")
    reply = ticket.messages.filter(kind=Message.Kind.CUSTOMER).order_by("id").last()
    assert reply.author.email == "customer@example.com"


def test_tech_enters_a_phone_call_as_a_ticket(live_server, page, screenshot):
    call_command("demo_data")

    sign_in(page, live_server.url, "tech@example.com")
    page.wait_for_url(f"{live_server.url}/desk/")
    page.get_by_role("link", name="New ticket for a customer").click()

    page.get_by_label("Customer's email address").fill("caller@example.org")
    page.get_by_label("Customer's name").fill("Carl Caller")
    page.get_by_label("Customer's phone").fill("+1 555 0142")
    page.get_by_label("How did they reach us?").select_option(label="Phone")
    page.get_by_label("Category").select_option(label="Installation and setup")
    page.get_by_label("Priority").select_option(label="High")
    page.get_by_label("Subject").fill("Cannot install the desktop app")
    page.get_by_label("What the customer needs").fill("Installer stops at 80% with code 1603.")
    screenshot("desk-new-ticket-form")
    page.get_by_role("button", name="Create ticket").click()

    page.get_by_role("heading", name="Cannot install the desktop app").wait_for()
    assert page.get_by_text("Entered by Tom Tech").is_visible()
    screenshot("desk-ticket-entered-by-phone")
    ticket = Ticket.objects.get(subject="Cannot install the desktop app")
    assert ticket.source == "phone"
    assert ticket.assignee.email == "tech@example.com"
    assert ticket.customer.phone == "+1 555 0142"
