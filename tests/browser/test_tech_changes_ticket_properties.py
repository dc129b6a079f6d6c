"""A tech changes a ticket's category and priority on its page (htmx, in place) and transfers
it with the tech list following the chosen department."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from helpdesk.demo import DEMO_PASSWORD
from tickets.models import Message, Priority, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_tech_changes_category_and_priority_then_transfers_to_a_billing_tech(
    live_server, page, screenshot
):
    call_command("demo_data")
    ticket = (
        Ticket.objects.filter(
            assignee__email="tech@example.com",
            department__slug="technical-support",
            closed_at__isnull=True,
        )
        .order_by("number")
        .first()
    )
    assert ticket is not None, "the demo gives Tom Tech a technical-support ticket"

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill("tech@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/desk/")
    page.goto(f"{live_server.url}/desk/t/{ticket.number}/")

    panel = page.get_by_test_id("properties")
    categories = panel.locator("#id_category option").all_inner_texts()
    assert "Installation and setup" in categories
    assert "Refunds" not in categories  # Billing's
    panel.locator("#id_category").select_option(label="Installation and setup")
    new_priority = Priority.LOW if ticket.priority != Priority.LOW else Priority.EMERGENCY
    panel.locator("#id_priority").select_option(str(new_priority.value))
    panel.get_by_role("button", name="Save category and priority").click()

    page.get_by_test_id("properties").get_by_text("Properties saved.").wait_for()
    thread = page.locator("#thread")
    expect(thread).to_contain_text("Tom Tech changed the priority from")
    expect(thread).to_contain_text("to Installation and setup")
    expect(page.locator("#priority-badge")).to_contain_text(str(new_priority.label))
    screenshot("desk-properties-changed")
    ticket.refresh_from_db()
    assert ticket.priority == new_priority
    assert ticket.category.name == "Installation and setup"
    assert ticket.assignee.email == "tech@example.com"  # routing untouched

    techs = page.locator("#id_tech")
    assert "Terry Trainee" in techs.inner_text()  # technical support's
    assert "Tanya Tech" not in techs.inner_text()
    page.get_by_test_id("transfer-department").select_option(label="Billing")
    expect(page.locator("#id_tech")).to_contain_text("Tanya Tech")
    expect(page.locator("#id_tech")).not_to_contain_text("Terry Trainee")
    page.locator("#id_tech").select_option(label="Tanya Tech")
    page.locator("#id_note").fill("Billing question after all.")
    screenshot("desk-transfer-billing-techs")
    page.get_by_role("button", name="Transfer", exact=True).click()

    page.wait_for_url(f"{live_server.url}/desk/")
    expect(page.locator("#messages")).to_contain_text("transferred")
    screenshot("desk-after-transfer")
    ticket.refresh_from_db()
    assert ticket.department.slug == "billing"
    assert ticket.assignee.email == "tech2@example.com"
    assert Message.objects.filter(ticket=ticket, event_data__event="transferred").exists()
