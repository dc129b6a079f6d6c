"""Settings for the helpdesk: one module, every deployment value from the environment.

With no environment at all (and DEBUG on) it runs embedded: SQLite, Celery over kombu's filesystem
transport and a file cache, all under VAR_DIR, and mail written to files. With DEBUG off, every
production value must be given; a missing one raises ImproperlyConfigured naming it.
Every variable is documented in .env.example.
"""

import base64
import hashlib
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

# `make run` writes VAR_DIR/quickstart.env (DEBUG=1 and the site's URL), so a command run by hand
# in the same checkout (`manage.py createsuperuser`) gets the quickstart's settings too. It is read
# only when nothing says otherwise: no DEBUG, SECRET_KEY or DATABASE_URL in the environment (or
# .env). A production environment always has them, so it never reads it.
QUICKSTART_ENV = VAR_DIR / "quickstart.env"
if (
    QUICKSTART_ENV.is_file()
    and "DEBUG" not in env.ENVIRON
    and not env.str("SECRET_KEY", default="")
    and not env.str("DATABASE_URL", default="")
):
    env.read_env(QUICKSTART_ENV)

DEBUG = env.bool("DEBUG", default=False)

_missing: list[str] = []
# Values given but unsafe for production, each with what to do about it.
_unsafe: list[str] = []


def _production_value(name: str, value, quickstart_default):
    """Use the environment's value; in DEBUG fall back to a quickstart default, else record it."""
    if value:
        return value
    if not DEBUG:
        _missing.append(name)
    return quickstart_default


