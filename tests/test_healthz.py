import pytest
from django.urls import reverse

from helpdesk.celery import app as celery_app

pytestmark = pytest.mark.django_db


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
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False
