"""A customer writes on a tech's ticket: the bell in the tech's navigation counts it, the list
shows it, and opening it reads it and shows the ticket."""

import pytest

from tests.factories import PASSWORD, MembershipFactory, TechFactory
from tests.tickets import conftest as ticket_fixtures
from tickets import services, workflow
from tickets.models import Notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

category = ticket_fixtures.category
public_form = ticket_fixtures.public_form
submit = ticket_fixtures.submit


def test_tech_sees_the_bell_count_reads_the_list_and_opens_the_ticket(
    live_server, page, screenshot, submit, department
):
    tech = MembershipFactory(
        user=TechFactory(full_name="Tom Tech", email="tom@example.com"), department=department
    ).user
    ticket = workflow.ticket_claim_on_open(ticket=submit(), tech=tech).ticket
    services.ticket_reply_from_customer(
        ticket=ticket, body="The printer still shows E-042 after the restart."
    )

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(tech.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/desk/")

    bell = page.get_by_test_id("notification-bell")
    assert bell.get_by_test_id("notification-count").inner_text() == "1"
    bell.click()
    page.wait_for_url(f"{live_server.url}/notifications/")
    item = page.get_by_test_id("notification")
    assert item.count() == 1
    assert "Vera Visitor wrote" in item.inner_text()
    assert "still shows E-042" in item.inner_text()
    screenshot("tech-reads-notifications")

    item.get_by_role("button", name=f"{ticket.tag} Vera Visitor wrote").click()
    page.get_by_role("heading", name=ticket.subject).wait_for()
    assert f"/desk/t/{ticket.number}/" in page.url
    assert (
        page.get_by_test_id("notification-bell").get_by_test_id("notification-count").count() == 0
    )
    assert Notification.objects.get(recipient=tech).read_at is not None
    screenshot("tech-opened-notified-ticket")

    # Where the tech chooses what they are told.
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_role("link", name="Choose what you are told").click()
    section = page.locator("#notification-preferences")
    # Kinds whose recipients are fixed say who hears of them: no scope to choose.
    assert section.get_by_label("Reply held for approval: in the helpdesk").count() == 0
    assert section.get_by_text("You, when mentioned, and the ticket's owner").is_visible()
    section.get_by_label("Customer reply: by email").select_option("digest")
    section.get_by_role("button", name="Save notification choices").click()
    page.get_by_text("Your notification choices are saved.").wait_for()
    assert tech.notification_preferences.get(activity="customer_message").email == "digest"
    page.locator("#notification-preferences").scroll_into_view_if_needed()
    screenshot("tech-notification-preferences")
