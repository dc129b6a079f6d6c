"""A customer who forgot their password: "Forgot your password?" on the sign-in page, the mail
from the outbox, a new password, signed in on their tickets; the used link refuses a second use."""

import re

import pytest
from django.core import mail

from tests.accounts.account_mail_support import LINK
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "violet-harbour-lantern-93"
FIRST = re.compile(r"^New password(?! confirmation)")


def test_customer_resets_a_forgotten_password_from_the_sign_in_page(
    live_server, page, screenshot, settings
):
    settings.SITE_URL = live_server.url
    UserFactory(email="carla@example.org", full_name="Carla Customer")
    mail.outbox = []

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_role("heading", name="Forgot your password?").wait_for()
    page.get_by_label("Email address").fill("carla@example.org")
    screenshot("password-reset-asked")
    page.get_by_role("button", name="Mail me a link").click()
    page.get_by_test_id("password-reset-sent").wait_for()
    screenshot("password-reset-sent")

    sent = next(m for m in mail.outbox if m.to == ["carla@example.org"])
    assert sent.subject == "Your password reset link"
    link = LINK.search(sent.body).group(0)

    page.goto(link)
    page.get_by_role("heading", name="Choose a new password").wait_for()
    page.get_by_label(FIRST).fill("12345678")
    page.get_by_label("New password confirmation").fill("12345678")
    page.get_by_role("button", name="Set my new password").click()
    page.get_by_text("This password is too common.").wait_for()
    screenshot("password-reset-weak-refused")

    page.get_by_label(FIRST).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my new password").click()
    page.wait_for_url(f"{live_server.url}/my/")
    page.get_by_text("Your new password is set, and you are signed in.").wait_for()
    assert "Carla Customer" in page.get_by_test_id("signed-in-as").inner_text()
    screenshot("password-reset-signed-in")

    page.get_by_role("button", name="Sign out").click()
    page.goto(link)
    page.get_by_test_id("reset-link-invalid").wait_for()
    screenshot("password-reset-link-used")

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill("carla@example.org")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/my/")