SECRET_KEY = _production_value(
    "SECRET_KEY",
    env.str("SECRET_KEY", default=""),
    "django-insecure-quickstart-only-never-use-in-production",
)
if (
    not DEBUG
    and SECRET_KEY
    and (
        SECRET_KEY.startswith(SECRET_KEY_INSECURE_PREFIX)
        or len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH
        or len(set(SECRET_KEY)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
    )
):
    # Django's own rule (check --deploy, security.W009), enforced rather than warned about:
    # sessions, password resets and signed links all rest on this key.
    _unsafe.append(
        f"SECRET_KEY must be at least {SECRET_KEY_MIN_LENGTH} random characters, not a "
        f"placeholder (generate one: python -c 'import secrets; print(secrets.token_urlsafe(50))')"
    )
ALLOWED_HOSTS = _production_value(
    "ALLOWED_HOSTS", env.list("ALLOWED_HOSTS", default=[]), ["localhost", "127.0.0.1", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Applications -----------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_ratelimit",
    "anymail",
    "csp",
    "template_partials",
    "helpdesk",
    "accounts",
    "departments",
    "tickets",
    "responses",
    "reports",
]

MIDDLEWARE = [
    # First: /healthz answers before anything touches the session, the user or the host check,
    # and input PostgreSQL cannot hold (a NUL byte) is refused before any view sees it.
    "helpdesk.middleware.HealthCheckMiddleware",
    "helpdesk.middleware.RejectNullBytesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserTimeZoneMiddleware",
    "accounts.middleware.SignInActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "helpdesk.cache_control.NoStoreMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASE_URL = _production_value("DATABASE_URL", env.str("DATABASE_URL", default=""), "")
if DATABASE_URL:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # A database host that drops packets fails a request in seconds, not at the TCP timeout.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5)
        )
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "helpdesk.sqlite3",
            # The web process, the worker and beat share this file: wait for locks rather than fail,
            # and let readers go on while one process writes.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, Celery broker and results --------------------------------------------------
REDIS_URL = _production_value("REDIS_URL", env.str("REDIS_URL", default=""), "")
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="helpdesk")
if REDIS_URL:
    # A Redis that does not answer is an empty cache (helpdesk/resilient_cache.py): sessions,
    # rate limits and presence carry on without it; /healthz still reports it down.
    CACHES = {
        "default": {
            "BACKEND": "helpdesk.resilient_cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                "socket_connect_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.5),
                "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.5),
                "CIRCUIT_BREAKER_SECONDS": env.float("CACHE_RETRY_AFTER_SECONDS", default=5),
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2}
else:
    # Embedded mode: every process of `make run` sees the same cache and queue through files.
    _celery_dir = VAR_DIR / "celery"
    for _folder in ("queue", "processed", "results", "control"):
        (_celery_dir / _folder).mkdir(parents=True, exist_ok=True)
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{_celery_dir / 'results'}"

# django-ratelimit: a limit the cache cannot count lets the request through (a cache outage is
# not an outage).
RATELIMIT_FAIL_OPEN = True

# --- Celery -----------------------------------------------------------------------------------
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# On SIGTERM (Procfile and docker-compose set REMAP_SIGTERM=SIGQUIT, so SIGTERM is Celery's cold
# shutdown) a running task gets this many seconds to finish; then it is stopped and, acks_late,
# goes back to the queue for the next worker instead of holding the shutdown up.
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = env.float("CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT", default=1.0)
if CELERY_BROKER_URL == "filesystem://":
    # The embedded queue is a folder the worker lists this often (kombu's default: every second).
    CELERY_BROKER_TRANSPORT_OPTIONS["polling_interval"] = 0.2
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request that queues a task while the broker is unreachable gives up within about a
# second: the work is in the database already (the outbox) and a sweep queues it later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "sign-outs-for-expired-sessions": {
        "task": "accounts.tasks.record_expired_session_sign_outs",
        "schedule": timedelta(minutes=5),
    },
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": timedelta(hours=6),
    },
    "poll-mailboxes": {
        "task": "tickets.tasks.mailboxes_poll",
        "schedule": timedelta(seconds=env.int("MAIL_POLL_INTERVAL_SECONDS", default=60)),
    },
    "send-outbox": {
        "task": "tickets.tasks.outbox_sweep_due",
        "schedule": timedelta(minutes=1),
    },
    "absences-start-and-end": {
        "task": "tickets.tasks.absences_carry_out",
        "schedule": timedelta(minutes=1),
    },
    "purge-spam": {
        "task": "tickets.tasks.spam_purge",
        "schedule": timedelta(hours=24),
    },
    "sla-clocks-recompute": {
        "task": "tickets.tasks.sla_clocks_recompute",
        "schedule": timedelta(minutes=1),
    },
    "sla-pending-reminders-and-auto-close": {
        "task": "tickets.tasks.pending_steps_sweep",
        "schedule": timedelta(minutes=5),
    },
    "sla-alerts": {
        "task": "tickets.tasks.sla_alerts_sweep",
        "schedule": timedelta(minutes=1),
    },
    "call-back-reminders": {
        "task": "tickets.tasks.call_backs_remind",
        "schedule": timedelta(minutes=1),
    },
    "notification-digests": {
        "task": "tickets.tasks.notification_digests",
        "schedule": crontab(minute=0),
    },
    # Daily: the managers whose month has turned by their own calendar get last month's summary
    # (reports/monthly_summary.py decides who, and sends each at most once a month).
    "monthly-summaries": {
        "task": "reports.tasks.monthly_summaries",
        "schedule": crontab(hour=6, minute=10),
    },
    # Every 5 minutes: the reports' daily counts of the days that ended or changed since
    # (reports/daily_counts.py); the reports read the rows of any day not counted yet.
    "reports-days-count": {
        "task": "reports.tasks.days_count_task",
        "schedule": 300.0,
    },
}
# How many days one run of reports-days-count counts at most (each takes a few milliseconds at
# a few thousand rows a day; an upgrade's history is counted over the first runs, newest first).
REPORTS_DAYS_PER_COUNT = env.int("REPORTS_DAYS_PER_COUNT", default=400)

