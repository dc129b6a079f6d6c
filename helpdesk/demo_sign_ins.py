"""Demo sign-in history: the last six weeks of the demo staff's working days as LoginEvent rows
(sign-ins with their sign-outs, sessions that expired, late shifts that run past midnight,
mistyped passwords and a sign-in the throttle refused), so a manager's tech page and the sign-in
history report have something to show from the first `make run`. Rows are those production
writes; their session keys start with DEMO_SESSION_PREFIX, which also makes loading them
idempotent."""

import random
import zoneinfo
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import LoginEvent, User

DEMO_SESSION_PREFIX = "demo-"
DAYS = 42  # six weeks back from yesterday

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86"
)
SAFARI_IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)

# email, browser, office IP, usual start (hour, minute), a lunch break between two sessions
PEOPLE = [
    ("tech@example.com", FIREFOX_WINDOWS, "203.0.113.21", (8, 50), False),
    ("tech2@example.com", CHROME_MAC, "203.0.113.34", (9, 5), True),
    ("trainee@example.com", EDGE_WINDOWS, "203.0.113.40", (9, 0), False),
    ("manager@example.com", SAFARI_IPAD, "198.51.100.77", (8, 30), False),
]
# Working days are counted back from the latest one before today, which is 0. Tom forgets to
# sign out now and then (his session expires after his last click; the first time in the past
# week), and mistypes his password now and then (the working day before that, too).
EXPIRED_WORKDAYS = {"tech@example.com": {1, 9, 18, 27}, "trainee@example.com": {13}}
FAILED_WORKDAYS = {"tech@example.com": {2, 16}, "manager@example.com": {7}}
# Terry typed an old password until the throttle stopped him, then got it right.
THROTTLED_WORKDAYS = {"trainee@example.com": {21}}
# Tanya covers the late shift on Thursdays: from mid-afternoon to past midnight.
LATE_SHIFT_WEEKDAY = {"tech2@example.com": 3}
LATE_SHIFT_START = (15, 30)
LATE_SHIFT_HOURS = 9


def demo_sign_ins_load(*, now: datetime | None = None) -> int:
    """Create the demo weeks of sign-ins for each demo person who has none yet; returns how
    many sessions were made."""
    now = now or timezone.now()
    zone = zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIME_ZONE)
    today = timezone.localtime(now, zone).date()
    made = 0
    for email, agent, ip, start, lunch in PEOPLE:
        user = User.objects.filter(email=email).first()
        if (
            user is None
            or LoginEvent.objects.filter(
                user=user, session_key__startswith=DEMO_SESSION_PREFIX
            ).exists()
        ):
            continue
        chance = random.Random(email)  # the same weeks every time for the same person
        workdays = [
            day
            for day in (today - timedelta(days=back) for back in range(1, DAYS + 1))
            if day.weekday() < 5
        ]
        with transaction.atomic():
            for index, day in reversed(list(enumerate(workdays))):
                made += _workday(
                    user,
                    day=day,
                    index=index,
                    chance=chance,
                    zone=zone,
                    now=now,
                    start=start,
                    lunch=lunch,
                    ip=ip,
                    agent=agent,
                )
    return made


def _workday(user, *, day, index, chance, zone, now, start, lunch, ip, agent) -> int:
    """One working day of one person; returns how many sessions it made."""
    email = user.email
    late = LATE_SHIFT_WEEKDAY.get(email) == day.weekday()
    begin = timezone.make_aware(
        datetime.combine(day, time(*(LATE_SHIFT_START if late else start))), zone
    )
    begin += timedelta(seconds=chance.randint(-600, 900))
    hours = LATE_SHIFT_HOURS if late else 8
    stop = begin + timedelta(hours=hours, seconds=chance.randint(0, 3600))
    if stop > now:  # a late shift still going: it is not over yet to be shown
        return 0
    if index in FAILED_WORKDAYS.get(email, ()):
        _failed(user, at=begin - timedelta(seconds=41), ip=ip, agent=agent)
    if index in THROTTLED_WORKDAYS.get(email, ()):
        for seconds in (95, 80, 62, 50, 31):
            _failed(user, at=begin - timedelta(seconds=seconds), ip=ip, agent=agent)
        _failed(
            user,
            at=begin - timedelta(seconds=12),
            ip=ip,
            agent=agent,
            kind=LoginEvent.Kind.SIGN_IN_THROTTLED,
        )
    if index in EXPIRED_WORKDAYS.get(email, ()):
        last = begin + timedelta(hours=3, minutes=47, seconds=chance.randint(0, 600))
        _session(user, begin, last, LoginEvent.Kind.SESSION_EXPIRED, ip, agent)
        return 1
    made = 0
    if lunch and not late:
        noon = timezone.make_aware(datetime.combine(day, time(12, 30)), zone)
        noon += timedelta(seconds=chance.randint(0, 900))
        _session(user, begin, noon, LoginEvent.Kind.SIGN_OUT, ip, agent)
        begin = noon + timedelta(minutes=45, seconds=chance.randint(0, 600))
        made += 1
    _session(user, begin, stop, LoginEvent.Kind.SIGN_OUT, ip, agent)
    return made + 1


def _session(user, begin, end, ending_kind, ip, agent):
    """A sign-in and its ending; an expired session ends at its last activity, as the beat
    task records it."""
    key = f"{DEMO_SESSION_PREFIX}{user.pk}-{int(begin.timestamp())}"
    expired = ending_kind == LoginEvent.Kind.SESSION_EXPIRED
    last_activity = end if expired else end - timedelta(seconds=30)
    sign_in = LoginEvent.objects.create(
        kind=LoginEvent.Kind.SIGN_IN,
        user=user,
        email=user.email,
        at=begin,
        ip_address=ip,
        user_agent=agent,
        session_key=key,
        last_activity_at=last_activity,
    )
    LoginEvent.objects.create(
        kind=ending_kind,
        user=user,
        email=user.email,
        at=end,
        ip_address=ip,
        user_agent=agent,
        session_key=key,
        sign_in=sign_in,
    )


def _failed(user, *, at, ip, agent, kind=LoginEvent.Kind.SIGN_IN_FAILED):
    LoginEvent.objects.create(
        kind=kind,
        user=user,
        email=user.email,
        at=at,
        ip_address=ip,
        user_agent=agent,
    )
