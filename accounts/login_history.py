"""Sign-in history: writes LoginEvent rows for sign-ins, sign-outs, failed and throttled
sign-ins and sessions that ended by expiry. The auth signal receivers and the activity
middleware call these."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.client_info import client_ip, client_user_agent
from accounts.models import LoginEvent, User, normalize_email_address
from accounts.sign_in_throttle import throttle_of

# Keys kept in the session to tie requests to their sign-in row.
SESSION_SIGN_IN_ID = "_sign_in_event_id"
SESSION_SIGN_IN_KEY = "_sign_in_session_key"
SESSION_ACTIVITY_AT = "_sign_in_activity_at"

# Sign-ins idle for longer than this are not looked at again: the beat task runs every few
# minutes, so only a worker stopped for months could leave one behind.
EXPIRY_SCAN_WINDOW = timedelta(days=90)


def sign_in_record(*, request, user: User) -> LoginEvent:
    """Record a successful sign-in and remember it in the session for later activity."""
    now = timezone.now()
    event = LoginEvent.objects.create(
        kind=LoginEvent.Kind.SIGN_IN,
        user=user,
        email=user.email,
        at=now,
        ip_address=client_ip(request),
        user_agent=client_user_agent(request),
        session_key=request.session.session_key or "",
        last_activity_at=now,
    )
    request.session[SESSION_SIGN_IN_ID] = event.pk
    request.session[SESSION_SIGN_IN_KEY] = event.session_key
    request.session[SESSION_ACTIVITY_AT] = now.timestamp()
    return event


def sign_out_record(*, request, user: User | None) -> LoginEvent | None:
    """Record a sign-out, tied to the sign-in it ends when the session knows it."""
    if user is None or not user.is_authenticated:
        return None
    sign_in = None
    sign_in_id = request.session.get(SESSION_SIGN_IN_ID)
    if sign_in_id:
        sign_in = LoginEvent.objects.filter(
            pk=sign_in_id, user=user, kind=LoginEvent.Kind.SIGN_IN
        ).first()
    return _ending_create(
        sign_in=sign_in,
        kind=LoginEvent.Kind.SIGN_OUT,
        user=user,
        at=timezone.now(),
        ip_address=client_ip(request),
        user_agent=client_user_agent(request),
        session_key=request.session.session_key or "",
    )


def sign_in_failure_record(*, request, email: str) -> LoginEvent:
    """Record a failed sign-in: the address typed, and the account it names if there is one.
    An attempt the throttle refused without checking the password is recorded as such."""
    email = normalize_email_address(email)[:254]
    throttled = request is not None and throttle_of(request) is not None
    return LoginEvent.objects.create(
        kind=LoginEvent.Kind.SIGN_IN_THROTTLED if throttled else LoginEvent.Kind.SIGN_IN_FAILED,
        user=User.objects.filter(email=email).first() if email else None,
        email=email,
        ip_address=client_ip(request) if request is not None else None,
        user_agent=client_user_agent(request) if request is not None else "",
    )


def sign_in_activity_touch(*, request) -> bool:
    """Note that the signed-in person is active, at most once per SIGN_IN_ACTIVITY_RESOLUTION.

    Touching the session also slides its expiry, so an idle session ends SESSION_COOKIE_AGE
    after the last activity written here. Returns whether anything was written."""
    session = request.session
    sign_in_id = session.get(SESSION_SIGN_IN_ID)
    if not sign_in_id:
        return False
    now = timezone.now()
    key_changed = session.session_key != session.get(SESSION_SIGN_IN_KEY)
    stale = now.timestamp() - session.get(SESSION_ACTIVITY_AT, 0) >= (
        settings.SIGN_IN_ACTIVITY_RESOLUTION
    )
    if not (key_changed or stale):
        return False
    LoginEvent.objects.filter(pk=sign_in_id).update(
        last_activity_at=now, session_key=session.session_key or ""
    )
    session[SESSION_SIGN_IN_KEY] = session.session_key
    session[SESSION_ACTIVITY_AT] = now.timestamp()
    return True


def expired_session_sign_outs_record(*, now: datetime | None = None) -> int:
    """Give every sign-in whose session is gone or expired a SESSION_EXPIRED row dated at its
    last recorded activity. Safe to run twice at once: a sign-in has at most one ending."""
    now = now or timezone.now()
    open_sign_ins = (
        LoginEvent.objects.filter(
            kind=LoginEvent.Kind.SIGN_IN, last_activity_at__gte=now - EXPIRY_SCAN_WINDOW
        )
        .exclude(Exists(LoginEvent.objects.filter(sign_in=OuterRef("pk"))))
        .exclude(
            Exists(Session.objects.filter(session_key=OuterRef("session_key"), expire_date__gt=now))
        )
        .order_by("last_activity_at")
    )
    recorded = 0
    for sign_in in open_sign_ins.iterator(chunk_size=500):
        ending = _ending_create(
            sign_in=sign_in,
            kind=LoginEvent.Kind.SESSION_EXPIRED,
            user=sign_in.user,
            at=sign_in.last_activity_at or sign_in.at,
            ip_address=sign_in.ip_address,
            user_agent=sign_in.user_agent,
            session_key=sign_in.session_key,
        )
        recorded += ending is not None
    return recorded


def _ending_create(*, sign_in: LoginEvent | None, **fields) -> LoginEvent | None:
    """Create a sign-out row; None when another process already ended that sign-in."""
    try:
        with transaction.atomic():
            return LoginEvent.objects.create(sign_in=sign_in, email=fields["user"].email, **fields)
    except IntegrityError:
        if sign_in is None:
            raise
        return None
