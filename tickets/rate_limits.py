"""Public pages that write are limited per IP address (django-ratelimit, counted in the cache).
A limit the cache cannot count lets the request through (RATELIMIT_FAIL_OPEN): a cache outage
must not stop people asking for help."""

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

RETRY_AFTER_SECONDS = 600


def intake_rate_limited(request) -> bool:
    """Count this POST against the sender's address; True once they are over the limit."""
    return is_ratelimited(
        request,
        group="tickets.intake",
        key="ip",
        rate=settings.INTAKE_RATE_LIMIT,
        method="POST",
        increment=True,
    )


def too_many_requests(request):
    response = render(request, "tickets/rate_limited.html", status=429)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
