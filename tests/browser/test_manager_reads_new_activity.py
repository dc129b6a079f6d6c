import pytest
from django.core.management import call_command

from accounts.models import User
from helpdesk.demo import DEMO_PASSWORD
from helpdesk.demo_activity import OVERDUE, TRANSFERRED
from tickets.models import Message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_opens_the_board_reads_new_activity_and_marks_it_seen(
    live_server, page, screenshot
):
    call_command("demo_data")

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill("manager@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/manage/")

    support = page.get_by_role("region", name="Technical support")
    assert support.get_by_test_id("count-overdue").inner_text() == "1"
    assert support.get_by_test_id("count-at-risk").inner_text() == "1"
    assert OVERDUE in support.get_by_test_id("oldest-waiting").inner_text()
    # Absences on the board: Alex away now, Tom standing in, Terry away later.
    assert "Substitute for Alex Away" in support.inner_text()
    assert "Away from" in support.get_by_test_id("absence-ahead-badge").inner_text()
    new = page.get_by_test_id("board-new-activity")
    assert "new" in new.inner_text() and not new.inner_text().strip().endswith("0 new")
    screenshot("manager-board")

    new.click()
    page.wait_for_url(f"{live_server.url}/manage/activity/")
    rows = page.get_by_test_id("activity-row")
    assert page.get_by_test_id("activity-new").count() >= 4
    assert TRANSFERRED in rows.first.inner_text() or TRANSFERRED in page.content()
    screenshot("manager-activity-new")

    page.get_by_label("Kind").select_option("transferred")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**kind=transferred**")
    # (The details stand twice in a row, one copy per screen width; the hidden one comes first.)
    page.get_by_text("general pool of Billing").filter(visible=True).first.wait_for()
    assert all(
        row.get_attribute("data-activity") == "transferred"
        for row in page.get_by_test_id("activity-row").all()
    )
    screenshot("manager-activity-transfers")

    page.goto(f"{live_server.url}/manage/activity/")
    # A hand-over at Alex's absence was nobody's doing by hand: the feed says so.
    assert "Automatic (Alex Away's absence)" in page.inner_text("body")
    # Opened from the feed, the ticket leads back to it.
    page.get_by_test_id("activity-row").first.get_by_role("link").click()
    page.get_by_test_id("back-link").click()
    page.wait_for_url(f"{live_server.url}/manage/activity/")
    page.get_by_test_id("mark-all-seen").click()
    page.get_by_text("Everything shown is marked seen.").wait_for()
    assert page.get_by_test_id("activity-new").count() == 0
    assert page.get_by_test_id("mark-all-seen").count() == 0
    assert page.get_by_test_id("nothing-new").is_visible()
    screenshot("manager-activity-seen")

    manager = User.objects.get(email="manager@example.com")
    assert manager.activity_seen_up_to == Message.objects.exclude(activity="").latest("id").pk
    page.goto(f"{live_server.url}/manage/")
    assert page.get_by_test_id("board-new-activity").inner_text().strip().endswith("0 new")
