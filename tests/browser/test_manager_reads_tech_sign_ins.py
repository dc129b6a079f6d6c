"""A manager opens a tech's page and reads today's sign-in and sign-out times, to the second,
in the manager's own time zone. The tech signs in and out through the real sign-in page in a
browser of their own, so the rows are the ones production writes."""

import zoneinfo

import pytest
from django.utils import timezone

from accounts.models import LoginEvent
from tests.factories import PASSWORD, DepartmentFactory, MembershipFactory, TechFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KYIV = zoneinfo.ZoneInfo("Europe/Kyiv")


def sign_in(page, base, email, password):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_manager_sees_todays_sign_in_and_sign_out_of_a_tech(live_server, browser, page, screenshot):
    support = DepartmentFactory(name="Technical support")
    tech = TechFactory(full_name="Tom Tech", email="tom@example.com")
    MembershipFactory(user=tech, department=support, retrieval_priority=2)
    manager = TechFactory(
        full_name="Maria Manager", email="maria@example.com", time_zone="Europe/Kyiv"
    )
    MembershipFactory(user=manager, department=support, is_manager=True)

    tech_browser = browser.new_context(locale="en-GB")
    tech_page = tech_browser.new_page()
    sign_in(tech_page, live_server.url, tech.email, "not the password")
    tech_page.locator("#sign-in-error").wait_for()
    sign_in(tech_page, live_server.url, tech.email, PASSWORD)
    tech_page.wait_for_url(f"{live_server.url}/desk/")
    tech_page.get_by_role("button", name="Sign out").click()
    tech_page.wait_for_url(f"{live_server.url}/accounts/login/")
    tech_browser.close()

    sign_in(page, live_server.url, manager.email, PASSWORD)
    page.wait_for_url(f"{live_server.url}/manage/")
    page.goto(f"{live_server.url}/manage/techs/{tech.pk}/")
    page.get_by_test_id("tech-name").wait_for()

    signed_in = LoginEvent.objects.get(user=tech, kind=LoginEvent.Kind.SIGN_IN)
    signed_out = LoginEvent.objects.get(sign_in=signed_in, kind=LoginEvent.Kind.SIGN_OUT)
    session = page.get_by_test_id("session")
    assert session.count() == 1
    row = session.inner_text()
    for moment in (signed_in.at, signed_out.at):
        assert timezone.localtime(moment, KYIV).strftime("%H:%M:%S") in row
    assert "Signed out" in row
    assert "Chrome (headless)" in row
    failure = page.get_by_test_id("failure")
    assert failure.count() == 1 and "Failed sign-in" in failure.inner_text()
    assert "Times in Europe/Kyiv" in page.inner_text("#tech-sign-ins")
    screenshot("manager-reads-tech-sign-ins")

    # Another period without JavaScript's help is the same form; with htmx only the section moves.
    page.get_by_label("From", exact=True).fill("2026-01-01")
    page.get_by_label("To", exact=True).fill("2026-01-07")
    page.get_by_role("button", name="Show").click()
    page.get_by_test_id("sessions-empty").wait_for()
    assert "from=2026-01-01" in page.url
    assert page.get_by_test_id("tech-name").is_visible()
