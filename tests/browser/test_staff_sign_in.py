import re

import pytest
from django.core.management import call_command

from accounts.models import LoginEvent
from helpdesk.demo import DEMO_PASSWORD
from tests.factories import PASSWORD, TechFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_tech_signs_in_and_sees_the_workspace(live_server, page, screenshot):
    call_command("demo_data")
    before = LoginEvent.objects.order_by("id").values_list("id", flat=True).last() or 0

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Sign in", exact=True).click()
    page.get_by_label("Email address").fill("tech@example.com")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    error = page.locator("#sign-in-error")
    assert "do not match an account" in error.inner_text()
    screenshot("sign-in-wrong-password")

    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(f"{live_server.url}/desk/")
    assert page.get_by_test_id("get-next").is_visible()
    assert "Tom Tech" in page.get_by_test_id("signed-in-as").inner_text()
    assert page.get_by_test_id("queue-mine").get_attribute("aria-current") == "page"
    assert page.get_by_test_id("ticket-row").count() >= 1
    screenshot("desk-after-sign-in")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert page.get_by_text("You have signed out.").is_visible()

    # This browser's events (the demo holds a week of sign-ins of its own).
    kinds = list(
        LoginEvent.objects.filter(pk__gt=before).order_by("id").values_list("kind", flat=True)
    )
    assert kinds == ["sign_in_failed", "sign_in", "sign_out"]


def test_a_throttled_sign_in_says_how_long_to_wait(live_server, page, screenshot, settings):
    settings.SIGN_IN_FAILURES_PER_ACCOUNT = "3/15m"
    tech = TechFactory(full_name="Tom Tech")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(tech.email)
    for _ in range(3):
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        assert "do not match an account" in page.locator("#sign-in-error").inner_text()

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    error = page.locator("#sign-in-error").inner_text()
    assert re.search(r"Too many failed sign-ins\. Wait \d+ minutes? and try again\.", error)
    assert page.url == f"{live_server.url}/accounts/login/"
    screenshot("sign-in-throttled")
    assert LoginEvent.objects.order_by("id").last().kind == "sign_in_throttled"
