"""A tech's sign-in sessions and failed sign-ins for a period, read from LoginEvent rows."""

import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from accounts import login_history
from accounts.client_info import browser_summary
from accounts.models import LoginEvent
from accounts.sign_in_sessions import (
    EXPIRED,
    OPEN,
    SIGNED_OUT,
    Period,
    duration_text,
    period_default,
    sign_in_failure_counts,
    sign_in_failures,
    sign_in_sessions_all,
    sign_in_sessions_overlapping,
    sign_in_sessions_page,
)
from tests.factories import TechFactory

pytestmark = pytest.mark.django_db

KYIV = zoneinfo.ZoneInfo("Europe/Kyiv")  # UTC+2 in November
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def signed_in(user, at, *, last=None, ip="203.0.113.7", agent=FIREFOX, session_key=""):
    return LoginEvent.objects.create(
        kind=LoginEvent.Kind.SIGN_IN,
        user=user,
        email=user.email,
        at=at,
        last_activity_at=last or at,
        ip_address=ip,
        user_agent=agent,
        session_key=session_key,
    )


def ended(sign_in, at, kind=LoginEvent.Kind.SIGN_OUT):
    return LoginEvent.objects.create(
        kind=kind, user=sign_in.user, email=sign_in.email, at=at, sign_in=sign_in
    )


def failed(at, *, user=None, email="", kind=LoginEvent.Kind.SIGN_IN_FAILED, ip="198.51.100.9"):
    return LoginEvent.objects.create(
        kind=kind, user=user, email=email or (user.email if user else ""), at=at, ip_address=ip
    )


def day(first: str, last: str | None = None, zone=UTC) -> Period:
    return Period(
        first_day=date.fromisoformat(first), last_day=date.fromisoformat(last or first), zone=zone
    )


def around(at: datetime) -> Period:
    """The day of `at` and the day before (a test run just after midnight)."""
    today = timezone.localdate(at, UTC)
    return Period(first_day=today - timedelta(days=1), last_day=today, zone=UTC)


@pytest.fixture
def person(db):
    return TechFactory(full_name="Tom Tech", email="tom@example.com")


def test_a_sign_in_ended_by_a_sign_out_is_a_signed_out_session(person):
    start = signed_in(person, moment("2026-11-02T08:01:02"), last=moment("2026-11-02T16:59:00"))
    ended(start, moment("2026-11-02T17:03:09"))

    (session,) = sign_in_sessions_page(user=person, period=day("2026-11-02")).sessions

    assert session.how == SIGNED_OUT
    assert str(session.how_label) == "signed out"
    assert session.signed_in_at == moment("2026-11-02T08:01:02")
    assert session.ended_at == moment("2026-11-02T17:03:09")
    assert session.last_active_at == moment("2026-11-02T16:59:00")
    assert session.duration == timedelta(hours=9, minutes=2, seconds=7)
    assert session.duration_text == "9 h 02 min 07 s"
    assert session.ip_address == "203.0.113.7"
    assert session.browser == "Firefox 128 on Windows"


def test_a_session_that_ran_out_is_expired_at_its_last_activity(person):
    """The ending is written by the beat task, as in production: dated at the last activity."""
    now = timezone.now()
    start = signed_in(
        person,
        now - timedelta(hours=5),
        last=now - timedelta(hours=3, minutes=10),
        session_key="gone-session",
    )

    assert login_history.expired_session_sign_outs_record() == 1

    (session,) = sign_in_sessions_page(user=person, period=around(start.at)).sessions
    assert session.how == EXPIRED
    assert session.is_expired
    assert session.ended_at == start.last_activity_at
    assert session.last_active_at == start.last_activity_at
    assert session.duration == timedelta(hours=1, minutes=50)


def test_a_sign_in_without_an_ending_is_still_signed_in_up_to_its_last_activity(person):
    store = SessionStore()
    store.create()  # a live session: the expiry sweep leaves this sign-in alone
    now = timezone.now()
    start = signed_in(
        person,
        now - timedelta(minutes=40),
        last=now - timedelta(minutes=5),
        session_key=store.session_key,
    )
    assert login_history.expired_session_sign_outs_record() == 0

    (session,) = sign_in_sessions_page(user=person, period=around(start.at)).sessions
    assert session.how == OPEN
    assert session.is_open
    assert session.ended_at is None
    assert session.duration == timedelta(minutes=35)


