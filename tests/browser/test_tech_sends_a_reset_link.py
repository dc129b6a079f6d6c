"""A tech on a customer's page sends the customer a password reset link: the button answers in
place (htmx), the mail goes through the outbox, the link in it works, and the customer's history
says who sent it."""

import pytest
from django.core import mail

from accounts.models import Customer, CustomerEmail
from tests.accounts.account_mail_support import LINK
from tests.factories import PASSWORD, MembershipFactory, TechFactory, UserFactory
from tests.mail.mails import mail as raw_mail
from tickets.mail.intake import inbound_receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/desk/")


def test_tech_sends_a_customer_a_password_reset_link(
    live_server, page, screenshot, settings, mailbox
):
    settings.SITE_URL = live_server.url
    tech = MembershipFactory(
        department=mailbox.department, user=TechFactory(email="tom@example.test")
    ).user
    carla = UserFactory(email="carla@example.org", full_name="Carla Customer")
    customer = Customer.objects.create(name="Carla Customer", user=carla)
    CustomerEmail.objects.create(customer=customer, email=carla.email, is_primary=True)
    inbound_receive(
        raw=raw_mail(sender="Carla <carla@example.org>", to=mailbox.email_address),
        channel="imap",
        mailbox=mailbox,
    )
    mail.outbox = []

    sign_in(page, live_server.url, tech.email)
    page.goto(f"{live_server.url}/desk/customers/{customer.pk}/")
    button = page.get_by_role("button", name="Send a password reset link")
    button.wait_for()
    screenshot("customer-page-reset-link")
    button.click()
    page.get_by_text("A password reset link is on its way to carla@example.org.").wait_for()
    assert page.url == f"{live_server.url}/desk/customers/{customer.pk}/"  # answered in place
    screenshot("customer-page-reset-link-sent")

    # The customer's history keeps who sent it: shown at once (htmx, out of band) and after
    # a reload.
    history = page.get_by_test_id("customer-history")
    history.get_by_text("Password reset link sent to carla@example.org").wait_for()
    assert page.url == f"{live_server.url}/desk/customers/{customer.pk}/"
    page.reload()
    assert "Password reset link sent to carla@example.org" in history.inner_text()
    assert tech.full_name in history.inner_text()
    history.scroll_into_view_if_needed()
    screenshot("customer-history-reset-link")

    sent = next(m for m in mail.outbox if m.to == ["carla@example.org"])
    assert sent.subject == "Your password reset link"
    assert LINK.search(sent.body)
