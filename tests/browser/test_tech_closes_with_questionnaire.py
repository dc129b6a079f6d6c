"""A tech closes a case through the questionnaire dialog: the close is refused until the
required questions are answered, then the case closes and the answers show on the ticket."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from helpdesk.demo import DEMO_PASSWORD
from tickets.models import QuestionAnswer, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "Site is down for all our shops"


def test_tech_closes_a_case_through_the_questionnaire_dialog(live_server, page, screenshot):
    call_command("demo_data")
    ticket = Ticket.objects.get(subject=SUBJECT)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill("tech@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/desk/")

    page.goto(f"{live_server.url}/desk/t/{ticket.number}/")
    page.get_by_role("heading", name=SUBJECT).wait_for()
    questionnaire = page.get_by_test_id("questionnaire")
    assert "2 required questions to answer before closing." in questionnaire.inner_text()

    page.get_by_label("Status", exact=True).select_option(label="Closed")
    page.get_by_role("button", name="Change").click()
    dialog = page.get_by_role("dialog", name="Questionnaire before closing")
    expect(dialog).to_have_class(re.compile(r"\bshow\b"))
    expect(dialog.get_by_label("Which product was it about?")).to_be_visible()
    page.wait_for_timeout(400)  # Bootstrap's fade-in, for the picture
    screenshot("questionnaire-dialog")

    dialog.get_by_role("button", name="Close the case").click()
    expect(dialog.get_by_test_id("questionnaire-errors")).to_be_visible()
    expect(dialog.get_by_text("This field is required.").first).to_be_visible()
    screenshot("questionnaire-dialog-errors")
    ticket.refresh_from_db()
    assert not ticket.is_closed
    assert not QuestionAnswer.objects.filter(ticket=ticket).exists()

    dialog.get_by_label("Which product was it about?").select_option(label="Router X2")
    dialog.get_by_role("group", name="Was the problem solved?").get_by_label("Yes").check()
    dialog.get_by_label("Which partner sold it?").select_option(label="Kyiv Bakery")
    dialog.get_by_role("button", name="Close the case").click()

    page.get_by_text("The case is closed.").wait_for()
    answers = page.get_by_test_id("questionnaire")
    expect(answers).to_contain_text("Router X2")
    expect(answers).to_contain_text("Kyiv Bakery")
    expect(answers).to_contain_text("Was the problem solved?")
    expect(page.locator(".modal-backdrop")).to_have_count(0)
    screenshot("questionnaire-answers-on-closed-ticket")
    ticket.refresh_from_db()
    assert ticket.is_closed
    assert QuestionAnswer.objects.filter(ticket=ticket).count() == 3


def test_send_and_close_asks_the_questionnaire_and_sends_the_reply_with_the_answers(
    live_server, page, screenshot, mailoutbox
):
    call_command("demo_data")
    subject = "Printer shows error E-042 after the update"
    ticket = Ticket.objects.get(subject=subject)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill("tech@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/desk/")
    page.goto(f"{live_server.url}/desk/t/{ticket.number}/")
    page.get_by_role("heading", name=subject).wait_for()

    page.get_by_label("Your answer").fill("Firmware 3.1 fixes E-042; it installs itself tonight.")
    page.get_by_role("button", name="Send and close").click()
    dialog = page.get_by_role("dialog", name="Questionnaire before closing")
    expect(dialog).to_have_class(re.compile(r"\bshow\b"))
    assert not ticket.messages.filter(body__startswith="Firmware 3.1").exists()

    dialog.get_by_label("Which product was it about?").select_option(label="Printer P100")
    dialog.get_by_role("group", name="Was the problem solved?").get_by_label("No").check()
    dialog.get_by_role("button", name="Send and close").click()

    page.get_by_text("Reply sent and the ticket closed.").wait_for()
    expect(page.get_by_test_id("questionnaire")).to_contain_text("Printer P100")
    expect(page.locator(".thread")).to_contain_text("Firmware 3.1 fixes E-042")
    screenshot("questionnaire-reply-closed")
    ticket.refresh_from_db()
    assert ticket.is_closed
    assert QuestionAnswer.objects.filter(ticket=ticket).count() == 2
