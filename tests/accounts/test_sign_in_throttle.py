"""Sign-in throttling: failed sign-ins are counted per account and per IP address; past a limit
even the right password is refused, with a message saying how long to wait, a 429 and a line in
the sign-in history. Windows end on their own, and a browser that signed in before is not held
by an attack on its account."""

import re
import time
from types import SimpleNamespace

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django_ratelimit import core as ratelimit_core

from accounts.models import LoginEvent
from accounts.sign_in_throttle import DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE, DEVICE_COOKIE_SALT
from tests.factories import TechFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("accounts:sign_in")
SIGN_OUT = reverse("accounts:sign_out")
ADMIN_LOGIN = reverse("admin:login")
ATTACKER_IP = "198.51.100.66"
OWNER_IP = "203.0.113.7"
THROTTLED = re.compile(r"Too many failed sign-ins\. Wait (\d+) minutes? and try again\.")


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The clock django-ratelimit reads for its windows, stopped so that no window ends in the
    middle of a test by chance; tests move it on."""
    fake = SimpleNamespace(now=float(int(time.time())))
    monkeypatch.setattr(ratelimit_core, "time", SimpleNamespace(time=lambda: fake.now))
    return fake


@pytest.fixture(autouse=True)
def limits(settings):
    settings.SIGN_IN_FAILURES_PER_ACCOUNT = "10/15m"
    settings.SIGN_IN_FAILURES_PER_IP = "30/15m"
    # Hundreds of password checks: a fast hasher (autouse, so set before any user is made).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def attempt(client, email, password, ip=ATTACKER_IP):
    return client.post(SIGN_IN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def throttled_minutes(response) -> int | None:
    match = THROTTLED.search(response.content.decode())
    return int(match.group(1)) if match else None


def kinds(user=None) -> list[str]:
    events = LoginEvent.objects.order_by("pk")
    if user is not None:
        events = events.filter(user=user)
    return list(events.values_list("kind", flat=True))


def test_forty_wrong_passwords_then_the_right_one_is_refused_and_recorded(client, tech, password):
    answers = [attempt(client, tech.email, f"guess-{n}") for n in range(40)]
    right = attempt(client, tech.email, password)

    assert [a.status_code for a in answers] == [200] * 10 + [429] * 30
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert 1 <= throttled_minutes(right) <= 15
    assert int(right["Retry-After"]) <= 15 * 60
    assert (
        kinds(tech)
        == [LoginEvent.Kind.SIGN_IN_FAILED] * 10 + [LoginEvent.Kind.SIGN_IN_THROTTLED] * 31
    )
    throttled = LoginEvent.objects.filter(kind=LoginEvent.Kind.SIGN_IN_THROTTLED).first()
    assert throttled.email == tech.email
    assert throttled.ip_address == ATTACKER_IP


def test_the_message_is_shown_in_the_sign_in_form(client, tech):
    for _ in range(10):
        attempt(client, tech.email, "wrong")

    response = attempt(client, tech.email, "wrong")

    html = response.content.decode()
    assert response.status_code == 429
    assert '<div class="alert alert-danger" role="alert" id="sign-in-error">' in html
    assert THROTTLED.search(html)
    assert "do not match an account" not in html
    assert f'value="{tech.email}"' in html


def test_the_wait_is_what_is_left_of_the_window(client, tech, password, clock):
    for _ in range(10):
        attempt(client, tech.email, "wrong")
    left = int(attempt(client, tech.email, "wrong")["Retry-After"])

    clock.now += left - 1
    last_second = attempt(client, tech.email, password)
    clock.now += 1
    after = attempt(client, tech.email, password)

    assert last_second.status_code == 429
    assert last_second["Retry-After"] == "1"
    assert throttled_minutes(last_second) == 1
    assert after.status_code == 302


def test_an_unknown_address_is_throttled_like_a_real_one(client):
    for _ in range(10):
        attempt(client, "ghost@example.com", "wrong")

    response = attempt(client, "ghost@example.com", "wrong")

    assert response.status_code == 429
    event = LoginEvent.objects.order_by("pk").last()
    assert event.kind == LoginEvent.Kind.SIGN_IN_THROTTLED
    assert event.user is None
    assert event.email == "ghost@example.com"


def test_the_account_limit_holds_across_addresses_and_letter_case(client, tech, password):
    for n in range(10):
        attempt(client, tech.email.upper(), "wrong", ip=f"198.51.100.{n + 1}")

    assert attempt(client, tech.email, password, ip="192.0.2.50").status_code == 429


def test_failures_from_one_ip_address_count_across_accounts(client, settings, password):
    settings.SIGN_IN_FAILURES_PER_IP = "5/15m"
    victim = TechFactory()
    for n in range(5):
        attempt(client, f"someone-{n}@example.com", "wrong")

    from_the_same_ip = attempt(client, victim.email, password)
    from_elsewhere = attempt(client, victim.email, password, ip=OWNER_IP)

    assert from_the_same_ip.status_code == 429
    assert from_elsewhere.status_code == 302


def test_the_throttle_ends_with_its_window(client, tech, password, clock):
    for _ in range(10):
        attempt(client, tech.email, "wrong")
    assert attempt(client, tech.email, password).status_code == 429

    clock.now += 15 * 60

    assert attempt(client, tech.email, password).status_code == 302
    assert client.session["_auth_user_id"] == str(tech.pk)


def test_a_field_error_is_not_counted_as_a_failed_sign_in(client, tech, password):
    for _ in range(20):
        client.post(SIGN_IN, {"username": tech.email, "password": ""}, REMOTE_ADDR=ATTACKER_IP)

    assert attempt(client, tech.email, password).status_code == 302


# --- The device cookie ------------------------------------------------------------------------


@pytest.fixture
def owners_browser(client, tech, password):
    """The owner's browser, which signed in to the account once and signed out again."""
    assert attempt(client, tech.email, password, ip=OWNER_IP).status_code == 302
    client.post(SIGN_OUT)
    return client