# --- Accounts and sessions --------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:sign_in"
AUTH_PASSWORD_VALIDATORS = [
    {
        # Our accounts have a full name rather than Django's first and last names.
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions live in the database, with a copy in the cache for at most SESSION_CACHE_SECONDS; with
# the cache down they carry on from the database alone (helpdesk/session_store.py).
SESSION_ENGINE = "helpdesk.session_store"
SESSION_CACHE_SECONDS = env.int("SESSION_CACHE_SECONDS", default=300)
# Idle timeout: every recorded activity slides the expiry, so a session ends this long after the
# person was last seen, and the sign-out time of an expired session is that last activity.
SESSION_COOKIE_AGE = env.int(
    "SESSION_IDLE_TIMEOUT", default=int(timedelta(hours=12).total_seconds())
)
# How often (seconds) a signed-in person's activity is written to their sign-in record.
SIGN_IN_ACTIVITY_RESOLUTION = env.int("SIGN_IN_ACTIVITY_RESOLUTION", default=60)
# Number of reverse proxies in front of the web processes whose X-Forwarded-For is trusted.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Failed sign-ins allowed per account and per IP address in a fixed window ("10/15m": ten in
# fifteen minutes); past either, the password is not even checked until the window ends. A
# browser that signed in to the account before counts on its own instead
# (accounts/sign_in_throttle.py).
SIGN_IN_FAILURES_PER_ACCOUNT = env.str("SIGN_IN_FAILURES_PER_ACCOUNT", default="10/15m")
SIGN_IN_FAILURES_PER_IP = env.str("SIGN_IN_FAILURES_PER_IP", default="30/15m")
AUTHENTICATION_BACKENDS = ["accounts.backends.ThrottledModelBackend"]
# A password reset link (and a sign-up's confirmation link) works once, for this many seconds.
PASSWORD_RESET_TIMEOUT = env.int(
    "PASSWORD_RESET_TIMEOUT", default=int(timedelta(days=1).total_seconds())
)
# Password reset and sign-up requests allowed per address and per IP address in a fixed window
# (accounts/account_mail_throttle.py); past either the page answers the same, and no mail goes.
ACCOUNT_MAIL_REQUESTS_PER_ADDRESS = env.str("ACCOUNT_MAIL_REQUESTS_PER_ADDRESS", default="3/15m")
ACCOUNT_MAIL_REQUESTS_PER_IP = env.str("ACCOUNT_MAIL_REQUESTS_PER_IP", default="20/h")
# Customers may open an account themselves from the help centre (/accounts/signup/), confirmed
# by a link mailed to the address. Off unless turned on; the quickstart (`make run`) turns it on.
CUSTOMER_SIGNUP = env.bool("CUSTOMER_SIGNUP", default=False)

SECURE_COOKIES = env.bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- HTTPS and browser security ---------------------------------------------------------------
# Behind a proxy that terminates HTTPS (the documented production shape), the proxy tells which
# requests came over HTTPS; the rest are redirected, and HSTS tells browsers never to use plain
# HTTP for this host again.
BEHIND_HTTPS_PROXY = env.bool("BEHIND_HTTPS_PROXY", default=False)
if BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=BEHIND_HTTPS_PROXY)
# Load balancers and container health checks ask over plain HTTP from inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int(
    "SECURE_HSTS_SECONDS",
    default=int(timedelta(days=365).total_seconds()) if BEHIND_HTTPS_PROXY else 0,
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading is a decision to submit the domain to the browsers' list, hard to take back: opt in.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)

# Content-Security-Policy on every response (django-csp): only this site's own scripts, styles,
# fonts and requests; no inline script or style, no eval, no framing. The templates keep every
# script and style in static files; htmx is told (meta htmx-config) not to inject its indicator
# style nor to eval. Bootstrap's JavaScript moves dropdowns and collapses through element.style
# (the CSSOM), which style-src does not govern, so it needs no 'unsafe-inline' either.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap's CSS draws the navbar toggler, select arrows and checks as data: SVGs.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# --- Mail -------------------------------------------------------------------------------------
# One of: ANYMAIL_ESP (e.g. "postmark", "mailgun", "sendgrid", "amazon_ses") with its settings
# given as ANYMAIL_<SETTING> variables; EMAIL_HOST for plain SMTP; or EMAIL_BACKEND as a dotted
# path. With none of them and DEBUG on, mail is written to files under VAR_DIR/mail.
ANYMAIL_ESP = env.str("ANYMAIL_ESP", default="")
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in env.ENVIRON.items()
    if key.startswith("ANYMAIL_") and key != "ANYMAIL_ESP"
}
# Inbound mail webhooks: the ESPs anymail takes inbound mail from, and the ANYMAIL settings any
# one of which authenticates its posts. WEBHOOK_SECRET is HTTP basic auth ("user:password", put
# in the URL given to the ESP); the others are keys the ESP signs each post with. Only the
# configured ESP's route is mounted (INBOUND_WEBHOOK_ESP), only with its secret; in production
# a missing secret stops the start. MAIL_INBOUND_WEBHOOK=false: the ESP only sends, no route.
INBOUND_WEBHOOK_SECRETS: dict[str, tuple[str, ...]] = {
    "amazon_ses": ("WEBHOOK_SECRET",),
    "brevo": ("WEBHOOK_SECRET",),
    "mailersend": ("MAILERSEND_INBOUND_SECRET",),
    "mailgun": ("MAILGUN_WEBHOOK_SIGNING_KEY",),
    "mailjet": ("WEBHOOK_SECRET",),
    "mailtrap": ("WEBHOOK_SECRET", "MAILTRAP_INBOUND_SECRET"),
    "mandrill": ("MANDRILL_WEBHOOK_KEY",),
    "postal": ("POSTAL_WEBHOOK_KEY",),
    "postmark": ("WEBHOOK_SECRET",),
    # Resend's own signature needs the svix package, which is not installed.
    "resend": ("WEBHOOK_SECRET",),
    "sendgrid": ("WEBHOOK_SECRET",),
    "sendinblue": ("WEBHOOK_SECRET",),
    "sparkpost": ("WEBHOOK_SECRET",),
}
INBOUND_WEBHOOK_ESP = ""
if ANYMAIL_ESP in INBOUND_WEBHOOK_SECRETS and env.bool("MAIL_INBOUND_WEBHOOK", default=True):
    _webhook_secrets = INBOUND_WEBHOOK_SECRETS[ANYMAIL_ESP]
    if any(ANYMAIL.get(name) for name in _webhook_secrets):
        INBOUND_WEBHOOK_ESP = ANYMAIL_ESP
    elif not DEBUG:
        _missing.append(
            " or ".join(f"ANYMAIL_{name}" for name in _webhook_secrets)
            + f" (the {ANYMAIL_ESP} inbound webhook's secret; MAIL_INBOUND_WEBHOOK=false if unused)"
        )
