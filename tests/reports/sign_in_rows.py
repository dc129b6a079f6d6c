"""Sign-in rows at chosen instants, for the sign-in history's tests (tests/reports/) and its
browser journey: a sign-in, its end (signed out or expired), a whole session, a failure; and a
period of whole days."""

import zoneinfo
from datetime import UTC, date, datetime

from accounts.models import LoginEvent
from accounts.sign_in_sessions import Period

KYIV = zoneinfo.ZoneInfo("Europe/Kyiv")
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def days(first: str, last: str | None = None, zone=UTC) -> Period:
    return Period(
        first_day=date.fromisoformat(first), last_day=date.fromisoformat(last or first), zone=zone
    )


def signed_in(user, at: datetime, *, last=None, agent=FIREFOX, ip="203.0.113.7"):
    return LoginEvent.objects.create(
        kind=LoginEvent.Kind.SIGN_IN,
        user=user,
        email=user.email,
        at=at,
        last_activity_at=last or at,
        ip_address=ip,
        user_agent=agent,
    )


def ended(sign_in, at: datetime, kind=LoginEvent.Kind.SIGN_OUT):
    return LoginEvent.objects.create(
        kind=kind, user=sign_in.user, email=sign_in.email, at=at, sign_in=sign_in
    )


def session(user, start: datetime, end: datetime, kind=LoginEvent.Kind.SIGN_OUT, **fields):
    """A session that ended: signed out at `end`, or expired with its last activity at `end`."""
    sign_in = signed_in(user, start, last=end, **fields)
    ended(sign_in, end, kind=kind)
    return sign_in


def failed(user, at: datetime, *, kind=LoginEvent.Kind.SIGN_IN_FAILED, ip="198.51.100.9", agent=""):
    return LoginEvent.objects.create(
        kind=kind, user=user, email=user.email, at=at, ip_address=ip, user_agent=agent
    )
