"""The cache (Redis) unreachable is not an outage: sign-in, sessions, the desk, presence and the
public forms carry on, rate limits let requests through, and /healthz says the cache is down.

The shared Redis is never stopped: "down" is a cache pointed at a closed port, or, where the
same Redis must come back with its data, every Redis command failing for a while."""

import logging
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
import redis
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.urls import reverse

from helpdesk import resilient_cache

# The ticket fixtures: tickets are opened through the real intake service.
from tests.tickets.conftest import category, public_form, submit  # noqa: F401
from tickets import fraud, presence, workflow
from tickets.mail import intake
from tickets.models import BlockedSender, Ticket

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("accounts:sign_in")
SIGN_OUT = reverse("accounts:sign_out")
DESK = reverse("tickets:desk")
CLOSED_PORT = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def fresh_breakers():
    """Each test starts with no cache known to be down, and leaves none behind."""
    resilient_cache._breakers.clear()
    yield
    resilient_cache._breakers.clear()


def unreachable_cache(**options) -> dict:
    return {
        "default": {
            "BACKEND": "helpdesk.resilient_cache.ResilientRedisCache",
            "LOCATION": CLOSED_PORT,
            "KEY_PREFIX": "cache-outage-test",
            "OPTIONS": options,
        }
    }


@pytest.fixture
def clock(monkeypatch):
    """The clock the cache's circuit breaker reads; tests move it on."""
    fake = SimpleNamespace(now=1000.0)
    monkeypatch.setattr(resilient_cache, "time", SimpleNamespace(monotonic=lambda: fake.now))
    return fake


@pytest.fixture
def cache_down(settings):
    settings.CACHES = unreachable_cache()


@contextmanager
def redis_failing(monkeypatch):
    """Every Redis command fails while inside, as when the server is unreachable; the same
    server, with whatever it held, answers again afterwards."""

    def refuse(*args, **kwargs):
        raise redis.ConnectionError("simulated outage")

    with monkeypatch.context() as patch:
        patch.setattr(redis.Redis, "execute_command", refuse)
        yield


def sign_in(client, user, password):
    return client.post(SIGN_IN, {"username": user.email, "password": password})


def signed_in_as(client, user) -> bool:
    response = client.get(DESK)
    return response.status_code == 200 and response.context["user"] == user


# --- The backend ------------------------------------------------------------------------------


def test_every_cache_operation_answers_a_miss_when_redis_is_unreachable(cache_down):
    assert cache.get("key") is None
    assert cache.get("key", "fallback") == "fallback"
    cache.set("key", "value")
    assert cache.add("key", "value") is False
    assert cache.touch("key") is False
    assert cache.delete("key") is False
    assert cache.has_key("key") is False
    assert "key" not in cache
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    cache.delete_many(["a", "b"])
    assert cache.get_or_set("key", "computed") == "computed"
    with pytest.raises(ValueError):
        cache.incr("counter")


def test_an_outage_is_logged_once_not_once_per_call(cache_down, caplog):
    with caplog.at_level(logging.WARNING, logger="helpdesk.resilient_cache"):
        for _ in range(50):
            cache.get("key")

    warnings = [r for r in caplog.records if r.name == "helpdesk.resilient_cache"]
    assert len(warnings) == 1
    assert "unreachable" in warnings[0].getMessage()
    assert "127.0.0.1:1/0" in warnings[0].getMessage()


def test_after_a_failure_redis_is_left_alone_until_the_breaker_time_is_up(
    settings, monkeypatch, clock
):
    settings.CACHES = unreachable_cache(CIRCUIT_BREAKER_SECONDS=30)
    calls = []
    real_get = redis.Redis.get
    monkeypatch.setattr(
        redis.Redis, "get", lambda self, key: calls.append(key) or real_get(self, key)
    )

    for _ in range(20):
        cache.get("key")
    assert len(calls) == 1

    clock.now += 31
    cache.get("key")
    assert len(calls) == 2


def test_the_cache_answers_again_once_redis_does(monkeypatch, clock, caplog):
    cache.set("kept", "value")
    with redis_failing(monkeypatch):
        assert cache.get("kept") is None

    assert cache.get("kept") is None  # the breaker holds for a few seconds
    clock.now += resilient_cache.DEFAULT_CIRCUIT_BREAKER_SECONDS + 1
    with caplog.at_level(logging.WARNING, logger="helpdesk.resilient_cache"):
        assert cache.get("kept") == "value"
    assert "answers again" in caplog.records[-1].getMessage()


def test_the_strict_cache_still_raises_for_the_health_check(cache_down):
    with pytest.raises(redis.ConnectionError):
        cache.strict().get("key")


