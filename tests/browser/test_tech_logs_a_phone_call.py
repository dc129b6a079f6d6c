"""A tech logs a phone call on a ticket: the form on the ticket page (htmx), the card that
appears in the thread, and the customer's own page that never shows it."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from helpdesk.demo import DEMO_PASSWORD
from tickets.models import Message, PhoneCall, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "Printer shows error E-042 after the update"
AGREED = "Carla sends a photo of the display; we ship a new drum unit on Monday."


def sign_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_tech_logs_a_reached_call_with_a_call_back_and_the_customer_never_sees_it(
    live_server, page, screenshot
):
    call_command("demo_data")
    ticket = Ticket.objects.get(subject=SUBJECT)
    sign_in(page, live_server, "tech@example.com")
    page.wait_for_url(f"{live_server.url}/desk/")

    page.goto(f"{live_server.url}/desk/t/{ticket.number}/")
    form = page.get_by_test_id("call-form")
    assert not form.is_visible()  # folded until wanted: the side column stays short
    page.locator("#call-log summary").click()
    form.get_by_label("Outgoing").check()
    form.get_by_label("Reached the customer").check()
    form.get_by_label("Duration (minutes)").fill("8")
    form.get_by_label("What was agreed").fill(AGREED)
    tomorrow = timezone.localtime(timezone.now() + timedelta(days=1))
    form.get_by_label("Remind me to call back at").fill(tomorrow.strftime("%Y-%m-%dT10:00"))
    screenshot("call-log-form-filled")
    form.get_by_role("button", name="Log the call").click()

    page.get_by_test_id("call-logged").wait_for()
    card = page.locator(".message-card.message-phone_call").filter(has_text=AGREED)
    card.wait_for()
    assert "Outgoing call" in card.inner_text()
    assert "8 minutes" in card.inner_text()
    assert "Reached" in card.inner_text()
    assert "Call back at" in card.inner_text()
    # The form is fresh again, ready for the next call.
    assert page.get_by_test_id("call-form").get_by_label("What was agreed").input_value() == ""
    card.scroll_into_view_if_needed()
    screenshot("call-log-card-in-thread")

    call = PhoneCall.objects.get(message__body=AGREED)
    assert call.reached and call.duration_minutes == 8 and call.callback_at is not None
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None
    assert call.message.kind == Message.Kind.PHONE_CALL

    page.goto(f"{live_server.url}/accounts/logout/")
    page.context.clear_cookies()
    sign_in(page, live_server, "customer@example.com")
    page.goto(f"{live_server.url}/my/t/{ticket.number}/")
    page.get_by_role("heading", name=SUBJECT).wait_for()
    assert AGREED not in page.content()
    assert "Phone call" not in page.content()
    screenshot("call-log-customer-page-without-the-call")
