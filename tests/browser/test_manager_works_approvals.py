"""A manager works the approvals queue: rejects one held reply with a reason and approves
another after editing it; the trainee then reads the reason on their ticket."""

import pytest
from django.core.management import call_command

from helpdesk.demo import DEMO_PASSWORD, TRAINEE_PHONE_TICKET
from helpdesk.demo_approvals import HELD_SUBJECT
from tickets.models import Message, OutboundEmail, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Ask which cartridge model they use before suggesting anything."
EDITED = "Please hold the reset button for 30 seconds, until every light turns white."


def sign_in(page, base, email):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_manager_rejects_one_held_reply_and_edits_then_approves_another(
    live_server, page, screenshot, mailoutbox
):
    call_command("demo_data")
    rejected_ticket = Ticket.objects.get(subject=HELD_SUBJECT)
    edited_ticket = Ticket.objects.get(subject=TRAINEE_PHONE_TICKET)
    base = live_server.url

    sign_in(page, base, "manager@example.com")
    page.goto(f"{base}/desk/?queue=team")
    badges = page.get_by_test_id("held-reply-badge")
    badges.first.wait_for()
    assert badges.count() == 2 and "Reply awaiting approval" in badges.first.inner_text()
    screenshot("desk-rows-with-held-replies")

    page.goto(f"{base}/manage/approvals/")
    page.get_by_role("heading", name="Approvals", exact=True).wait_for()
    assert page.get_by_test_id("held-reply").count() >= 2
    screenshot("approvals-queue")

    row = page.get_by_test_id("held-reply").filter(has_text=HELD_SUBJECT)
    row.get_by_text("Reject", exact=True).click()
    row.get_by_label("Reason (the trainee reads it)").fill(REASON)
    screenshot("approvals-rejecting")
    row.get_by_role("button", name="Reject the reply").click()
    page.get_by_test_id("decided").filter(has_text="rejected").wait_for()

    row = page.get_by_test_id("held-reply").filter(has_text=TRAINEE_PHONE_TICKET)
    row.get_by_text("Edit, then send", exact=True).click()
    row.get_by_label("The text the customer gets").fill(EDITED)
    row.get_by_role("button", name="Send the edited reply").click()
    page.get_by_test_id("decided").filter(has_text="edited, approved and sent").wait_for()
    screenshot("approvals-decided")

    rejected = Message.objects.get(ticket=rejected_ticket, rejected_at__isnull=False)
    assert rejected.rejection_reason == REASON and rejected.kind == "note"
    assert not OutboundEmail.objects.filter(message=rejected).exists()
    approved = Message.objects.get(ticket=edited_ticket, kind="reply")
    assert approved.body == EDITED and not approved.awaiting_approval

    # Staff are told of held and decided replies by mail too; count what reached customers.
    def to_customer(mail, ticket):
        customer = set(ticket.customer.emails.values_list("email", flat=True))
        return mail.subject.startswith(ticket.tag) and set(mail.to) & customer

    replies = [m for m in mailoutbox if to_customer(m, edited_ticket)]
    assert len(replies) == 1 and EDITED in replies[0].body
    assert not [m for m in mailoutbox if to_customer(m, rejected_ticket)]

    sign_in(page, base, "trainee@example.com")
    page.goto(f"{base}/desk/t/{rejected_ticket.number}/")
    rejection = page.get_by_test_id("rejection")
    rejection.wait_for()
    assert f"Rejected by Maria Manager: {REASON}" in rejection.inner_text()
    rejection.scroll_into_view_if_needed()
    screenshot("trainee-reads-the-rejection")

    page.goto(f"{base}/desk/t/{edited_ticket.number}/")
    page.get_by_test_id("edited-draft").wait_for()
    screenshot("trainee-sees-the-edit")