def test_sessions_are_those_begun_within_the_viewers_days(person):
    """In Kyiv (UTC+2) the 2nd of November runs from 22:00 UTC on the 1st to 22:00 on the 2nd."""
    for at in (
        "2026-11-01T21:59:59",  # 23:59:59 on the 1st in Kyiv
        "2026-11-01T22:00:00",  # midnight starting the 2nd
        "2026-11-02T21:59:59",  # the last second of the 2nd
        "2026-11-02T22:00:00",  # midnight starting the 3rd
    ):
        signed_in(person, moment(at))

    sessions = sign_in_sessions_page(user=person, period=day("2026-11-02", zone=KYIV)).sessions

    assert [s.signed_in_at for s in sessions] == [
        moment("2026-11-02T21:59:59"),
        moment("2026-11-01T22:00:00"),
    ]
    period = day("2026-11-02", zone=KYIV)
    assert (period.start, period.end) == (moment("2026-11-01T22:00"), moment("2026-11-02T22:00"))


def test_a_period_across_a_clock_change_keeps_whole_local_days():
    """Kyiv moves its clocks back on 25 October 2026: that day is 25 hours long."""
    period = day("2026-10-25", zone=KYIV)

    assert period.end.astimezone(UTC) - period.start.astimezone(UTC) == timedelta(hours=25)


def test_only_this_persons_sessions_are_listed(person):
    other = TechFactory()
    signed_in(other, moment("2026-11-02T09:00"))
    mine = signed_in(person, moment("2026-11-02T10:00"))
    failed(moment("2026-11-02T10:30"), user=person)  # not a session

    sessions = sign_in_sessions_page(user=person, period=day("2026-11-02")).sessions

    assert [s.id for s in sessions] == [mine.pk]


def test_a_page_of_sessions_is_one_query_with_their_endings(person, django_assert_num_queries):
    for hour in range(8):
        start = signed_in(person, moment(f"2026-11-02T0{hour}:00"))
        if hour % 3 == 0:
            ended(start, moment(f"2026-11-02T0{hour}:30"))
        elif hour % 3 == 1:
            ended(start, moment(f"2026-11-02T0{hour}:20"), kind=LoginEvent.Kind.SESSION_EXPIRED)

    with django_assert_num_queries(1):
        page = sign_in_sessions_page(user=person, period=day("2026-11-02"))
        hows = [session.how for session in page.sessions]

    assert hows == [EXPIRED, SIGNED_OUT, OPEN, EXPIRED, SIGNED_OUT, OPEN, EXPIRED, SIGNED_OUT]


def test_keyset_pages_walk_every_session_once_even_with_equal_times(person):
    same = moment("2026-11-02T09:00")
    made = [signed_in(person, same).pk for _ in range(3)]
    made += [signed_in(person, moment(f"2026-11-02T1{n}:00")).pk for n in range(4)]

    seen, cursor, pages = [], "", 0
    while True:
        page = sign_in_sessions_page(user=person, period=day("2026-11-02"), cursor=cursor, size=2)
        assert page.first_page == (cursor == "")
        seen += [s.id for s in page.sessions]
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor

    assert pages == 4
    assert sorted(seen) == sorted(made)
    assert len(seen) == len(set(seen))
    assert seen == [s.id for s in sign_in_sessions_all(user=person, period=day("2026-11-02"))]


@pytest.mark.parametrize(
    "cursor",
    [
        "%%%",
        "bm90IGEgY3Vyc29y",
        "x" * 500,
        "MjAyNi0xMS0wMlQwOTowMDowMHwtMQ",  # an id of -1
        "fA",
        "MjAyNi0xMS0wMlQwOTowMDowMCswMDowMHw5OTk5OTk5OTk5OTk5OTk5OTk5OQ",  # an id past bigint
        "MjAyNi0xMS0wMlQwOTowMDowMHwx",  # a time without its zone
        "MDAwMC0wMS0wMVQwMDowMDowMCswMDowMHwx",  # year 0
    ],
)
def test_a_malformed_cursor_means_the_first_page(person, cursor):
    signed_in(person, moment("2026-11-02T09:00"))

    page = sign_in_sessions_page(user=person, period=day("2026-11-02"), cursor=cursor)

    assert page.first_page
    assert len(page.sessions) == 1


def test_failed_and_throttled_sign_ins_of_the_account_and_of_its_address(person):
    wrong = failed(moment("2026-11-02T08:00:01"), user=person)
    throttled = failed(
        moment("2026-11-02T08:00:05"), user=person, kind=LoginEvent.Kind.SIGN_IN_THROTTLED
    )
    before_account = failed(moment("2026-11-02T07:00"), email=person.email)
    failed(moment("2026-11-02T07:30"), email="someone-else@example.com")
    failed(moment("2026-11-02T07:40"), user=TechFactory())
    failed(moment("2026-11-03T00:00:00"), user=person)  # the next day
    signed_in(person, moment("2026-11-02T08:01"))

    failures = sign_in_failures(user=person, period=day("2026-11-02"))

    assert [f.at for f in failures.events] == [throttled.at, wrong.at, before_account.at]
    assert [f.throttled for f in failures.events] == [True, False, False]
    assert [f.account_known for f in failures.events] == [True, True, False]
    assert failures.events[1].ip_address == "198.51.100.9"
    assert not failures.more


