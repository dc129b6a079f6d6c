"""Hours signed in per tech, in total and per local day: clipped to the period, split at
midnight, true to the clock on the days it changes, one query whatever the number of techs."""

from datetime import date, timedelta

import pytest
import time_machine
from django.test import override_settings

from accounts.models import LoginEvent
from accounts.sign_in_hours import (
    hours_decimal,
    hours_text,
    sign_in_hours,
    sign_in_hours_by_day,
)
from tests.factories import TechFactory
from tests.reports.sign_in_rows import KYIV, days, ended, failed, session, signed_in, utc

pytestmark = pytest.mark.django_db

H = timedelta(hours=1)
MIN = timedelta(minutes=1)


@pytest.fixture
def tom(db):
    return TechFactory(full_name="Tom Tech")


def hours_of(user, period):
    return sign_in_hours(user_ids=[user.pk], period=period)[user.pk]


def test_a_signed_out_session_counts_from_sign_in_to_sign_out(tom):
    session(tom, utc("2026-11-02T08:00:00"), utc("2026-11-02T16:30:15"))

    assert hours_of(tom, days("2026-11-02")) == timedelta(hours=8, minutes=30, seconds=15)


def test_an_expired_session_counts_until_its_last_activity(tom):
    sign_in = signed_in(tom, utc("2026-11-02T08:00:00"), last=utc("2026-11-02T11:47:13"))
    ended(sign_in, utc("2026-11-02T11:47:13"), kind=LoginEvent.Kind.SESSION_EXPIRED)

    assert hours_of(tom, days("2026-11-02")) == timedelta(hours=3, minutes=47, seconds=13)


def test_a_session_still_signed_in_counts_until_its_last_activity_not_until_now(tom):
    signed_in(tom, utc("2026-11-02T08:00:00"), last=utc("2026-11-02T10:15:00"))

    with time_machine.travel(utc("2026-11-02T20:00:00"), tick=False):
        assert hours_of(tom, days("2026-11-02")) == timedelta(hours=2, minutes=15)


def test_only_the_part_of_a_session_inside_the_period_counts(tom):
    # Signed in on the evening of the 1st, signed out in the night after the 3rd.
    session(tom, utc("2026-11-01T20:00:00"), utc("2026-11-04T02:00:00"))

    assert hours_of(tom, days("2026-11-02")) == 24 * H
    assert hours_of(tom, days("2026-11-02", "2026-11-03")) == 48 * H
    assert hours_of(tom, days("2026-11-01")) == 4 * H
    assert hours_of(tom, days("2026-11-05")) == timedelta(0)


def test_a_session_begun_before_the_period_is_found_by_its_sign_out_even_when_idle_at_the_start(
    tom,
):
    # Last click at 23:00 the day before, signed out at 01:00 (within the idle timeout).
    sign_in = signed_in(tom, utc("2026-11-01T18:00:00"), last=utc("2026-11-01T23:00:00"))
    ended(sign_in, utc("2026-11-02T01:00:00"))

    assert hours_of(tom, days("2026-11-02")) == 1 * H


def test_sessions_of_one_tech_at_the_same_time_count_once(tom):
    session(tom, utc("2026-11-02T08:00:00"), utc("2026-11-02T12:00:00"))  # laptop
    session(tom, utc("2026-11-02T10:00:00"), utc("2026-11-02T14:00:00"))  # tablet
    session(tom, utc("2026-11-02T15:00:00"), utc("2026-11-02T16:00:00"))

    assert hours_of(tom, days("2026-11-02")) == 7 * H


def test_every_tech_asked_for_is_answered_and_no_one_else_counts(tom):
    idle = TechFactory(full_name="Ida Idle")
    other = TechFactory(full_name="Olga Other")
    session(tom, utc("2026-11-02T08:00:00"), utc("2026-11-02T09:00:00"))
    session(other, utc("2026-11-02T08:00:00"), utc("2026-11-02T18:00:00"))

    hours = sign_in_hours(user_ids=[tom.pk, idle.pk], period=days("2026-11-02"))

    assert hours == {tom.pk: 1 * H, idle.pk: timedelta(0)}


def test_failed_sign_ins_and_sign_outs_without_a_sign_in_add_no_hours(tom):
    failed(tom, utc("2026-11-02T08:00:00"))
    LoginEvent.objects.create(
        kind=LoginEvent.Kind.SIGN_OUT, user=tom, email=tom.email, at=utc("2026-11-02T09:00:00")
    )

    assert hours_of(tom, days("2026-11-02")) == timedelta(0)


def test_a_session_across_midnight_is_split_between_the_two_local_days(tom):
    # 21:30 to 02:15 in Kyiv (UTC+2 in November).
    session(tom, utc("2026-11-02T19:30:00"), utc("2026-11-03T00:15:00"))

    by_day = sign_in_hours_by_day(user_ids=[tom.pk], period=days("2026-11-01", "2026-11-04", KYIV))

    assert by_day[tom.pk] == {
        date(2026, 11, 1): timedelta(0),
        date(2026, 11, 2): 2 * H + 30 * MIN,
        date(2026, 11, 3): 2 * H + 15 * MIN,
        date(2026, 11, 4): timedelta(0),
    }


