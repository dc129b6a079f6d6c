"""How often one address, and one IP address, may ask for account mail (a password reset, a
sign-up link): ACCOUNT_MAIL_REQUESTS_PER_ADDRESS and ACCOUNT_MAIL_REQUESTS_PER_IP, fixed windows
in the cache (django-ratelimit), as the sign-in throttle counts (accounts/sign_in_throttle.py).

A request past either limit gets the same page as any other, so the page never tells whether an
address has an account, and no mail is written. With the cache down nothing is counted
(RATELIMIT_FAIL_OPEN); the outbox's hourly limit per address (MAIL_ACCOUNT_MAILS_PER_HOUR) still
holds."""

from django.conf import settings
from django_ratelimit.core import get_usage

from accounts.client_info import client_ip_for_rate_limit
from accounts.models import normalize_email_address


def account_mail_allowed(*, request, email: str) -> bool:
    """Count this request against its address and its IP address; whether it is within both."""
    counters = [
        (
            "accounts.account_mail.address",
            normalize_email_address(email)[:254],
            settings.ACCOUNT_MAIL_REQUESTS_PER_ADDRESS,
        ),
        (
            "accounts.account_mail.ip",
            client_ip_for_rate_limit(request),
            settings.ACCOUNT_MAIL_REQUESTS_PER_IP,
        ),
    ]
    allowed = True
    for group, value, rate in counters:
        usage = get_usage(
            request,
            group=group,
            key=lambda _group, _request, value=value: value,
            rate=rate,
            increment=True,
        )
        if usage is not None and usage["should_limit"]:
            allowed = False
    return allowed
