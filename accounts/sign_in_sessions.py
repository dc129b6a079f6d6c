"""Sign-in sessions: people's sign-ins paired with how each ended, and their failed sign-ins,
over a period of days in the viewer's time zone. What a manager reads on a tech's page, the
sign-in report reads for many techs at once, and both export as CSV; built on the LoginEvent rows
accounts.login_history writes.

A session is a SIGN_IN row and its ending, the row whose `sign_in` points at it: a SIGN_OUT
(they signed out), a SESSION_EXPIRED (the session ran out; the row is dated at the last activity
seen), or none yet (still signed in). A session belongs to the period it began in; the hours
signed in (accounts.sign_in_hours) also count the part of an earlier one that reaches into it.
Lists are keyset pages on the (user, -at) index, the ending joined in the same query; every
function takes one person (`user`) or several (`users`) and asks one query either way."""

import base64
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.client_info import browser_summary
from accounts.models import LoginEvent, User

SESSION_PAGE_SIZE = 50
FAILURE_LIST_SIZE = 50
PERIOD_DEFAULT_DAYS = 7
PERIOD_MAX_DAYS = 366
CURSOR_MAX_LENGTH = 100

SIGNED_OUT = "signed_out"
EXPIRED = "expired"
OPEN = "open"
ENDINGS = {
    SIGNED_OUT: _("signed out"),
    EXPIRED: _("session expired"),
    OPEN: _("still signed in"),
}
FAILURE_KINDS = (LoginEvent.Kind.SIGN_IN_FAILED, LoginEvent.Kind.SIGN_IN_THROTTLED)


@dataclass(frozen=True)
class Period:
    """Whole days, first to last inclusive, in a time zone."""

    first_day: date
    last_day: date
    zone: tzinfo

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first_day, time.min), self.zone)

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        next_day = self.last_day + timedelta(days=1)
        return timezone.make_aware(datetime.combine(next_day, time.min), self.zone)


def period_default(*, zone: tzinfo | None = None, now: datetime | None = None) -> Period:
    """The last PERIOD_DEFAULT_DAYS days, today included, in the zone (default: the active one)."""
    zone = zone or timezone.get_current_timezone()
    today = timezone.localtime(now or timezone.now(), zone).date()
    return Period(
        first_day=today - timedelta(days=PERIOD_DEFAULT_DAYS - 1), last_day=today, zone=zone
    )


@dataclass(frozen=True)
class SignInSession:
    id: int
    signed_in_at: datetime
    how: str  # SIGNED_OUT, EXPIRED or OPEN
    ended_at: datetime | None
    last_active_at: datetime
    ip_address: str | None
    user_agent: str
    user_id: int | None = None

    @property
    def how_label(self) -> str:
        return ENDINGS[self.how]

    @property
    def until(self) -> datetime:
        """When it ended; a session still signed in, its last activity so far."""
        return self.ended_at or self.last_active_at

    @property
    def duration(self) -> timedelta:
        """Until it ended; a session still signed in, until its last activity so far."""
        return max(self.until - self.signed_in_at, timedelta(0))

    @property
    def duration_text(self) -> str:
        return duration_text(self.duration)

    @property
    def browser(self) -> str:
        return browser_summary(self.user_agent)

    @property
    def is_open(self) -> bool:
        return self.how == OPEN

    @property
    def is_expired(self) -> bool:
        return self.how == EXPIRED


def duration_text(duration: timedelta) -> str:
    """ "2 h 05 min 09 s", "4 min 30 s", "12 s": exact to the second, easy to read."""
    total = int(duration.total_seconds())
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    values = {"hours": hours, "minutes": minutes, "seconds": seconds}
    if hours:
        return gettext("%(hours)d h %(minutes)02d min %(seconds)02d s") % values
    if minutes:
        return gettext("%(minutes)d min %(seconds)02d s") % values
    return gettext("%(seconds)d s") % values


@dataclass(frozen=True)
class SessionPage:
    sessions: list[SignInSession]
    next_cursor: str | None
    first_page: bool


