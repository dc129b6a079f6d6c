"""The Content-Security-Policy holds in a real browser: every main page, as each role, loads and
works (htmx swaps and polls, Bootstrap's collapse, the admin's scripts) without one violation
reported and without a script error."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from helpdesk.demo import DEMO_PASSWORD
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Recorded by the page itself: Playwright's init scripts run outside the policy.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, with every CSP violation and script error it reports collected in `problems`."""
    problems: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))

    def check(label: str):
        page.wait_for_load_state("load")
        problems.extend(f"{label}: {v}" for v in page.evaluate("window.__cspViolations || []"))
        assert problems == [], problems

    page.check_policy = check
    return page


def sign_in(page, base_url, email):
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")


def visit(page, url: str, label: str):
    response = page.goto(url)
    assert response.status == 200, (label, response.status)
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.check_policy(label)


def test_main_pages_of_every_role_run_under_the_policy(live_server, watched, screenshot):
    page, base = watched, live_server.url
    call_command("demo_data")
    ticket = Ticket.objects.filter(customer__user__email="customer@example.com").first()

    visit(page, f"{base}/support/", "help centre form")  # the only public form opens at once
    page.get_by_label("Your name").fill("Vera Visitor")
    page.get_by_label("Your email address").fill("vera@example.org")
    page.get_by_label("What is it about?").select_option(label="Problem with a product")
    page.get_by_label("Subject").fill("Printer stops with E-042")
    page.get_by_label("Message").fill("Since the update every job stops.")
    page.get_by_role("button", name="Send request").click()
    page.wait_for_url(f"{base}/support/submitted/")
    page.check_policy("web form submitted")
    screenshot("csp-web-form-submitted")
    visit(page, f"{base}/accounts/login/", "sign-in")

    sign_in(page, base, "tech@example.com")
    visit(page, f"{base}/desk/", "desk")
    visit(page, f"{base}/desk/t/{ticket.number}/", "ticket page")
    # The presence region polls (hx-trigger every 10 s) and swaps itself.
    with page.expect_response(lambda r: r.url.endswith("/presence/"), timeout=20_000):
        pass
    # The canned-response search swaps its list as the tech types; picking one fills the draft.
    page.get_by_test_id("response-picker").locator("summary").click()  # folded in the reply form
    page.get_by_label("Search canned responses").fill("greet")
    page.get_by_role("button", name="Greeting").click()
    expect(page.locator("#id_body")).not_to_have_value("")
    page.check_policy("ticket page with htmx")
    screenshot("csp-ticket-page")
    visit(page, f"{base}/accounts/preferences/", "preferences")

    sign_in(page, base, "manager@example.com")
    visit(page, f"{base}/manage/", "manager area")
    visit(page, f"{base}/reports/", "reports")
    visit(page, f"{base}/reports/sign-ins/", "sign-in history")
    page.get_by_test_id("period-last_month").click()  # htmx swaps the report
    page.wait_for_url("**period=last_month**")
    page.get_by_test_id("hours-per-day").wait_for()
    page.check_policy("sign-in history with htmx")

    sign_in(page, base, "customer@example.com")
    visit(page, f"{base}/my/", "customer area")
    visit(page, f"{base}/my/t/{ticket.number}/", "customer ticket")
    # Bootstrap's collapse animates the navigation on a narrow screen.
    page.set_viewport_size({"width": 400, "height": 800})
    page.get_by_role("button", name="Show navigation").click()
    page.locator("#main-nav.collapse.show").wait_for()  # the animation has run to its end
    page.get_by_role("button", name="Sign out").wait_for(state="visible")
    page.check_policy("navigation collapse")
    screenshot("csp-customer-narrow-navigation")
    page.set_viewport_size({"width": 1280, "height": 800})

    sign_in(page, base, "admin@example.com")
    visit(page, f"{base}/admin/", "admin")
    # Django's change list inlines a <style> when a model has no actions: every list is visited.
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        visit(page, f"{base}{url}", f"admin {url}")
    visit(page, f"{base}/admin/departments/mailbox/add/", "admin add form")
    screenshot("csp-admin")
