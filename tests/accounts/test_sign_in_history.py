"""Every sign-in, sign-out and failed sign-in leaves a LoginEvent; expired sessions get a
sign-out dated at their last activity."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts import login_history
from accounts.models import LoginEvent
from accounts.tasks import clear_expired_sessions, record_expired_session_sign_outs

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("accounts:sign_in")
SIGN_OUT = reverse("accounts:sign_out")
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) HelpdeskTest/1.0"


def sign_in(client, email, password, ip="203.0.113.7"):
    return client.post(
        SIGN_IN,
        {"username": email, "password": password},
        REMOTE_ADDR=ip,
        HTTP_USER_AGENT=BROWSER,
    )


def test_sign_in_records_event_with_client_ip_and_browser(client, tech, password):
    response = sign_in(client, tech.email, password)

    assert response.status_code == 302
    event = LoginEvent.objects.get()
    assert event.kind == LoginEvent.Kind.SIGN_IN
    assert event.user == tech
    assert event.ip_address == "203.0.113.7"
    assert event.user_agent == BROWSER
    assert event.session_key == client.session.session_key
    assert event.last_activity_at == event.at


def test_sign_in_is_case_insensitive_on_email(client, tech, password):
    response = sign_in(client, tech.email.upper(), password)

    assert response.status_code == 302
    assert LoginEvent.objects.get().user == tech


def test_sign_out_records_event_tied_to_its_sign_in(client, tech, password):
    sign_in(client, tech.email, password)

    response = client.post(SIGN_OUT, REMOTE_ADDR="203.0.113.8", HTTP_USER_AGENT=BROWSER)

    assert response.status_code == 302
    sign_in_event = LoginEvent.objects.get(kind=LoginEvent.Kind.SIGN_IN)
    sign_out_event = LoginEvent.objects.get(kind=LoginEvent.Kind.SIGN_OUT)
    assert sign_out_event.user == tech
    assert sign_out_event.sign_in == sign_in_event
    assert sign_out_event.ip_address == "203.0.113.8"
    assert sign_out_event.at >= sign_in_event.at
    assert "_auth_user_id" not in client.session


def test_sign_out_link_asks_for_confirmation_and_signs_nobody_out(client, tech, password):
    sign_in(client, tech.email, password)

    response = client.get(SIGN_OUT)

    assert response.status_code == 200
    assert b"Sign out?" in response.content
    assert not LoginEvent.objects.filter(kind=LoginEvent.Kind.SIGN_OUT).exists()
    assert client.session["_auth_user_id"] == str(tech.pk)


def test_failed_sign_in_records_event_with_client_ip(client, tech):
    response = sign_in(client, tech.email, "wrong password", ip="198.51.100.23")

    assert response.status_code == 200
    event = LoginEvent.objects.get()
    assert event.kind == LoginEvent.Kind.SIGN_IN_FAILED
    assert event.user == tech
    assert event.email == tech.email
    assert event.ip_address == "198.51.100.23"
    assert event.user_agent == BROWSER


def test_failed_sign_in_for_unknown_address_records_what_was_typed(client, db):
    sign_in(client, "Nobody@Example.com", "whatever", ip="2001:db8::5")

    event = LoginEvent.objects.get()
    assert event.kind == LoginEvent.Kind.SIGN_IN_FAILED
    assert event.user is None
    assert event.email == "nobody@example.com"
    assert event.ip_address == "2001:db8::5"


def test_forwarded_for_header_is_ignored_without_trusted_proxies(client, tech, password):
    client.post(
        SIGN_IN,
        {"username": tech.email, "password": password},
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="10.9.9.9",
    )

    assert LoginEvent.objects.get().ip_address == "203.0.113.7"


def test_trusted_proxy_address_is_taken_from_forwarded_for(client, tech, password, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(
        SIGN_IN,
        {"username": tech.email, "password": password},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.40",
    )

    assert LoginEvent.objects.get().ip_address == "198.51.100.40"


def test_activity_is_recorded_at_most_once_per_resolution(client, tech, password):
    sign_in(client, tech.email, password)
    event = LoginEvent.objects.get()
    first_activity = event.last_activity_at

    client.get(reverse("tickets:desk"))
    event.refresh_from_db()
    assert event.last_activity_at == first_activity

    session = client.session
    session[login_history.SESSION_ACTIVITY_AT] -= 3600
    session.save()
    client.get(reverse("tickets:desk"))
    event.refresh_from_db()
    assert event.last_activity_at > first_activity


def test_expired_session_gets_sign_out_at_last_activity(client, tech, password):
    sign_in(client, tech.email, password)
    sign_in_event = LoginEvent.objects.get()
    last_seen = timezone.now() - timedelta(hours=13)
    LoginEvent.objects.filter(pk=sign_in_event.pk).update(last_activity_at=last_seen)
    Session.objects.filter(session_key=sign_in_event.session_key).update(
        expire_date=timezone.now() - timedelta(hours=1)
    )

    assert record_expired_session_sign_outs.delay().get() == 1

    ending = LoginEvent.objects.get(kind=LoginEvent.Kind.SESSION_EXPIRED)
    assert ending.sign_in == sign_in_event
    assert ending.user == tech
    assert ending.at == last_seen


def test_live_session_is_not_given_a_sign_out(client, tech, password):
    sign_in(client, tech.email, password)

    assert login_history.expired_session_sign_outs_record() == 0
    assert LoginEvent.objects.count() == 1


def test_expiry_is_recorded_once_however_often_the_task_runs(client, tech, password):
    sign_in(client, tech.email, password)
    Session.objects.all().delete()

    assert login_history.expired_session_sign_outs_record() == 1
    assert login_history.expired_session_sign_outs_record() == 0
    assert LoginEvent.objects.filter(kind=LoginEvent.Kind.SESSION_EXPIRED).count() == 1


def test_signed_out_session_is_not_also_marked_expired(client, tech, password):
    sign_in(client, tech.email, password)
    client.post(SIGN_OUT)

    assert login_history.expired_session_sign_outs_record() == 0
    assert LoginEvent.objects.filter(kind=LoginEvent.Kind.SESSION_EXPIRED).count() == 0


def test_clearing_sessions_first_records_their_sign_outs(client, tech, password):
    sign_in(client, tech.email, password)
    Session.objects.update(expire_date=timezone.now() - timedelta(minutes=1))

    assert clear_expired_sessions.delay().get() == 1

    assert not Session.objects.exists()
    assert LoginEvent.objects.filter(kind=LoginEvent.Kind.SESSION_EXPIRED).count() == 1


def test_cycled_session_key_follows_the_sign_in(client, tech, password):
    sign_in(client, tech.email, password)
    event = LoginEvent.objects.get()
    session = client.session
    session.cycle_key()
    session.save()
    client.cookies["sessionid"] = session.session_key

    client.get(reverse("tickets:desk"))

    event.refresh_from_db()
    assert event.session_key == session.session_key
    assert login_history.expired_session_sign_outs_record() == 0