@dataclass(frozen=True)
class SignInFailure:
    at: datetime
    throttled: bool  # refused by the throttle without checking the password
    kind_label: str
    account_known: bool  # False: typed with the address when no account had it
    ip_address: str | None
    user_agent: str
    user_id: int | None = None  # whose: the account's, or the person's whose address was typed

    @property
    def browser(self) -> str:
        return browser_summary(self.user_agent)


@dataclass(frozen=True)
class FailureList:
    events: list[SignInFailure]
    more: bool  # more than the list shows happened in the period


def _people(user: User | None, users: Sequence[User]) -> list[User]:
    people = [user] if user is not None else list(users)
    if user is not None and users:
        raise TypeError("Give `user` or `users`, not both.")
    return people


def _sign_ins(*, user_ids: Iterable[int], period: Period) -> QuerySet[LoginEvent]:
    return (
        LoginEvent.objects.filter(
            user_id__in=list(user_ids),
            kind=LoginEvent.Kind.SIGN_IN,
            at__gte=period.start,
            at__lt=period.end,
        )
        .select_related("ending")
        .order_by("-at", "-id")
    )


def _session(sign_in: LoginEvent) -> SignInSession:
    try:
        ending = sign_in.ending
    except LoginEvent.DoesNotExist:
        ending = None
    if ending is None:
        how, ended_at = OPEN, None
    elif ending.kind == LoginEvent.Kind.SESSION_EXPIRED:
        how, ended_at = EXPIRED, ending.at
    else:
        how, ended_at = SIGNED_OUT, ending.at
    return SignInSession(
        id=sign_in.pk,
        signed_in_at=sign_in.at,
        how=how,
        ended_at=ended_at,
        last_active_at=sign_in.last_activity_at or ended_at or sign_in.at,
        ip_address=sign_in.ip_address,
        user_agent=sign_in.user_agent,
        user_id=sign_in.user_id,
    )


def sign_in_sessions_page(
    *,
    user: User | None = None,
    users: Sequence[User] = (),
    period: Period,
    cursor: str = "",
    size: int = SESSION_PAGE_SIZE,
) -> SessionPage:
    """One page of the sessions begun in the period, newest first; one query."""
    people = _people(user, users)
    sign_ins = _sign_ins(user_ids=[person.pk for person in people], period=period)
    after = _cursor_decode(cursor)
    if after is not None:
        at, pk = after
        sign_ins = sign_ins.filter(Q(at__lt=at) | Q(at=at, pk__lt=pk))
    rows = list(sign_ins[: size + 1])
    sessions = [_session(row) for row in rows[:size]]
    more = len(rows) > size
    return SessionPage(
        sessions=sessions,
        next_cursor=_cursor_encode(rows[size - 1]) if more else None,
        first_page=after is None,
    )


def sign_in_sessions_all(
    *, user: User | None = None, users: Sequence[User] = (), period: Period
) -> Iterator[SignInSession]:
    """Every session begun in the period, newest first, fetched in chunks (for the CSV)."""
    people = _people(user, users)
    sign_ins = _sign_ins(user_ids=[person.pk for person in people], period=period)
    for row in sign_ins.iterator(chunk_size=2000):
        yield _session(row)


def ending_after_activity_max() -> timedelta:
    """How long after a sign-in's last recorded activity its sign-out can come: the session
    expires an idle timeout after the last request, and activity is written at most once per
    SIGN_IN_ACTIVITY_RESOLUTION, so a sign-out later than this would have found it expired."""
    return timedelta(seconds=settings.SESSION_COOKIE_AGE + settings.SIGN_IN_ACTIVITY_RESOLUTION)


