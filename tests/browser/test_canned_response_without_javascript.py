"""A tech without JavaScript inserts a canned response into a long draft: the ticket page comes
back with the draft and the response in the reply box, and the draft is in no URL."""

import pytest

from responses.models import CannedResponse
from tests.browser.conftest import SCREENSHOTS
from tests.factories import (
    PASSWORD,
    DepartmentFactory,
    MembershipFactory,
    TechFactory,
    WebFormFactory,
)
from tickets import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page_without_javascript(browser):
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="en-GB", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_canned_response_joins_a_40_kb_draft_without_javascript(
    live_server, page_without_javascript
):
    page = page_without_javascript
    department = DepartmentFactory(name="Technical support")
    tech = TechFactory(full_name="Tom Tech")
    MembershipFactory(user=tech, department=department)
    ticket = services.ticket_submit_from_web(
        form=WebFormFactory(default_department=department),
        name="Vera Visitor",
        email="vera@example.org",
        subject="Printer shows E-042",
        body="It stopped after the update.",
        category=None,
        priority=2,
    )
    CannedResponse.objects.create(title="Sign-off", body="Kind regards, {{ tech_name }}")
    draft = "".join(f"Line {index:05} of a long investigation.\n" for index in range(1150))
    urls = []
    page.on("request", lambda request: urls.append(request.url))

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(tech.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/desk/t/{ticket.number}/")
    # Typing 40 KB into a textarea takes a while on a loaded machine.
    page.locator("#id_body").fill(draft, timeout=90_000)
    page.get_by_text("Canned responses", exact=True).click()
    page.get_by_role("button", name="Sign-off").click()
    page.wait_for_url(f"**/desk/t/{ticket.number}/reply/insert/**")

    body = page.locator("#id_body").input_value()
    assert body == f"{draft.rstrip()}\n\nKind regards, Tom Tech"
    assert not any("Line 0" in url for url in urls)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(SCREENSHOTS / "reply-with-canned-response-without-javascript.png"), full_page=True
    )
