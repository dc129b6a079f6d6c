"""Where a request came from: the client's IP address and browser, as far as we can trust them."""

import ipaddress

from django.conf import settings

USER_AGENT_MAX_LENGTH = 512


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front, the address the outermost
    trusted proxy saw. Addresses a client wrote into X-Forwarded-For itself are never used."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            p for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()
        ]
        if len(forwarded) >= proxies:
            return _valid_ip(forwarded[-proxies])
    return _valid_ip(request.META.get("REMOTE_ADDR", ""))


def client_ip_for_rate_limit(request) -> str:
    """django-ratelimit's key: requests with no usable address share one bucket."""
    return client_ip(request) or "0.0.0.0"


def client_user_agent(request) -> str:
    """The browser's User-Agent, as far as it can be stored: a NUL byte (PostgreSQL cannot hold
    one) is dropped, and the rest cut to USER_AGENT_MAX_LENGTH."""
    agent = request.META.get("HTTP_USER_AGENT", "").replace("\x00", "")
    return agent[:USER_AGENT_MAX_LENGTH]
