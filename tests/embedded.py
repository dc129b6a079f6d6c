"""Runs the project in a subprocess with a chosen environment, as `make run` or a deploy would."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Variables the suite sets for itself (pyproject.toml) that an embedded run must not inherit.
PROJECT_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "MAILBOX_CREDENTIALS_KEY",
    "ALLOWED_HOSTS",
    "DEFAULT_FROM_EMAIL",
    "SITE_URL",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "ANYMAIL_ESP",
    "STATICFILES_STORAGE",
    "SECURE_COOKIES",
    "CACHE_KEY_PREFIX",
    "CELERY_TASK_ALWAYS_EAGER",
    "VAR_DIR",
    "DEBUG",
    "DJANGO_SETTINGS_MODULE",
)


def project_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PROJECT_VARIABLES}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(values)
    return env


def manage(*args: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