def sign_in_sessions_overlapping(*, user_ids: Iterable[int], period: Period) -> list[SignInSession]:
    """Every session of these people that began in the period or was still going when it began,
    oldest first; one query whatever the number of people or sessions.

    A session lasts from its sign-in until its ending (a session still signed in: until its last
    activity so far). Sessions begun before the period are found through their last activity, on
    the partial index of sign-ins: a session that reaches into the period was active at most
    `ending_after_activity_max()` before it began."""
    start, end = period.start, period.end
    reach = start - ending_after_activity_max()
    sign_ins = (
        LoginEvent.objects.filter(
            user_id__in=list(user_ids), kind=LoginEvent.Kind.SIGN_IN, at__lt=end
        )
        .filter(Q(last_activity_at__gte=reach) | Q(last_activity_at__isnull=True, at__gte=reach))
        .order_by("at", "id")
        .values_list(
            "pk",
            "at",
            "last_activity_at",
            "ip_address",
            "user_agent",
            "user_id",
            "ending__kind",
            "ending__at",
        )
    )
    # Plain rows, not model instances: a year of a team's sessions is tens of thousands.
    sessions = (_session_of_values(*row) for row in sign_ins)
    return [s for s in sessions if s.signed_in_at >= start or s.until > start]


def _session_of_values(
    pk, at, last_activity_at, ip_address, user_agent, user_id, ending_kind, ending_at
) -> SignInSession:
    """As _session(), from a sign-in's values and its ending's kind and time."""
    if ending_kind is None:
        how, ended_at = OPEN, None
    elif ending_kind == LoginEvent.Kind.SESSION_EXPIRED:
        how, ended_at = EXPIRED, ending_at
    else:
        how, ended_at = SIGNED_OUT, ending_at
    return SignInSession(
        id=pk,
        signed_in_at=at,
        how=how,
        ended_at=ended_at,
        last_active_at=last_activity_at or ended_at or at,
        ip_address=ip_address,
        user_agent=user_agent,
        user_id=user_id,
    )


def _failures(*, people: Sequence[User], period: Period) -> QuerySet[LoginEvent]:
    """Failed and throttled sign-ins in the period: those recorded against the accounts, and
    those typed with their addresses when no account had it (user empty)."""
    return LoginEvent.objects.filter(
        kind__in=FAILURE_KINDS, at__gte=period.start, at__lt=period.end
    ).filter(
        Q(user_id__in=[person.pk for person in people])
        | Q(user__isnull=True, email__in=[person.email for person in people])
    )


def sign_in_failures(
    *,
    user: User | None = None,
    users: Sequence[User] = (),
    period: Period,
    size: int = FAILURE_LIST_SIZE,
) -> FailureList:
    """Failed and throttled sign-ins in the period, newest first: those recorded against the
    accounts, and those typed with their addresses when no account had it (user empty)."""
    people = _people(user, users)
    by_email = {person.email: person.pk for person in people}
    events = list(_failures(people=people, period=period).order_by("-at", "-id")[: size + 1])
    return FailureList(
        events=[
            SignInFailure(
                at=event.at,
                throttled=event.kind == LoginEvent.Kind.SIGN_IN_THROTTLED,
                kind_label=event.get_kind_display(),
                account_known=event.user_id is not None,
                ip_address=event.ip_address,
                user_agent=event.user_agent,
                user_id=event.user_id or by_email.get(event.email),
            )
            for event in events[:size]
        ],
        more=len(events) > size,
    )


def sign_in_failure_counts(*, users: Sequence[User], period: Period) -> dict[int, int]:
    """How many failed and throttled sign-ins each person had in the period (every person
    given, 0 included); one query."""
    counts = dict.fromkeys((person.pk for person in users), 0)
    by_email = {person.email: person.pk for person in users}
    grouped = (
        _failures(people=users, period=period)
        .order_by()
        .values("user_id", "email")
        .annotate(count=Count("id"))
    )
    for row in grouped:
        owner = row["user_id"] or by_email.get(row["email"])
        if owner in counts:
            counts[owner] += row["count"]
    return counts


def _cursor_encode(row: LoginEvent) -> str:
    raw = f"{row.at.isoformat()}|{row.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor_decode(cursor: str) -> tuple[datetime, int] | None:
    """The (at, id) a cursor holds; a malformed one means the first page."""
    if not cursor or len(cursor) > CURSOR_MAX_LENGTH:
        return None
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode()
        at_text, pk_text = raw.split("|")
        at = parse_datetime(at_text)
    except ValueError:
        return None
    if at is None or timezone.is_naive(at) or not (pk_text.isascii() and pk_text.isdigit()):
        return None
    pk = int(pk_text)
    return (at, pk) if pk < 2**63 else None
