"""Demo sign-in history: the past week of the demo staff's working days as LoginEvent rows
(sign-ins with their sign-outs, one session that expired, a mistyped password), so a manager's
tech page has something to show from the first `make run`. Rows are those production writes;
their session keys start with DEMO_SESSION_PREFIX, which also makes loading them idempotent."""

import random
import zoneinfo
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import LoginEvent, User

DEMO_SESSION_PREFIX = "demo-"
DAYS = 7

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
# Tom forgot to sign out on the second working day back: his session expired after his last
# click; the working day before that, he mistyped his password first.
FORGETFUL = "tech@example.com"
EXPIRED_WORKDAY = 1  # counted back from the latest working day before today, which is 0
FAILED_WORKDAY = 2


def demo_sign_ins_load(*, now: datetime | None = None) -> int:
    """Create the demo week of sign-ins for each demo person who has none yet; returns how many
    sessions were made."""
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
        chance = random.Random(email)  # the same week every time for the same person
        workdays = [
            day
            for day in (today - timedelta(days=back) for back in range(1, DAYS + 1))
            if day.weekday() < 5
        ]
        with transaction.atomic():
            for index, day in reversed(list(enumerate(workdays))):
                begin = timezone.make_aware(datetime.combine(day, time(*start)), zone)
                begin += timedelta(seconds=chance.randint(-600, 900))
                stop = begin + timedelta(hours=8, seconds=chance.randint(0, 3600))
                if email == FORGETFUL and index == FAILED_WORKDAY:
                    _failed(user, at=begin - timedelta(seconds=41), ip=ip, agent=agent)
                if email == FORGETFUL and index == EXPIRED_WORKDAY:
                    last = begin + timedelta(hours=3, minutes=47, seconds=12)
                    _session(user, begin, last, LoginEvent.Kind.SESSION_EXPIRED, ip, agent)
                    made += 1
                    continue
                if lunch:
                    noon = timezone.make_aware(datetime.combine(day, time(12, 30)), zone)
                    noon += timedelta(seconds=chance.randint(0, 900))
                    _session(user, begin, noon, LoginEvent.Kind.SIGN_OUT, ip, agent)
                    begin = noon + timedelta(minutes=45, seconds=chance.randint(0, 600))
                    made += 1
                _session(user, begin, stop, LoginEvent.Kind.SIGN_OUT, ip, agent)
                made += 1
    return made


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


def _failed(user, *, at, ip, agent):
    LoginEvent.objects.create(
        kind=LoginEvent.Kind.SIGN_IN_FAILED,
        user=user,
        email=user.email,
        at=at,
        ip_address=ip,
        user_agent=agent,
    )
