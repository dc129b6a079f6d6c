import pytest
from django.core.management import call_command

from accounts.models import LoginEvent
from helpdesk.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_tech_signs_in_and_sees_the_workspace(live_server, page, screenshot):
    call_command("demo_data")

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

    kinds = list(LoginEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["sign_in_failed", "sign_in", "sign_out"]