def test_the_days_are_the_viewers_days_not_utcs(tom):
    # 23:00 to 01:00 UTC is 01:00 to 03:00 in Kyiv: all on the 3rd there.
    session(tom, utc("2026-11-02T23:00:00"), utc("2026-11-03T01:00:00"))

    kyiv = sign_in_hours_by_day(user_ids=[tom.pk], period=days("2026-11-02", "2026-11-03", KYIV))
    in_utc = sign_in_hours_by_day(user_ids=[tom.pk], period=days("2026-11-02", "2026-11-03"))

    assert kyiv[tom.pk] == {date(2026, 11, 2): timedelta(0), date(2026, 11, 3): 2 * H}
    assert in_utc[tom.pk] == {date(2026, 11, 2): 1 * H, date(2026, 11, 3): 1 * H}


@pytest.mark.parametrize(
    ("day", "local_midnight", "next_local_midnight", "hours"),
    [
        # Last Sunday of October: clocks go back at 04:00, the day has 25 hours.
        ("2026-10-25", "2026-10-24T21:00:00", "2026-10-25T22:00:00", 25),
        # Last Sunday of March: clocks go forward at 03:00, the day has 23 hours.
        ("2026-03-29", "2026-03-28T22:00:00", "2026-03-29T21:00:00", 23),
    ],
)
def test_a_day_when_the_clocks_change_holds_the_hours_that_passed(
    tom, day, local_midnight, next_local_midnight, hours
):
    # Signed in an hour before that day in Kyiv, signed out an hour after it.
    session(tom, utc(local_midnight) - H, utc(next_local_midnight) + H)
    period = days(day, zone=KYIV)

    by_day = sign_in_hours_by_day(user_ids=[tom.pk], period=period)

    assert by_day[tom.pk] == {date.fromisoformat(day): hours * H}
    assert hours_of(tom, period) == hours * H


def test_a_day_when_the_clocks_change_splits_a_night_session_at_the_true_midnight(tom):
    # 22:00 on Saturday 24 October (UTC+3) to 06:00 on Sunday (UTC+2) in Kyiv: nine hours
    # passed, two on Saturday and seven on Sunday (03:00 to 04:00 happened twice).
    session(tom, utc("2026-10-24T19:00:00"), utc("2026-10-25T04:00:00"))

    by_day = sign_in_hours_by_day(user_ids=[tom.pk], period=days("2026-10-24", "2026-10-25", KYIV))

    assert by_day[tom.pk] == {date(2026, 10, 24): 2 * H, date(2026, 10, 25): 7 * H}


def test_hours_by_day_add_up_to_the_total(tom):
    session(tom, utc("2026-11-01T20:00:00"), utc("2026-11-04T02:00:00"))
    session(tom, utc("2026-11-05T07:12:00"), utc("2026-11-05T15:48:31"))
    period = days("2026-11-02", "2026-11-08", KYIV)

    by_day = sign_in_hours_by_day(user_ids=[tom.pk], period=period)

    assert list(by_day[tom.pk]) == [date(2026, 11, 2) + timedelta(days=n) for n in range(7)]
    assert sum(by_day[tom.pk].values(), timedelta(0)) == hours_of(tom, period)


def test_a_sign_in_recorded_before_activity_was_kept_counts_until_its_sign_out(tom):
    sign_in = signed_in(tom, utc("2026-11-02T08:00:00"))
    LoginEvent.objects.filter(pk=sign_in.pk).update(last_activity_at=None)
    ended(sign_in, utc("2026-11-02T09:00:00"))

    assert hours_of(tom, days("2026-11-02")) == 1 * H


@override_settings(SESSION_COOKIE_AGE=3600)
def test_a_sign_out_is_looked_for_one_idle_timeout_after_the_last_activity(tom):
    # Last click at 23:30, signed out at 00:20: within the (one hour) idle timeout.
    sign_in = signed_in(tom, utc("2026-11-01T18:00:00"), last=utc("2026-11-01T23:30:00"))
    ended(sign_in, utc("2026-11-02T00:20:00"))

    assert hours_of(tom, days("2026-11-02")) == 20 * MIN


def _techs_with_sessions(count: int, sessions_each: int):
    techs = [TechFactory() for _ in range(count)]
    for tech in techs:
        for n in range(sessions_each):
            start = utc("2026-11-02T00:00:00") + timedelta(hours=5 * n)
            if n % 3 == 2:
                signed_in(tech, start, last=start + 2 * H)  # still signed in
            else:
                session(tech, start, start + 3 * H)
    return [tech.pk for tech in techs]


@pytest.mark.parametrize(("techs", "sessions_each"), [(2, 2), (10, 20)])
def test_each_selector_asks_one_query_however_many_techs_and_sessions(
    techs, sessions_each, django_assert_num_queries
):
    user_ids = _techs_with_sessions(techs, sessions_each)
    period = days("2026-11-01", "2026-11-30", KYIV)

    with django_assert_num_queries(1):
        totals = sign_in_hours(user_ids=user_ids, period=period)
    with django_assert_num_queries(1):
        by_day = sign_in_hours_by_day(user_ids=user_ids, period=period)

    assert len(totals) == techs and all(hours > timedelta(0) for hours in totals.values())
    assert {pk: sum(d.values(), timedelta(0)) for pk, d in by_day.items()} == totals


def test_no_techs_ask_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert sign_in_hours(user_ids=[], period=days("2026-11-02")) == {}


@pytest.mark.parametrize(
    ("duration", "text", "decimal"),
    [
        (timedelta(0), "0 min", "0.00"),
        (timedelta(minutes=45, seconds=59), "45 min", "0.77"),
        (timedelta(hours=7, minutes=5), "7 h 05 min", "7.08"),
        (timedelta(hours=25), "25 h 00 min", "25.00"),
    ],
)
def test_hours_read_to_the_minute_and_add_up_in_a_spreadsheet(duration, text, decimal):
    assert hours_text(duration) == text
    assert hours_decimal(duration) == decimal
