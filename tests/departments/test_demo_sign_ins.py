"""The demo's week of sign-ins: sessions that ended both ways and a failed sign-in, loaded once."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import LoginEvent, User
from accounts.sign_in_sessions import (
    EXPIRED,
    SIGNED_OUT,
    period_default,
    sign_in_failures,
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
    assert made == 5
    assert [s.how for s in sessions].count(EXPIRED) == 1
    assert all(s.signed_in_at.weekday() < 5 for s in sessions)
    assert len(sign_in_failures(user=tom, period=period).events) == 1
