import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from helpdesk.demo import DEMO_PASSWORD
from tickets import services
from tickets.models import Message, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "Refund for the cancelled order"


def test_tech_claims_answers_with_canned_response_sets_pending_and_gets_it_back(
    live_server, page, screenshot, mailoutbox
):
    call_command("demo_data")

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill("tech2@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/desk/")

    page.get_by_test_id("queue-general").click()
    page.get_by_role("link", name=SUBJECT).wait_for()
    screenshot("workspace-general-pool")
    page.get_by_role("link", name=SUBJECT).click()

    page.get_by_role("heading", name=SUBJECT).wait_for()
    assert "is now in your pool" in page.locator("#messages").inner_text()
    assert "Tanya Tech" in page.get_by_test_id("owner").inner_text()
    ticket = Ticket.objects.get(subject=SUBJECT)
    assert ticket.assignee.email == "tech2@example.com"

    page.get_by_text("Canned responses", exact=True).click()
    page.get_by_label("Search canned responses").fill("refund")
    # The list narrows to what matches as the tech types.
    page.get_by_role("button", name="Greeting").wait_for(state="detached")
    page.get_by_role("button", name="Refund on its way").click()
    # (Not wait_for_function: the page's Content-Security-Policy forbids evaluating strings.)
    expect(page.locator("#id_body")).to_have_value(re.compile("we have issued the refund"))
    body = page.locator("#id_body").input_value()
    assert body.startswith("Hello Li,")
    assert "Tanya Tech, Billing" in body
    screenshot("workspace-reply-with-canned-response")
    page.get_by_role("button", name="Send and set pending").click()

    page.get_by_text("Reply sent; the ticket waits for the customer.").wait_for()
    page.goto(f"{live_server.url}/desk/?queue=mine")
    assert not page.get_by_role("link", name=SUBJECT).count()
    page.get_by_test_id("queue-pending").click()
    page.get_by_role("link", name=SUBJECT).wait_for()
    reply_mail = next(m for m in mailoutbox if m.subject.startswith(f"[#{ticket.number}] Re:"))
    assert "we have issued the refund" in reply_mail.body

    ticket.refresh_from_db()
    services.ticket_reply_from_customer(ticket=ticket, body="Thank you! It arrived.")
    page.get_by_test_id("queue-mine").click()
    # Back on top, among the tickets whose customers wrote back (the demo has another).
    row = page.get_by_test_id("ticket-row").filter(has_text=SUBJECT)
    row.get_by_role("link", name=SUBJECT).wait_for()
    texts = page.get_by_test_id("ticket-row").all_inner_texts()
    place = next(i for i, text in enumerate(texts) if SUBJECT in text)
    assert all("New reply" in text for text in texts[: place + 1])
    assert "New reply" in row.inner_text()
    screenshot("workspace-customer-replied-back-on-top")
    ticket.refresh_from_db()
    assert ticket.status_type == "open"
    assert ticket.messages.filter(kind=Message.Kind.REPLY).count() == 1