def test_signing_in_gives_the_browser_a_signed_long_lived_device_cookie(client, tech, password):
    response = attempt(client, tech.email, password)

    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"]
    assert cookie["max-age"] == DEVICE_COOKIE_MAX_AGE
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]  # SECURE_COOKIES is off in the test settings
    assert tech.email not in cookie.value
    assert '"' not in cookie.OutputString()  # nothing a browser would have to quote


def test_the_device_cookie_is_secure_when_cookies_are(client, settings, tech, password):
    settings.SECURE_COOKIES = True

    response = attempt(client, tech.email, password)

    assert response.cookies[DEVICE_COOKIE]["secure"]


def test_an_attack_on_the_account_does_not_keep_its_owner_out(owners_browser, tech, password):
    attacker = Client()
    for _ in range(40):
        attempt(attacker, tech.email, "wrong")
    assert attempt(attacker, tech.email, password).status_code == 429

    response = attempt(owners_browser, tech.email, password, ip=OWNER_IP)

    assert response.status_code == 302
    assert owners_browser.session["_auth_user_id"] == str(tech.pk)


def test_the_owners_browser_is_held_by_its_own_counter(owners_browser, tech, password):
    for _ in range(10):
        attempt(owners_browser, tech.email, "wrong", ip=OWNER_IP)

    assert attempt(owners_browser, tech.email, password, ip=OWNER_IP).status_code == 429


def test_the_device_cookie_vouches_only_for_the_accounts_it_signed_in_to(owners_browser, password):
    other = UserFactory()
    for _ in range(10):
        attempt(owners_browser, other.email, "wrong", ip=OWNER_IP)

    assert attempt(owners_browser, other.email, password, ip=OWNER_IP).status_code == 429


def test_a_forged_device_cookie_vouches_for_nothing(owners_browser, tech, password):
    forger = Client()
    value = owners_browser.cookies[DEVICE_COOKIE].value
    forger.cookies[DEVICE_COOKIE] = value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB")
    for _ in range(10):
        attempt(forger, tech.email, "wrong")

    assert attempt(forger, tech.email, password).status_code == 429


def test_the_device_cookie_remembers_several_accounts(client, tech, password):
    other = TechFactory()
    attempt(client, tech.email, password)
    client.post(SIGN_OUT)
    attempt(client, other.email, password)

    request = RequestFactory().get("/")
    request.COOKIES[DEVICE_COOKIE] = client.cookies[DEVICE_COOKIE].value
    value = request.get_signed_cookie(DEVICE_COOKIE, salt=DEVICE_COOKIE_SALT)
    _nonce, _sep, accounts = value.partition("|")
    assert len(accounts.split(".")) == 2


# --- Every way in -----------------------------------------------------------------------------


def test_the_admin_login_is_throttled_too(client, admin_user, password):
    for _ in range(10):
        client.post(
            ADMIN_LOGIN, {"username": admin_user.email, "password": "wrong"}, REMOTE_ADDR=OWNER_IP
        )

    response = client.post(
        ADMIN_LOGIN, {"username": admin_user.email, "password": password}, REMOTE_ADDR=OWNER_IP
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert kinds(admin_user)[-1] == LoginEvent.Kind.SIGN_IN_THROTTLED
    # The admin's page says why, not "wrong password".
    assert throttled_minutes(response) is not None
