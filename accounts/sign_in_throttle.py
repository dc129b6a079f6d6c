"""Sign-in throttling: failed sign-ins are counted, and past a limit the password is not even
checked until the counting window ends.

Failures count per account (the address typed, whether or not an account has it) and per IP
address, in fixed windows (django-ratelimit, in the cache): SIGN_IN_FAILURES_PER_ACCOUNT and
SIGN_IN_FAILURES_PER_IP, e.g. "10/15m". Windows end on their own, so nobody is locked out for
longer than one window, however long an attack goes on.

A browser that has signed in to an account before carries a signed device cookie naming it
(OWASP's "device cookie"). For that account such a browser is not held by the account's or the
IP address's counters but by its own, so someone hammering the account from elsewhere cannot
keep its owner out.

Counting needs the cache: when it does not answer, nothing is counted and nobody is held
(RATELIMIT_FAIL_OPEN), as for every rate limit of the product.
"""

import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.utils.crypto import salted_hmac
from django_ratelimit.core import get_usage

from accounts.client_info import client_ip_for_rate_limit
from accounts.models import normalize_email_address

DEVICE_COOKIE = "sign_in_device"
DEVICE_COOKIE_SALT = "accounts.sign_in_throttle.device"
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600
# A shared computer remembers at most this many accounts (the latest ones).
DEVICE_ACCOUNTS_MAX = 10

# Set on the request by the authentication backend when it refused to check a password.
REQUEST_ATTRIBUTE = "sign_in_throttle"


@dataclass(frozen=True)
class Throttle:
    """The throttle holding a sign-in back, and for how long."""

    seconds_left: int

    @property
    def minutes_left(self) -> int:
        return max(1, math.ceil(self.seconds_left / 60))


@dataclass(frozen=True)
class _Counter:
    group: str
    value: str
    rate: str


def _account(email: str) -> str:
    """An account as the device cookie names it: a keyed hash, never the address itself."""
    return salted_hmac(DEVICE_COOKIE_SALT, normalize_email_address(email)).hexdigest()[:20]


def _device_cookie(request) -> tuple[str, list[str]] | None:
    """(nonce, accounts) from this browser's device cookie, if it carries a valid one."""
    value = request.get_signed_cookie(
        DEVICE_COOKIE, default=None, salt=DEVICE_COOKIE_SALT, max_age=DEVICE_COOKIE_MAX_AGE
    )
    if not value:
        return None
    nonce, _sep, accounts = value.partition("|")
    return (nonce, accounts.split(".")) if nonce else None


def _counters(request, email: str) -> list[_Counter]:
    email = normalize_email_address(email)[:254]
    account = _account(email)
    device = _device_cookie(request)
    if device is not None and account in device[1]:
        return [
            _Counter(
                "accounts.sign_in.device",
                f"{device[0]}:{account}",
                settings.SIGN_IN_FAILURES_PER_ACCOUNT,
            ),
        ]
    return [
        _Counter("accounts.sign_in.account", email, settings.SIGN_IN_FAILURES_PER_ACCOUNT),
        _Counter(
            "accounts.sign_in.ip",
            client_ip_for_rate_limit(request),
            settings.SIGN_IN_FAILURES_PER_IP,
        ),
    ]


def _usage(request, counter: _Counter, *, increment: bool) -> dict | None:
    return get_usage(
        request,
        group=counter.group,
        key=lambda _group, _request: counter.value,
        rate=counter.rate,
        increment=increment,
    )


def sign_in_throttle(*, request, email: str) -> Throttle | None:
    """What holds this browser back from trying a password for this address now, if anything.
    Asking counts nothing."""
    waits = []
    for counter in _counters(request, email):
        usage = _usage(request, counter, increment=False)
        if usage is not None and usage["count"] >= usage["limit"]:
            # The window's last second still counts: the wait ends one second after it.
            waits.append(usage["time_left"] + 1)
    return Throttle(seconds_left=max(waits)) if waits else None


def sign_in_failure_count(*, request, email: str) -> None:
    """Count a failed password check against every counter that holds this browser."""
    for counter in _counters(request, email):
        _usage(request, counter, increment=True)


def throttle_of(request) -> Throttle | None:
    """The throttle that refused this request's password check, if one did."""
    return getattr(request, REQUEST_ATTRIBUTE, None)


def device_cookie_set(*, request, response, email: str) -> None:
    """After a successful sign-in: this browser now vouches for the account. A fresh nonce each
    time, so the device's own counter starts again."""
    device = _device_cookie(request)
    accounts = device[1] if device is not None else []
    account = _account(email)
    accounts = [a for a in accounts if a and a != account][-(DEVICE_ACCOUNTS_MAX - 1) :]
    accounts.append(account)
    # Only characters a cookie holds unquoted: token_urlsafe's, hex digits, "|" and ".".
    response.set_signed_cookie(
        DEVICE_COOKIE,
        f"{secrets.token_urlsafe(16)}|{'.'.join(accounts)}",
        salt=DEVICE_COOKIE_SALT,
        max_age=DEVICE_COOKIE_MAX_AGE,
        secure=settings.SECURE_COOKIES,
        httponly=True,
        samesite="Lax",
    )
