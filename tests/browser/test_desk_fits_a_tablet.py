"""The dense ticket lists on a tablet (768 and 800 px), a laptop (1280 px) and a laptop at 200%
zoom (683 CSS px at twice the pixels): every row's SLA cell is in view (not cut off, no sideways
scrolling), even in the team queue where owners carry absence badges and rows carry "Reply
awaiting approval"; subjects read on a line or two, never a word per line; the hidden columns'
information is on the subject's second line."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Absence, User
from helpdesk.demo import DEMO_PASSWORD
from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base_url, email):
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")


def assert_sla_cells_in_view(page, width):
    rows = page.get_by_test_id("ticket-row")
    assert rows.count() > 0
    wrapper = page.locator(".table-responsive").filter(has=rows.first)
    frame = wrapper.bounding_box()
    for index in range(rows.count()):
        sla = rows.nth(index).get_by_test_id("sla").bounding_box()
        assert sla is not None and sla["width"] > 0, index
        right = sla["x"] + sla["width"]
        assert right <= width, (index, right)
        assert right <= frame["x"] + frame["width"] + 0.5, (index, right, frame)
    # Nothing hides behind a sideways scroll bar.
    assert wrapper.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    assert_subjects_read_in_lines(page)


def assert_subjects_read_in_lines(page):
    """A subject of ordinary length (the demo's are under 70 characters) takes at most three
    lines: squeezed columns wrap it a word per line."""
    lines = page.locator(".ticket-subject > a").evaluate_all(
        """links => links.map(link => {
            return [link.textContent.trim(), link.getClientRects().length];
        })"""
    )
    assert lines
    for subject, count in lines:
        assert len(subject) < 80, subject
        assert count <= 3, (subject, count)


@pytest.mark.parametrize(
    ("width", "scale"),
    [(683, 2), (768, 1), (800, 1), (1280, 1)],
    ids=["zoom-200-percent", "tablet-768", "tablet-800", "laptop-1280"],
)
def test_the_sla_column_stays_in_view_on_a_tablet_and_a_laptop(live_server, browser, width, scale):
    """683 at scale 2 is a 1366-pixel laptop at 200% zoom: the page gets 683 CSS pixels."""
    call_command("demo_data")
    # The trainee (two held replies in the team queue) became absent after the hand-over
    # ran, so the team queue shows the absence badge beside the trainee's name.
    trainee = User.objects.get(email="trainee@example.com")
    now = timezone.now()
    Absence.objects.create(
        tech=trainee, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=2)
    )
    context = browser.new_context(
        viewport={"width": width, "height": 900}, device_scale_factor=scale, locale="en-GB"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = f"{width}-zoom-200" if scale == 2 else str(width)

    def screenshot(prefix):
        page.screenshot(path=str(SCREENSHOTS / f"{prefix}-{name}.png"), full_page=True)

    sign_in(page, live_server.url, "manager@example.com")
    page.goto(f"{live_server.url}/desk/?queue=team")
    assert page.get_by_test_id("held-reply-badge").count() >= 1
    assert page.get_by_test_id("absent-badge").first.is_visible()
    assert_sla_cells_in_view(page, width)
    first = page.get_by_test_id("ticket-row").first
    if width < 992:
        # Number and customer are no columns here: they stand under the subject.
        assert not page.get_by_role("columnheader", name="Customer").is_visible()
        meta = first.locator(".ticket-row-meta")
        assert meta.is_visible() and "#" in meta.inner_text()
    else:
        assert page.get_by_role("columnheader", name="Customer").is_visible()
    screenshot("desk-team-queue")

    tech = User.objects.get(email="tech@example.com")
    page.goto(f"{live_server.url}/manage/techs/{tech.pk}/")
    assert_sla_cells_in_view(page, width)
    screenshot("tech-detail-pool")

    sign_in(page, live_server.url, "tech@example.com")
    for queue in ("mine", "general"):
        page.goto(f"{live_server.url}/desk/?queue={queue}")
        assert_sla_cells_in_view(page, width)
    screenshot("desk-general-pool")
    context.close()
