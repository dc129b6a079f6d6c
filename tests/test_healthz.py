from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from helpdesk.celery import app as celery_app
from helpdesk.views import server_error

pytestmark = pytest.mark.django_db

CLOSED_PORT = 1


def test_healthz_answers_200_when_database_cache_and_broker_answer(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": {"ok": True}, "cache": {"ok": True}, "broker": {"ok": True}},
    }
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_broker_does_not(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")
    monkeypatch.setattr(celery_app.conf, "broker_write_url", None)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"] == {"ok": True}


def test_healthz_answers_503_when_the_cache_does_not(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "helpdesk.resilient_cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False


# --- The database down ------------------------------------------------------------------------
# The real server is never touched: the connection is pointed at a closed port for the length of
# the `database_down` block, then pointed back and reconnected. The tests are transactional so
# that no test transaction is open on the connection being closed.


@contextmanager
def database_down():
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=CLOSED_PORT)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.fixture
def offline_client():
    """A client that hands back the error page rather than raising the view's exception."""
    return Client(raise_request_exception=False)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("session_cookie", [False, True], ids=["anonymous", "session-cookie"])
def test_healthz_answers_503_json_when_the_database_does_not(offline_client, session_cookie):
    if session_cookie:
        # A session the cache does not hold: loading it would need the database.
        offline_client.cookies["sessionid"] = "a" * 32

    with database_down():
        response = offline_client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert body["checks"]["cache"] == {"ok": True}
    assert User.objects.count() == 0  # and the database answers again afterwards


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_before_any_session_or_user_is_loaded(offline_client, tech):
    offline_client.force_login(tech)

    with database_down():
        response = offline_client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"]["database"]["ok"] is False


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/desk/", "/support/", "/accounts/login/"])
def test_a_page_answers_a_503_page_while_the_database_is_down(offline_client, tech, path):
    offline_client.force_login(tech)

    with database_down():
        response = offline_client.get(path)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "The helpdesk is temporarily unavailable" in html
    assert "Our database is not answering right now" in html
    assert offline_client.get(path).status_code in (200, 302)


@pytest.mark.django_db(transaction=True)
def test_a_form_post_answers_a_503_page_while_the_database_is_down(offline_client, tech):
    offline_client.force_login(tech)

    with database_down():
        response = offline_client.post(
            reverse("accounts:sign_in"), {"username": tech.email, "password": "anything"}
        )

    assert response.status_code == 503
    assert "temporarily unavailable" in response.content.decode()


@pytest.fixture
def default_language_afterwards():
    """LocaleMiddleware leaves the request's language active in this thread: put it back."""
    yield
    translation.deactivate()


@pytest.mark.django_db(transaction=True)
def test_the_503_page_is_in_the_readers_language(offline_client, default_language_afterwards):
    with database_down():
        response = offline_client.get("/support/", headers={"Accept-Language": "ru"})

    assert response.status_code == 503
    assert '<html lang="ru">' in response.content.decode()


def test_a_bug_is_still_a_500_not_a_503(rf):
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert "Retry-After" not in response
