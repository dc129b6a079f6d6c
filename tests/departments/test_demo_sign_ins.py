"""The demo's weeks of sign-ins: sessions that ended both ways, late shifts past midnight,
failed and throttled sign-ins, loaded once; enough for the tech page and the sign-in report."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import LoginEvent, User
from accounts.sign_in_sessions import (
    EXPIRED,
    SIGNED_OUT,
    period_default,
    sign_in_failures,
    sign_in_sessions_overlapping,
    sign_in_sessions_page,
)
from helpdesk.demo import DEMO_PASSWORD
from helpdesk.demo_sign_ins import demo_sign_ins_load
from tests.factories import TechFactory

pytestmark = pytest.mark.django_db


def test_the_demo_fills_the_tech_page_with_a_week_of_sign_ins(client):
    call_command("demo_data")
    rows = LoginEvent.objects.count()
    call_command("demo_data")
    assert LoginEvent.objects.count() == rows  # loaded once

    tom = User.objects.get(email="tech@example.com")
    sessions = sign_in_sessions_page(user=tom, period=period_default()).sessions
    hows = {session.how for session in sessions}
    assert hows == {SIGNED_OUT, EXPIRED}
    assert len(sessions) >= 3
    assert all(session.ended_at > session.signed_in_at for session in sessions)
    assert LoginEvent.objects.filter(user=tom, kind=LoginEvent.Kind.SIGN_IN_FAILED).exists()

    client.login(username="manager@example.com", password=DEMO_PASSWORD)
    page = client.get(reverse("manage:tech_detail", args=[tom.pk])).content.decode()
    assert "Session expired, last active at" in page
    assert "Signed out at" in page
    assert "Firefox 128 on Windows" in page
    assert 'data-testid="failure"' in page


@pytest.mark.parametrize("day", range(23, 30))  # 23 to 29 November 2026: Monday to Sunday
def test_whatever_the_weekday_the_demo_week_has_an_expired_session_and_a_failure(day):
    tom = TechFactory(email="tech@example.com")
    now = datetime(2026, 11, day, 10, 0, tzinfo=UTC)

    made = demo_sign_ins_load(now=now)

    period = period_default(zone=UTC, now=now)
    sessions = sign_in_sessions_page(user=tom, period=period).sessions
    assert made == 30  # six weeks of working days, one session each
    assert [s.how for s in sessions].count(EXPIRED) == 1
    assert all(s.signed_in_at.weekday() < 5 for s in sessions)
    assert len(sign_in_failures(user=tom, period=period).events) == 1


def test_six_weeks_of_the_demo_fill_the_sign_in_report_for_several_techs(client):
    call_command("demo_data")
    client.login(username="admin@example.com", password=DEMO_PASSWORD)
    period = period_default()
    first = period.last_day - timedelta(days=41)

    response = client.get(
        reverse("reports:sign_ins"), {"from": first.isoformat(), "to": period.last_day.isoformat()}
    )

    assert response.status_code == 200
    report = response.context["report"]
    working = {row.tech.email for row in report.summaries if row.hours > timedelta(hours=20)}
    assert {"tech@example.com", "tech2@example.com", "trainee@example.com"} <= working
    assert {row.tech.email for row in report.summaries if row.failures} >= {
        "tech@example.com",
        "trainee@example.com",
    }
    assert any(row.failure.throttled for row in report.failures)
    zone = timezone.get_default_timezone()
    tanya = User.objects.get(email="tech2@example.com")
    late = sign_in_sessions_overlapping(user_ids=[tanya.pk], period=report.period)
    assert any(
        timezone.localdate(s.until, zone) > timezone.localdate(s.signed_in_at, zone) for s in late
    )
    expired = sum(row.session.how == EXPIRED for row in report.sessions)
    assert expired >= 1