_basic_auth = ANYMAIL.get("WEBHOOK_SECRET", "")
if _basic_auth and not all(part for part in _basic_auth.partition(":")):
    _unsafe.append('ANYMAIL_WEBHOOK_SECRET must be "user:password"')
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
if env.str("EMAIL_BACKEND", default=""):
    EMAIL_BACKEND = env.str("EMAIL_BACKEND")
elif ANYMAIL_ESP:
    EMAIL_BACKEND = f"anymail.backends.{ANYMAIL_ESP}.EmailBackend"
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = _production_value(
        "ANYMAIL_ESP or EMAIL_HOST or EMAIL_BACKEND",
        "",
        "django.core.mail.backends.filebased.EmailBackend",
    )
# Where the file backend (the quickstart's, or EMAIL_BACKEND=…filebased…) writes mail.
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = _production_value(
    "DEFAULT_FROM_EMAIL", env.str("DEFAULT_FROM_EMAIL", default=""), "helpdesk@localhost"
)
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# --- Static files and media -------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
S3_BUCKET = env.str("S3_BUCKET", default="")
if S3_BUCKET:
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("S3_ENDPOINT_URL", default=None),
            "region_name": env.str("S3_REGION", default=None),
            "access_key": env.str("S3_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# --- Attachments ------------------------------------------------------------------------------
ATTACHMENT_MAX_FILE_SIZE = env.int("ATTACHMENT_MAX_FILE_SIZE", default=10 * 1024 * 1024)
ATTACHMENT_MAX_MESSAGE_SIZE = env.int("ATTACHMENT_MAX_MESSAGE_SIZE", default=25 * 1024 * 1024)
ATTACHMENT_MAX_FILES = env.int("ATTACHMENT_MAX_FILES", default=10)
# Images larger than this many pixels are refused (decompression-bomb guard).
ATTACHMENT_MAX_IMAGE_PIXELS = env.int("ATTACHMENT_MAX_IMAGE_PIXELS", default=40_000_000)
ATTACHMENT_BLOCKED_EXTENSIONS = env.list(
    "ATTACHMENT_BLOCKED_EXTENSIONS",
    default=[
        "exe", "com", "bat", "cmd", "scr", "pif", "msi", "msp", "dll", "cpl", "jar", "js", "jse",
        "vbs", "vbe", "wsf", "wsh", "ps1", "hta", "lnk", "reg", "sh", "app", "apk", "iso",
    ],
)  # fmt: skip
# Uploads are streamed to temporary files above this size rather than held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The largest form post held in memory (files excepted). Inbound webhooks carry the whole mail in
# the post: raise it (to about MAIL_MAX_SIZE × 1.4, for base64) to take large mail by webhook;
# a larger post is answered 413 and the ESP keeps the mail.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)

# --- Intake -----------------------------------------------------------------------------------
# The address people reach the helpdesk at, for links in emails.
SITE_URL = _production_value(
    "SITE_URL", env.str("SITE_URL", default=""), "http://127.0.0.1:8000"
).rstrip("/")
# A link to the shop's page of an order, for the order numbers on a customer's page: "{order}"
# stands for the order number (URL-quoted), e.g. https://shop.example/admin/orders/{order}.
# Empty: order numbers are shown as plain text. Only http(s) addresses are accepted.
ORDER_URL_TEMPLATE = env.str("ORDER_URL_TEMPLATE", default="").strip()
if ORDER_URL_TEMPLATE and (
    not ORDER_URL_TEMPLATE.lower().startswith(("http://", "https://"))
    or "{order}" not in ORDER_URL_TEMPLATE
):
    raise ImproperlyConfigured(
        "ORDER_URL_TEMPLATE must be an http:// or https:// address with {order} in it, "
        "e.g. https://shop.example/admin/orders/{order}."
    )
# Ticket submissions and customer replies allowed per IP address on public pages.
INTAKE_RATE_LIMIT = env.str("INTAKE_RATE_LIMIT", default="20/h")
RATELIMIT_IP_META_KEY = "accounts.client_info.client_ip_for_rate_limit"
SILENCED_SYSTEM_CHECKS = [
    # django-ratelimit names django-redis; Django's own RedisCache increments atomically too.
    "django_ratelimit.W001",
    # The embedded quickstart's file cache increments without a lock; on one machine the
    # worst case is a few submissions past the limit.
    "django_ratelimit.E003",
    # HSTS preload is opt-in (SECURE_HSTS_PRELOAD): see the HTTPS section.
    "security.W021",
]

# --- Email channel ---------------------------------------------------------------------------
# Fernet key for mailbox passwords at rest (Fernet.generate_key()). Required in production; only
# the quickstart derives one from SECRET_KEY (changing that key then loses mailbox passwords).
MAILBOX_CREDENTIALS_KEY = _production_value(
    "MAILBOX_CREDENTIALS_KEY",
    env.str("MAILBOX_CREDENTIALS_KEY", default=""),
    base64.urlsafe_b64encode(
        hashlib.sha256(f"mailbox-credentials:{SECRET_KEY}".encode()).digest()
    ).decode(),
)
try:
    Fernet(MAILBOX_CREDENTIALS_KEY)
except ValueError:
    _unsafe.append(
        "MAILBOX_CREDENTIALS_KEY must be a Fernet key (generate one: python -c 'from "
        "cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
    )
# Mail larger than this (bytes) is not downloaded: it is recorded and left on the server.
MAIL_MAX_SIZE = env.int("MAIL_MAX_SIZE", default=25 * 1024 * 1024)
# How many mails one poll of one mailbox takes in; a poll that reaches it queues the next one
# at once, so a backlog drains without waiting for the beat.
MAIL_POLL_BATCH = env.int("MAIL_POLL_BATCH", default=200)
MAIL_POLL_INTERVAL_SECONDS = env.int("MAIL_POLL_INTERVAL_SECONDS", default=60)
# At most this many auto-responses to one sender per hour, whatever they send.
MAIL_AUTO_RESPONSES_PER_HOUR = env.int("MAIL_AUTO_RESPONSES_PER_HOUR", default=3)
# At most this many ticket confirmations to one address per hour: the web form cannot be used
# to flood a stranger with mail from the helpdesk's address. The tickets are still opened.
MAIL_CONFIRMATIONS_PER_HOUR = env.int("MAIL_CONFIRMATIONS_PER_HOUR", default=5)
# At most this many account mails (password resets, sign-up links) of a kind to one address per
# hour, whatever the pages' throttle lets through (it needs the cache; this counts in the outbox).
MAIL_ACCOUNT_MAILS_PER_HOUR = env.int("MAIL_ACCOUNT_MAILS_PER_HOUR", default=5)
# A mail that fails to send is tried again, pausing 2, 4, 8… minutes (at most an hour), this
# many times in all; then it stays failed in the outbox for an admin to send again.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=12)
# Spam is deleted this many days after it arrived.
SPAM_RETENTION_DAYS = env.int("SPAM_RETENTION_DAYS", default=30)
# A CA bundle to verify mailbox servers against instead of the system's (self-hosted mail).
MAILBOX_CA_FILE = env.str("MAILBOX_CA_FILE", default="") or None

# --- Customer satisfaction --------------------------------------------------------------------
# A customer may change their rating of a case, or add a comment, for this many days after
# they first gave it (0: a rating is final at once).
SATISFACTION_CHANGE_DAYS = env.int("SATISFACTION_CHANGE_DAYS", default=14)
# A mark scoring below this is poor: the case's department's managers are notified and it
# appears in their activity feed (once per case).
SATISFACTION_POOR_BELOW = env.int("SATISFACTION_POOR_BELOW", default=0)

# --- Language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian")), ("uk", _("Ukrainian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# Shown to people who have not picked a time zone of their own.
DEFAULT_USER_TIME_ZONE = env.str("DEFAULT_USER_TIME_ZONE", default="UTC")

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django adds a console handler of its own in DEBUG; one line per message is enough.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
    },
}

_problems = []
if _missing:
    _problems.append(
        "DEBUG is off, so these production settings must be set in the environment: "
        + ", ".join(_missing)
        + "."
    )
if _unsafe:
    _problems.append("Unsafe settings: " + "; ".join(_unsafe) + ".")
if _problems:
    raise ImproperlyConfigured(" ".join(_problems) + " See .env.example.")