def test_redis_connections_use_short_socket_timeouts(settings):
    options = settings.CACHES["default"]["OPTIONS"]

    assert settings.CACHES["default"]["BACKEND"] == "helpdesk.resilient_cache.ResilientRedisCache"
    assert options["socket_connect_timeout"] <= 1
    assert options["socket_timeout"] <= 1


# --- Sign-in and sessions ---------------------------------------------------------------------


def test_sign_in_works_and_the_session_is_kept_in_the_database_while_the_cache_is_down(
    client, cache_down, tech, password
):
    response = sign_in(client, tech, password)

    assert response.status_code == 302
    assert Session.objects.filter(session_key=client.cookies["sessionid"].value).exists()
    assert signed_in_as(client, tech)


def test_a_session_from_before_the_outage_carries_on_through_it(client, settings, tech, password):
    sign_in(client, tech, password)

    settings.CACHES = unreachable_cache()

    assert signed_in_as(client, tech)


def test_a_session_begun_during_the_outage_works_when_the_cache_is_back(
    client, settings, tech, password
):
    working = settings.CACHES
    settings.CACHES = unreachable_cache()
    sign_in(client, tech, password)

    settings.CACHES = working

    assert signed_in_as(client, tech)
    assert signed_in_as(client, tech)  # now served from the cache again


def test_a_sign_out_during_the_outage_holds_when_the_same_cache_comes_back(
    client, monkeypatch, clock, settings, tech, password
):
    sign_in(client, tech, password)
    assert signed_in_as(client, tech)  # the session is in the cache now
    old_cookie = client.cookies["sessionid"].value

    with redis_failing(monkeypatch):
        client.post(SIGN_OUT)
    # The cache answers again and still holds the signed-in copy the sign-out could not delete.
    clock.now += resilient_cache.DEFAULT_CIRCUIT_BREAKER_SECONDS + 1
    assert cache.get("django.contrib.sessions.cached_db" + old_cookie) is not None
    client.cookies["sessionid"] = old_cookie

    response = client.get(DESK)
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


def test_sign_in_throttling_lets_people_through_when_the_cache_is_down(
    client, settings, cache_down, tech, password
):
    settings.SIGN_IN_FAILURES_PER_ACCOUNT = "1/15m"
    settings.SIGN_IN_FAILURES_PER_IP = "1/15m"
    for _ in range(3):
        client.post(SIGN_IN, {"username": tech.email, "password": "wrong"})

    assert sign_in(client, tech, password).status_code == 302


# --- Pages ------------------------------------------------------------------------------------


def test_desk_ticket_page_and_presence_work(client, cache_down, tech, submit):  # noqa: F811
    ticket = workflow.ticket_claim_on_open(ticket=submit(subject="Paper jam"), tech=tech).ticket
    client.force_login(tech)
    presence_url = reverse("tickets:desk_presence", args=[ticket.number])

    desk = client.get(DESK)
    page = client.get(reverse("tickets:desk_ticket", args=[ticket.number]))
    polled = client.get(presence_url, headers={"HX-Request": "true"})
    typing = client.post(presence_url, headers={"HX-Request": "true"})

    assert desk.status_code == 200
    assert "Paper jam" in desk.content.decode()
    assert page.status_code == 200
    assert polled.status_code == 200
    assert typing.status_code == 200
    assert presence.presence_others(ticket_id=ticket.pk, user=tech) == []


def test_a_web_form_post_goes_through_with_the_cache_down(
    client,
    settings,
    cache_down,
    public_form,  # noqa: F811
    category,  # noqa: F811
):
    settings.INTAKE_RATE_LIMIT = "1/h"

    for subject in ("First", "Second"):
        response = client.post(
            reverse("tickets:web_form", args=[public_form.slug]),
            {
                "name": "Vera Visitor",
                "email": "vera@example.org",
                "category": str(category.pk),
                "priority": "3",
                "subject": subject,
                "message": "The printer stopped.",
                "answer_preference": "answer_by_email",
            },
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("tickets:submitted")

    assert set(Ticket.objects.values_list("subject", flat=True)) == {"First", "Second"}
    assert client.get(reverse("tickets:submitted")).status_code == 200


def test_cached_lookups_fall_through_to_the_database_with_the_cache_down(cache_down):
    BlockedSender.objects.create(kind=BlockedSender.Kind.EMAIL, value="spammer@example.net")

    assert [kind for _pk, kind, _value in fraud.blocked_senders()] == ["email"]
    fraud.blocked_senders_changed()
    assert "helpdesk@example.com" in intake.own_addresses()


def test_healthz_reports_the_cache_down_while_pages_work(client, cache_down, tech):
    client.force_login(tech)

    health = client.get(reverse("healthz"))
    desk = client.get(DESK)

    assert health.status_code == 503
    body = health.json()
    assert body["checks"]["cache"] == {"ok": False, "error": "ConnectionError"}
    assert body["checks"]["database"] == {"ok": True}
    assert desk.status_code == 200
