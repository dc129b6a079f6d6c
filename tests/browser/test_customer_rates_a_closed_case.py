"""A customer rates a closed case from the survey mail: a tech closes it, the survey goes out
(rendered and sent as the outbox sends it), the customer's click opens the rating page, which
records the mark at once; they add a comment, and the tech sees both on the ticket. Without
JavaScript the same link needs one button press."""

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.factories import PASSWORD
from tests.tickets.conftest import category, public_form, submit
from tests.tickets.satisfaction_support import (
    NOT_COMPLETE,
    SATISFIES,
    close,
    marks,
    rate_url,
    rating_links,
    survey_send,
)
from tickets.models import Activity, Message, SatisfactionRating

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["category", "marks", "public_form", "submit"]  # fixtures


def link_of(mail, ticket, mark, base_url) -> str:
    """The mail's link for this mark, on the live server instead of SITE_URL."""
    path = rate_url(ticket, mark)
    assert path in rating_links(mail)
    return f"{base_url}{path}"


@pytest.fixture
def page_without_javascript(browser):
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="en-GB", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_a_customer_rates_a_closed_case_from_the_mail(
    live_server,
    page,
    screenshot,
    marks,
    submit,
    tech,
    mailoutbox,
):
    ticket = close(submit(subject="Printer shows E-042 after the update"), tech)
    survey = survey_send(mailoutbox, ticket)
    assert survey.subject == f"{ticket.tag} How did we do? {ticket.subject}"

    page.goto(link_of(survey, ticket, marks[NOT_COMPLETE], live_server.url))

    card = page.get_by_test_id("rating-card")
    card.get_by_text("Thank you — your rating is recorded.").wait_for()
    page.wait_for_url(f"{live_server.url}{rate_url(ticket)}")  # reloading sends nothing again
    assert card.get_by_label(NOT_COMPLETE).is_checked()
    rating = SatisfactionRating.objects.get(ticket=ticket)
    assert rating.mark_id == marks[NOT_COMPLETE].pk
    screenshot("customer-rating-recorded-from-mail")

    card.get_by_label("Comment (optional)").fill("Step 3 of the instructions did not work.")
    card.get_by_role("button", name="Save changes").click()
    card.get_by_test_id("rating-comment").wait_for()
    assert "Step 3 of the instructions did not work." in card.inner_text()
    assert SatisfactionRating.objects.filter(ticket=ticket).count() == 1
    screenshot("customer-rating-with-comment")

    page.get_by_role("link", name="Back to your request").click()
    ticket_card = page.get_by_test_id("rating-card")
    assert "Not complete enough" in ticket_card.get_by_test_id("rating-current").inner_text()
    assert ticket_card.get_by_label("Comment (optional)").input_value() == (
        "Step 3 of the instructions did not work."
    )
    assert page.get_by_text("Customer rated").count() == 0  # the thread's line is for staff
    screenshot("customer-ticket-page-with-rating")

    page.get_by_role("link", name="Satisfaction surveys by email: turn them off or on").click()
    page.get_by_role("button", name="Do not send me satisfaction surveys").click()
    page.get_by_role("button", name="Send me satisfaction surveys again").wait_for()
    ticket.customer.refresh_from_db()
    assert ticket.customer.survey_opt_out
    screenshot("customer-survey-opt-out")
    assert Message.objects.filter(ticket=ticket, activity=Activity.POOR_RATING).count() == 1

    staff = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    desk = staff.new_page()
    desk.goto(f"{live_server.url}/accounts/login/")
    desk.get_by_label("Email address").fill(tech.email)
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Sign in").click()
    desk.wait_for_url(f"{live_server.url}/desk/")
    desk.goto(f"{live_server.url}/desk/t/{ticket.number}/")
    panel = desk.get_by_test_id("satisfaction-panel")
    assert NOT_COMPLETE in panel.inner_text()
    assert "Step 3 of the instructions did not work." in panel.inner_text()
    desk.locator(".thread-event", has_text="Customer rated: Not complete enough").wait_for()
    desk.screenshot(path=str(SCREENSHOTS / "desk-ticket-satisfaction-panel.png"), full_page=True)
    staff.close()


def test_without_javascript_the_link_needs_one_button_press(
    live_server,
    page_without_javascript,
    marks,
    submit,
    tech,
    mailoutbox,
):
    page = page_without_javascript
    ticket = close(submit(), tech)
    survey = survey_send(mailoutbox, ticket)

    page.goto(link_of(survey, ticket, marks[SATISFIES], live_server.url))

    assert not SatisfactionRating.objects.exists()  # opening the link records nothing
    assert page.get_by_label(SATISFIES).is_checked()
    page.get_by_role("button", name="Send my rating").click()
    page.get_by_text("Thank you — your rating is recorded.").wait_for()
    assert SatisfactionRating.objects.get(ticket=ticket).mark_id == marks[SATISFIES].pk
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(SCREENSHOTS / "customer-rating-without-javascript.png"), full_page=True
    )
