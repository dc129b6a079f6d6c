"""A manager opens a tech's page and reads today's sign-in and sign-out times, to the second,
in the manager's own time zone. The tech signs in and out through the real sign-in page in a
browser of their own, so the rows are the ones production writes."""

import zoneinfo
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import LoginEvent
from tests.factories import PASSWORD, DepartmentFactory, MembershipFactory, TechFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KYIV = zoneinfo.ZoneInfo("Europe/Kyiv")
FIREFOX_ON_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
# How wide the page and the two tables' scrolling boxes are, against the room they have.
WIDTHS = """() => {
  const box = (id) => document.querySelector(`[data-testid="${id}"]`).parentElement;
  return {
    page: document.scrollingElement.scrollWidth, viewport: window.innerWidth,
    sessions: box("sessions").scrollWidth, sessions_box: box("sessions").clientWidth,
    failures: box("failures").scrollWidth, failures_box: box("failures").clientWidth,
  };
}"""


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

    # On a tablet (768 px) the tables fit: nothing scrolls sideways, the page or the tables, even
    # with a session from a long IPv6 address that expired the day before.
    yesterday = signed_in.at - timedelta(days=1)
    expired = LoginEvent.objects.create(
        kind=LoginEvent.Kind.SIGN_IN,
        user=tech,
        at=yesterday,
        last_activity_at=yesterday + timedelta(hours=7),
        ip_address="2001:db8:85a3:1234:5678:8a2e:370:7334",
        user_agent=FIREFOX_ON_LINUX,
    )
    LoginEvent.objects.create(
        kind=LoginEvent.Kind.SESSION_EXPIRED,
        user=tech,
        at=yesterday + timedelta(hours=7),
        sign_in=expired,
    )
    page.set_viewport_size({"width": 768, "height": 1024})
    page.reload()
    assert page.get_by_test_id("session").count() == 2
    measured = page.evaluate(WIDTHS)
    assert measured["page"] <= measured["viewport"], measured
    assert measured["sessions"] <= measured["sessions_box"], measured
    assert measured["failures"] <= measured["failures_box"], measured
    # What a narrower table leaves out of its columns is still in the row.
    rows = page.get_by_test_id("session").all_inner_texts()
    assert any("2001:db8:85a3:1234:5678:8a2e:370:7334" in row for row in rows)
    assert any("Firefox" in row for row in rows)
    assert all("last active" in row.lower() for row in rows)
    page.locator("#tech-sign-ins").scroll_into_view_if_needed()
    screenshot("manager-reads-tech-sign-ins-768")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()

    # Another period without JavaScript's help is the same form; with htmx only the section moves.
    page.get_by_label("From", exact=True).fill("2026-01-01")
    page.get_by_label("To", exact=True).fill("2026-01-07")
    page.get_by_role("button", name="Show").click()
    page.get_by_test_id("sessions-empty").wait_for()
    assert "from=2026-01-01" in page.url
    assert page.get_by_test_id("tech-name").is_visible()
