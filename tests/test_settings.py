"""With DEBUG off, a deployment missing a production value, or given an unsafe one, refuses to
start and says which; the documented production environment passes `check --deploy`."""

import json
import os
import subprocess
import sys

import pytest

from tests.embedded import REPO, manage, project_env

# A complete production environment with the values an operator generates for themselves.
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7Qp2vLk9ZrT4mWc8NbF3hJd6GsY1uAe5oKi0RtPzXlMqVwBnCyDjEfHgUaSoIr",
    "MAILBOX_CREDENTIALS_KEY": "xjdInU3mdaOdLQ-97KuY_kVvusSuDeWgmF6iJYKF7HU=",
    "ALLOWED_HOSTS": "helpdesk.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/helpdesk",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "DEFAULT_FROM_EMAIL": "support@example.com",
    "SITE_URL": "https://helpdesk.example.com",
    "EMAIL_HOST": "smtp.example.com",
}


def load_settings(*names: str, **env: str) -> subprocess.CompletedProcess:
    """Start Django with `env` only (nothing inherited from the suite) and print `names`."""
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {list(names)!r}}}, "
        "default=str))"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=project_env(DJANGO_SETTINGS_MODULE="helpdesk.settings", **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def loaded(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def refused(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    return result.stderr


def test_missing_production_values_raise_improperly_configured_naming_them(tmp_path):
    stderr = refused(load_settings(DEBUG="false", VAR_DIR=str(tmp_path)))

    for name in (
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "DEFAULT_FROM_EMAIL",
        "SITE_URL",
        "MAILBOX_CREDENTIALS_KEY",
    ):
        assert name in stderr
    assert "ANYMAIL_ESP or EMAIL_HOST or EMAIL_BACKEND" in stderr


def test_complete_production_values_load(tmp_path):
    values = loaded(load_settings("DATABASES", "INBOUND_WEBHOOK_ESP", **PRODUCTION))

    assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert values["INBOUND_WEBHOOK_ESP"] == ""


def test_quickstart_needs_nothing_but_debug_and_derives_the_mailbox_key(tmp_path):
    values = loaded(
        load_settings("DATABASES", "MAILBOX_CREDENTIALS_KEY", DEBUG="true", VAR_DIR=str(tmp_path))
    )

    assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert len(values["MAILBOX_CREDENTIALS_KEY"]) == 44


@pytest.mark.parametrize(
    "secret_key",
    [
        "change-me-in-.env",  # docker-compose.yml's old default
        "django-insecure-" + "k3J9xQ2mZ7vB4nW8pL1rT6yH5cF0gD3sA9eU2iO7" * 2,
        "Zr4Tq8Wm2Xv6Np1Ks5Hb9Jd3Fg7Lc0Py4Ue8Io2Aw6Qz1Mx5",  # 49 characters
        "abcd" * 20,  # long, but four different characters
    ],
)
def test_a_placeholder_or_weak_secret_key_is_refused_in_production(secret_key):
    stderr = refused(load_settings("DEBUG", **{**PRODUCTION, "SECRET_KEY": secret_key}))

    assert "SECRET_KEY must be at least 50 random characters" in stderr


def test_the_mailbox_credentials_key_must_be_a_fernet_key():
    stderr = refused(
        load_settings("DEBUG", **{**PRODUCTION, "MAILBOX_CREDENTIALS_KEY": "not-a-fernet-key"})
    )

    assert "MAILBOX_CREDENTIALS_KEY must be a Fernet key" in stderr


@pytest.mark.parametrize(
    ("esp", "secret_names"),
    [
        ("postmark", "ANYMAIL_WEBHOOK_SECRET"),
        ("mailgun", "ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY"),
        ("mailtrap", "ANYMAIL_WEBHOOK_SECRET or ANYMAIL_MAILTRAP_INBOUND_SECRET"),
    ],
)
def test_an_esp_without_its_inbound_webhook_secret_is_refused_in_production(esp, secret_names):
    stderr = refused(load_settings("DEBUG", **{**PRODUCTION, "ANYMAIL_ESP": esp}))

    assert secret_names in stderr


def test_an_esp_with_its_webhook_secret_mounts_its_inbound_route():
    env = {
        **PRODUCTION,
        "ANYMAIL_ESP": "mailgun",
        "ANYMAIL_MAILGUN_API_KEY": "key",
        "ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY": "signing-key",
    }

    values = loaded(load_settings("INBOUND_WEBHOOK_ESP", "EMAIL_BACKEND", **env))

    assert values == {
        "INBOUND_WEBHOOK_ESP": "mailgun",
        "EMAIL_BACKEND": "anymail.backends.mailgun.EmailBackend",
    }


def test_an_esp_used_only_for_sending_needs_no_webhook_secret():
    env = {**PRODUCTION, "ANYMAIL_ESP": "postmark", "MAIL_INBOUND_WEBHOOK": "false"}

    assert loaded(load_settings("INBOUND_WEBHOOK_ESP", **env)) == {"INBOUND_WEBHOOK_ESP": ""}


def test_the_quickstart_mounts_no_unauthenticated_webhook(tmp_path):
    values = loaded(
        load_settings(
            "INBOUND_WEBHOOK_ESP", DEBUG="true", VAR_DIR=str(tmp_path), ANYMAIL_ESP="postmark"
        )
    )

    assert values == {"INBOUND_WEBHOOK_ESP": ""}


def test_the_webhook_basic_auth_must_be_user_and_password():
    env = {**PRODUCTION, "ANYMAIL_ESP": "postmark", "ANYMAIL_WEBHOOK_SECRET": "just-a-password"}

    assert 'ANYMAIL_WEBHOOK_SECRET must be "user:password"' in refused(load_settings(**env))


def test_behind_an_https_proxy_plain_http_is_redirected_and_hsts_sent():
    names = ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS")

    behind_proxy = loaded(load_settings(*names, **PRODUCTION, BEHIND_HTTPS_PROXY="true"))
    direct = loaded(load_settings(*names, **PRODUCTION))

    assert behind_proxy == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    }
    assert direct["SECURE_SSL_REDIRECT"] is False
    assert direct["SECURE_HSTS_SECONDS"] == 0


def documented_production_environment() -> dict[str, str]:
    """.env.example's values, plus what its comments ask the operator to generate or choose."""
    values = {}
    for line in (REPO / ".env.example").read_text().splitlines():
        name, equals, value = line.partition("=")
        if equals and not line.startswith("#") and value:
            values[name.strip()] = value.strip()
    return {
        **values,
        "SECRET_KEY": PRODUCTION["SECRET_KEY"],
        "MAILBOX_CREDENTIALS_KEY": PRODUCTION["MAILBOX_CREDENTIALS_KEY"],
        "EMAIL_HOST": "smtp.example.com",
    }


def test_check_deploy_is_clean_with_the_documented_production_environment():
    # Only that environment: nothing the suite sets (e.g. DJANGO_ALLOW_ASYNC_UNSAFE) leaks in.
    system = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env = {**system, **documented_production_environment()}

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env, timeout=120)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


# `make run` writes VAR_DIR/quickstart.env so commands run by hand in that checkout get the
# quickstart's settings (issue 14) — never where a production environment is present.


def quickstart_marker(var_dir):
    (var_dir / "quickstart.env").write_text("DEBUG=1\nSITE_URL=http://127.0.0.1:8000\n")


def test_after_make_run_a_command_by_hand_gets_the_quickstart_settings(tmp_path):
    quickstart_marker(tmp_path)

    settings = loaded(load_settings("DEBUG", "SITE_URL", VAR_DIR=str(tmp_path)))

    assert settings == {"DEBUG": True, "SITE_URL": "http://127.0.0.1:8000"}


def test_without_the_marker_no_debug_still_refuses_to_start(tmp_path):
    stderr = refused(load_settings("DEBUG", VAR_DIR=str(tmp_path)))

    assert "SECRET_KEY" in stderr


@pytest.mark.parametrize(
    "production",
    [
        {"DEBUG": "false"},
        {"SECRET_KEY": PRODUCTION["SECRET_KEY"]},
        {"DATABASE_URL": PRODUCTION["DATABASE_URL"]},
    ],
    ids=["debug-off", "secret-key", "database-url"],
)
def test_a_production_environment_ignores_the_marker_and_still_needs_its_values(
    tmp_path, production
):
    quickstart_marker(tmp_path)

    stderr = refused(load_settings("DEBUG", VAR_DIR=str(tmp_path), **production))

    assert "ALLOWED_HOSTS" in stderr


def test_a_complete_production_environment_with_a_marker_left_behind_stays_production(tmp_path):
    quickstart_marker(tmp_path)

    settings = loaded(load_settings("DEBUG", "SITE_URL", **PRODUCTION, VAR_DIR=str(tmp_path)))

    assert settings == {"DEBUG": False, "SITE_URL": "https://helpdesk.example.com"}
