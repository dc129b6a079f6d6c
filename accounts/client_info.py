"""Where a request came from: the client's IP address and browser, as far as we can trust them."""

import ipaddress

from django.conf import settings
from django.utils.translation import gettext as _

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


# (marker in the User-Agent, name shown). Order matters: Edge and Opera also say "Chrome", and
# Chrome also says "Safari".
_BROWSERS = [
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("YaBrowser/", "Yandex Browser"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("HeadlessChrome/", "Chrome (headless)"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Version/", "Safari"),  # Safari names its version here
]
_SYSTEMS = [
    ("Windows", "Windows"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("CrOS", "ChromeOS"),
    ("Android", "Android"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
]
BROWSER_SUMMARY_FALLBACK_LENGTH = 60


def browser_summary(user_agent: str) -> str:
    """A short readable name for a stored User-Agent: "Firefox 128 on Windows". An agent we do
    not recognise (a script, a mail client) is shown as it came, cut short; no agent, "".

    Only for people to read: a User-Agent says whatever the client likes."""
    agent = (user_agent or "").strip()
    if not agent:
        return ""
    browser = next(
        (
            (name, _major_version(agent, marker))
            for marker, name in _BROWSERS
            if marker in agent and (marker != "Version/" or "Safari/" in agent)
        ),
        None,
    )
    system = next((name for marker, name in _SYSTEMS if marker in agent), "")
    if browser is None:
        return agent[:BROWSER_SUMMARY_FALLBACK_LENGTH]
    name, version = browser
    shown = f"{name} {version}" if version else name
    if not system:
        return shown
    return _("%(browser)s on %(system)s") % {"browser": shown, "system": system}


def _major_version(agent: str, marker: str) -> str:
    rest = agent.split(marker, 1)[1]
    major = rest.split(".", 1)[0].split(" ", 1)[0]
    return major if major.isdigit() else ""
