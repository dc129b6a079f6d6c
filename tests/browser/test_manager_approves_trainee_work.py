import pytest
from django.core.management import call_command

from helpdesk.demo import DEMO_PASSWORD, TRAINEE_PHONE_TICKET
from tickets.models import OutboundEmail, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_approves_a_trainees_held_confirmation_and_reply(
    live_server, page, screenshot, mailoutbox
):
    call_command("demo_data")
    ticket = Ticket.objects.get(subject=TRAINEE_PHONE_TICKET)
    customer = set(ticket.customer.emails.values_list("email", flat=True))

    def to_customer(m):  # staff are notified of the held work by mail too
        return m.subject.startswith(ticket.tag) and set(m.to) & customer

    assert not [m for m in mailoutbox if to_customer(m)]

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill("manager@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/manage/")

    page.goto(f"{live_server.url}/desk/t/{ticket.number}/")
    page.get_by_role("heading", name=TRAINEE_PHONE_TICKET).wait_for()
    held = page.get_by_test_id("held-mail")
    assert "confirmation mail to the customer waits" in held.inner_text()
    screenshot("manager-sees-trainee-work-held")

    held.get_by_role("button", name="Approve and send").click()
    page.get_by_text("Mail approved; it is on its way.").wait_for()
    assert page.get_by_test_id("held-mail").count() == 0
    page.get_by_role("button", name="Approve and send").click()  # the held reply
    page.get_by_text("Reply approved and sent.").wait_for()
    screenshot("manager-approved-trainee-work")

    sent = sorted(m.subject for m in mailoutbox if to_customer(m))
    assert len(sent) == 2
    assert any("We received your request" in subject for subject in sent)
    assert not OutboundEmail.objects.filter(
        ticket=ticket, status=OutboundEmail.Status.AWAITING_APPROVAL
    ).exists()
