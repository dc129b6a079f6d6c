"""A visitor signs up from the help centre (CUSTOMER_SIGNUP on): the form with Django's password
rules, the mail from the outbox, the confirmation link, signed in on their tickets."""

import re

import pytest
from django.core import mail

from accounts.models import User
from tests.accounts.account_mail_support import LINK

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "violet-harbour-lantern-93"


def test_visitor_signs_up_confirms_the_address_and_is_signed_in(
    live_server, page, screenshot, settings
):
    settings.SITE_URL = live_server.url
    settings.CUSTOMER_SIGNUP = True
    mail.outbox = []

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_test_id("sign-up-link").click()
    page.get_by_role("heading", name="Sign up").wait_for()
    page.get_by_label("Your name").fill("Nina New")
    page.get_by_label("Email address").fill("nina@example.org")
    page.get_by_label(re.compile(r"^Password(?! again)")).fill("12345678")
    page.get_by_label("Password again").fill("12345678")
    page.get_by_role("button", name="Sign up").click()
    page.get_by_text("This password is too common.").wait_for()
    screenshot("signup-weak-password")

    page.get_by_label(re.compile(r"^Password(?! again)")).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.get_by_test_id("signup-sent").wait_for()
    screenshot("signup-sent")
    assert not User.objects.get(email="nina@example.org").is_active

    sent = next(m for m in mail.outbox if m.to == ["nina@example.org"])
    page.goto(LINK.search(sent.body).group(0))
    screenshot("signup-confirm")
    page.get_by_role("button", name="Open my account").click()
    page.wait_for_url(f"{live_server.url}/my/")
    page.get_by_text("Your address is confirmed and your account is open.").wait_for()
    assert "Nina New" in page.get_by_test_id("signed-in-as").inner_text()
    screenshot("signup-signed-in")
