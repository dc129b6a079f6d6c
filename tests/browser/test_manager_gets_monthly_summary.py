"""A manager asks for the monthly summary on her preferences page; on her 1st the beat writes it
and the outbox mails it; its numbers are last month's report's, and its link opens that report."""

import html
import re
import zoneinfo
from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from reports.monthly_summary import monthly_summaries_send
from tests.factories import PASSWORD, DepartmentFactory, MembershipFactory, TechFactory
from tickets import services, workflow
from tickets.models import Source, StatusType

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KYIV = zoneinfo.ZoneInfo("Europe/Kyiv")


def closed_case(*, tech, department, opened_at, closed_after: timedelta, n: int) -> None:
    with time_machine.travel(opened_at, tick=False):
        ticket = services.ticket_create_for_customer(
            staff=tech,
            email=f"customer{n}@example.org",
            name="Carla Customer",
            phone="",
            subject=f"Printer {n}",
            body="It is broken.",
            category=None,
            department=department,
            priority=2,
            source=Source.PHONE,
            assign_to_me=True,
            send_confirmation=False,
        )
    with time_machine.travel(opened_at + closed_after, tick=False):
        workflow.ticket_reply(
            ticket=ticket,
            tech=tech,
            body="Fixed.",
            internal=False,
            then_status=StatusType.CLOSED,
        )


def test_manager_asks_for_the_summary_and_reads_it_then_the_report(
    live_server, page, screenshot, mailoutbox, settings
):
    settings.SITE_URL = live_server.url  # the mail's links lead to this server
    support = DepartmentFactory(
        name="Technical support",
        response_time_limit=timedelta(hours=2),
        resolution_time_limit=timedelta(hours=8),
    )
    tom = TechFactory(full_name="Tom Tech", email="tom@example.com")
    MembershipFactory(user=tom, department=support)
    maria = TechFactory(
        full_name="Maria Manager", email="maria@example.com", time_zone="Europe/Kyiv"
    )
    MembershipFactory(user=maria, department=support, is_manager=True)
    this_month = timezone.localdate(timezone=KYIV).replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    month_before = (last_month - timedelta(days=1)).replace(day=1)
    for n, (month, hours) in enumerate(
        [(last_month, 1), (last_month, 3), (last_month, 12), (month_before, 2)]
    ):
        opened_at = datetime(month.year, month.month, 10, 9, tzinfo=KYIV)
        closed_case(
            tech=tom,
            department=support,
            opened_at=opened_at,
            closed_after=timedelta(hours=hours),
            n=n,
        )

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(maria.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/manage/$"))
    page.goto(f"{live_server.url}/accounts/preferences/")
    summary = page.get_by_label("Send me a monthly summary by email")
    assert not summary.is_checked()
    summary.check()
    page.get_by_role("button", name="Save preferences").click()
    page.get_by_text("Your preferences are saved.").wait_for()
    assert page.get_by_label("Send me a monthly summary by email").is_checked()
    screenshot("manager-asks-for-monthly-summary")

    # The beat's run on her 1st (06:10 UTC is 08:10 or 09:10 in Kyiv); the outbox sends it.
    first = datetime(this_month.year, this_month.month, 1, 6, 10, tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert monthly_summaries_send(now=first) == 1
    (mail,) = [mail for mail in mailoutbox if mail.to == [maria.email]]
    assert "- Cases closed: 3 — ↑ 2 more (" in mail.body
    assert "- Closed past deadline: 1 — ↑ 1 more (" in mail.body
    page.set_content(
        f"<main><h1>{html.escape(mail.subject)}</h1><pre>{html.escape(mail.body)}</pre></main>"
    )
    screenshot("monthly-summary-mail")

    link = re.search(r"^(http\S+/reports/\S+)$", mail.body, re.MULTILINE).group(1)
    assert link == f"{live_server.url}/reports/?period=last_month"
    page.goto(link)
    page.get_by_test_id("report-period").wait_for()
    assert "Last month" in page.get_by_test_id("report-period").inner_text()
    tiles = page.locator("#key-figures + dl").inner_text()
    assert re.search(r"Cases closed\s+3", tiles)
    screenshot("report-from-the-summary-link")