def test_failed_sign_ins_are_capped_and_say_there_are_more(person):
    for second in range(4):
        failed(moment(f"2026-11-02T08:00:0{second}"), user=person)

    failures = sign_in_failures(user=person, period=day("2026-11-02"), size=3)

    assert len(failures.events) == 3
    assert failures.more


def test_sessions_of_several_people_come_newest_first_in_one_query(
    person, django_assert_num_queries
):
    other = TechFactory(full_name="Olga Other")
    first = signed_in(person, moment("2026-11-02T08:00"))
    second = signed_in(other, moment("2026-11-02T09:00"))
    third = signed_in(person, moment("2026-11-02T10:00"))
    signed_in(TechFactory(), moment("2026-11-02T11:00"))  # not asked for

    with django_assert_num_queries(1):
        page = sign_in_sessions_page(users=[person, other], period=day("2026-11-02"))

    assert [(s.id, s.user_id) for s in page.sessions] == [
        (third.pk, person.pk),
        (second.pk, other.pk),
        (first.pk, person.pk),
    ]
    every = sign_in_sessions_all(users=[person, other], period=day("2026-11-02"))
    assert [s.id for s in every] == [third.pk, second.pk, first.pk]


def test_one_person_or_several_never_both(person):
    with pytest.raises(TypeError):
        sign_in_sessions_page(user=person, users=[person], period=day("2026-11-02"))


def test_sessions_reaching_into_the_period_are_found_with_those_begun_in_it(person):
    night = signed_in(person, moment("2026-11-01T22:00"), last=moment("2026-11-02T01:00"))
    ended(night, moment("2026-11-02T01:00"))
    done = signed_in(person, moment("2026-11-01T08:00"), last=moment("2026-11-01T16:00"))
    ended(done, moment("2026-11-01T16:00"))
    morning = signed_in(person, moment("2026-11-02T08:00"))
    signed_in(person, moment("2026-11-03T08:00"))  # after the period

    sessions = sign_in_sessions_overlapping(user_ids=[person.pk], period=day("2026-11-02"))

    assert [s.id for s in sessions] == [night.pk, morning.pk]


def test_failures_of_several_people_are_counted_and_told_apart(person):
    other = TechFactory(full_name="Olga Other", email="olga@example.com")
    idle = TechFactory(full_name="Ida Idle")
    failed(moment("2026-11-02T08:00:01"), user=person)
    failed(moment("2026-11-02T08:00:02"), user=person, kind=LoginEvent.Kind.SIGN_IN_THROTTLED)
    failed(moment("2026-11-02T07:00"), email=other.email)  # before Olga had her account
    failed(moment("2026-11-02T07:30"), email="someone-else@example.com")
    failed(moment("2026-11-03T00:00:00"), user=person)  # the next day
    people = [person, other, idle]

    counts = sign_in_failure_counts(users=people, period=day("2026-11-02"))
    failures = sign_in_failures(users=people, period=day("2026-11-02"))

    assert counts == {person.pk: 2, other.pk: 1, idle.pk: 0}
    assert [f.user_id for f in failures.events] == [person.pk, person.pk, other.pk]


def test_the_default_period_is_the_last_seven_days_in_the_zone():
    now = moment("2026-11-02T23:30")  # already the 3rd in Kyiv

    period = period_default(zone=KYIV, now=now)

    assert (period.first_day, period.last_day) == (date(2026, 10, 28), date(2026, 11, 3))


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (59, "59 s"),
        (61, "1 min 01 s"),
        (3600, "1 h 00 min 00 s"),
        (90061, "25 h 01 min 01 s"),
    ],
)
def test_durations_read_to_the_second(seconds, text):
    assert duration_text(timedelta(seconds=seconds)) == text


@pytest.mark.parametrize(
    ("agent", "summary"),
    [
        (FIREFOX, "Firefox 128 on Windows"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/131.0.0.0 Safari/537.36",
            "Chrome 131 on macOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86",
            "Edge 131 on Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML,"
            " like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari 17 on iOS",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
            " HeadlessChrome/131.0.0.0 Safari/537.36",
            "Chrome (headless) 131 on Linux",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome 131 on Android",
        ),
        ("curl/8.5.0", "curl/8.5.0"),
        ("x" * 300, "x" * 60),
        ("", ""),
    ],
)
def test_a_browser_is_named_shortly(agent, summary):
    assert browser_summary(agent) == summary
