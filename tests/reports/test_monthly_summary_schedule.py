"""When the monthly summary goes out: on each manager's own 1st (their zone, else the
helpdesk's default), made up for a few days after a missed 1st, for their calendar month; the
beat that runs it daily.

Fixtures (run, maria, september, october, billing_october): tests/reports/summary_support.py."""

from datetime import datetime, timedelta

import pytest
from django.conf import settings

from reports.monthly_summary import (
    CATCH_UP_DAYS,
)
from tests.factories import MembershipFactory, TechFactory
from tests.reports.report_support import UTC
from tests.reports.summary_support import (
    BEAT,
    NOVEMBER_FIRST,
    body_of,
    line,
    mails_to,
    opted_in,
    utc,
)
from tickets.models import OutboundEmail

pytestmark = pytest.mark.django_db


def test_kyiv_and_new_york_each_get_it_on_their_own_first_day(run, support, mailoutbox):
    kyiv = opted_in(TechFactory(full_name="Kateryna Kyiv"), zone="Europe/Kyiv")
    new_york = opted_in(TechFactory(full_name="Nina New York"), zone="America/New_York")
    for manager in (kyiv, new_york):
        MembershipFactory(user=manager, department=support, is_manager=True)

    # 31 October 22:30 UTC: already 1 November 00:30 in Kyiv, still 31 October in New York.
    assert run(utc(2026, 10, 31, 22, 30)) == 1
    assert [mail.to for mail in mailoutbox] == [[kyiv.email]]
    assert mailoutbox[0].subject.startswith("Helpdesk summary for October 2026")
    # 1 November 04:30 UTC: 00:30 in New York (EDT ends that night at 06:00 UTC).
    assert run(utc(2026, 11, 1, 4, 30)) == 1
    assert [mail.to for mail in mailoutbox][1:] == [[new_york.email]]
    assert "October 2026" in mailoutbox[1].subject


def test_the_daily_beat_reaches_each_zone_on_its_local_first(run, support, mailoutbox):
    """At 06:10 UTC it is already the 1st in Kyiv and New York, still the 31st in Los Angeles:
    Los Angeles gets its summary from the next day's run, on its own 1st."""
    managers = {}
    for zone in ("Europe/Kyiv", "America/New_York", "America/Los_Angeles"):
        managers[zone] = opted_in(TechFactory(full_name=zone), zone=zone)
        MembershipFactory(user=managers[zone], department=support, is_manager=True)

    assert run(utc(2026, 10, 31, *BEAT)) == 0
    assert run(NOVEMBER_FIRST) == 2
    assert run(NOVEMBER_FIRST + timedelta(days=1)) == 1
    assert mails_to(mailoutbox, managers["America/Los_Angeles"])[0].subject.startswith(
        "Helpdesk summary for October 2026"
    )


def test_a_missed_first_is_made_up_on_the_second_and_a_late_week_waits_a_month(
    run, maria, mailoutbox
):
    assert run(datetime(2026, 11, 2, *BEAT, tzinfo=UTC)) == 1  # the beat was down on the 1st
    assert len(mails_to(mailoutbox, maria)) == 1

    assert run(datetime(2026, 12, CATCH_UP_DAYS + 1, *BEAT, tzinfo=UTC)) == 0
    assert run(datetime(2027, 1, 1, *BEAT, tzinfo=UTC)) == 1
    assert not OutboundEmail.objects.filter(idempotency_key__endswith=":2026-11").exists()


def test_the_month_is_the_managers_calendar_month(run, support, opened, tom, mailoutbox):
    """A case closed 31 October 23:30 UTC closed on 1 November in Kyiv: October's summary in
    UTC counts it, Kyiv's does not."""
    utc_manager = opted_in(TechFactory(full_name="Uma UTC"), zone="UTC")
    kyiv = opted_in(TechFactory(full_name="Kateryna Kyiv"), zone="Europe/Kyiv")
    for manager in (utc_manager, kyiv):
        MembershipFactory(user=manager, department=support, is_manager=True)
    opened(utc(2026, 10, 31, 22), tech=tom, department=support).close(utc(2026, 10, 31, 23, 30))

    run(datetime(2026, 11, 2, *BEAT, tzinfo=UTC))

    assert line(body_of(mailoutbox, utc_manager), "Cases closed").startswith("- Cases closed: 1")
    assert line(body_of(mailoutbox, kyiv), "Cases closed").startswith("- Cases closed: 0")


def test_the_beat_runs_the_summary_daily_early_morning_utc():
    from celery.schedules import crontab

    entry = settings.CELERY_BEAT_SCHEDULE["monthly-summaries"]
    assert entry["task"] == "reports.tasks.monthly_summaries"
    assert entry["schedule"] == crontab(hour=6, minute=10)
    assert settings.CELERY_TIMEZONE == "UTC"


def test_someone_without_a_time_zone_gets_it_on_the_helpdesks_default_zones_first(
    run, maria, settings, mailoutbox
):
    settings.DEFAULT_USER_TIME_ZONE = "Europe/Kyiv"

    assert run(utc(2026, 10, 31, 22, 30)) == 1  # 00:30 on 1 November in Kyiv
    assert mails_to(mailoutbox, maria)[0].subject.startswith("Helpdesk summary for October 2026")
