"""The database's sum of hours signed in (PostgreSQL) against the same rules in Python, on
sessions drawn at random: open, signed out, expired, overlapping, across the period's edges."""

import random
from datetime import timedelta

import pytest

from accounts.models import LoginEvent
from accounts.sign_in_hours import hours_total, sign_in_hours
from accounts.sign_in_sessions import sign_in_sessions_overlapping
from tests.factories import TechFactory
from tests.reports.sign_in_rows import days, ended, signed_in, utc

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_database_sums_hours_as_the_python_rules_do(seed):
    rng = random.Random(seed)
    techs = [TechFactory() for _ in range(4)]
    base = utc("2026-10-30T00:00:00")
    for _ in range(80):
        tech = rng.choice(techs)
        start = base + timedelta(minutes=rng.randint(0, 6 * 24 * 60))
        last = start + timedelta(minutes=rng.randint(0, 600))
        sign_in = signed_in(tech, start, last=rng.choice([last, None]))
        ending = rng.choice([None, LoginEvent.Kind.SIGN_OUT, LoginEvent.Kind.SESSION_EXPIRED])
        if ending is not None:
            ended(sign_in, last + timedelta(minutes=rng.randint(0, 30)), kind=ending)
    ids = [tech.pk for tech in techs] + [10**9]  # and someone with no sessions at all
    for period in [days("2026-11-01"), days("2026-10-31", "2026-11-03"), days("2026-11-05")]:
        sessions = sign_in_sessions_overlapping(user_ids=ids, period=period)
        expected = hours_total(sessions=sessions, user_ids=ids, period=period)
        assert sign_in_hours(user_ids=ids, period=period) == expected
        assert any(expected.values())
