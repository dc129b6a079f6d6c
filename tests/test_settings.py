"""With DEBUG off, a deployment missing a production value refuses to start and says which."""

import subprocess
import sys

from tests.embedded import REPO, project_env

LOAD_SETTINGS = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DATABASES['default']['ENGINE'])"
)


def load_settings(**env):
    return subprocess.run(
        [sys.executable, "-c", LOAD_SETTINGS],
        cwd=REPO,
        env=project_env(DJANGO_SETTINGS_MODULE="helpdesk.settings", **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_production_values_raise_improperly_configured_naming_them(tmp_path):
    result = load_settings(DEBUG="false", VAR_DIR=str(tmp_path))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    for name in (
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "DEFAULT_FROM_EMAIL",
        "SITE_URL",
    ):
        assert name in result.stderr
    assert "ANYMAIL_ESP or EMAIL_HOST or EMAIL_BACKEND" in result.stderr


def test_complete_production_values_load(tmp_path):
    result = load_settings(
        DEBUG="false",
        VAR_DIR=str(tmp_path),
        SECRET_KEY="s3cret",
        ALLOWED_HOSTS="helpdesk.example.com",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/helpdesk",
        REDIS_URL="redis://127.0.0.1:6379/0",
        DEFAULT_FROM_EMAIL="support@example.com",
        SITE_URL="https://helpdesk.example.com",
        ANYMAIL_ESP="postmark",
        ANYMAIL_POSTMARK_SERVER_TOKEN="token",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_quickstart_needs_nothing_but_debug(tmp_path):
    result = load_settings(DEBUG="true", VAR_DIR=str(tmp_path))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"
