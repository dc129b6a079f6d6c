"""Inbound webhook routes: only the configured ESP's exists, only authenticated posts are taken,
and no post, however malformed, answers 500 or leaves a record. Every ESP the settings allow."""

import importlib
import json
from urllib.parse import urlencode

import pytest
import requests
from anymail import urls as anymail_urls
from django.conf import settings as django_settings
from django.test import override_settings
from django.urls import NoReverseMatch, clear_url_caches, reverse

import helpdesk.urls
from tests.mail.mails import mail
from tests.mail.webhook_posts import (
    BASIC_AUTH,
    ESP_PATHS,
    ESP_SETTINGS,
    FORM,
    JSON,
    FakeEspApi,
    esp_post,
    mailgun_form,
    mailgun_signature,
)
from tickets.mail.webhooks import INBOUND_WEBHOOKS
from tickets.models import InboundEmail, Ticket

pytestmark = pytest.mark.django_db

ESPS = sorted(django_settings.INBOUND_WEBHOOK_SECRETS)
# ESPs whose inbound webhook asks the ESP's API for the mail.
FETCHING_ESPS = {"mailtrap", "resend"}


def _reload_urls():
    importlib.reload(helpdesk.urls)
    clear_url_caches()


@pytest.fixture
def mount():
    """`mount(esp)` configures `esp` with its test credentials and rebuilds the URLconf, as a
    process started with those settings would; the URLconf is rebuilt again afterwards."""
    overrides = []

    def configure(esp: str, **anymail):
        override = override_settings(
            ANYMAIL_ESP=esp,
            ANYMAIL=anymail or ESP_SETTINGS[esp],
            INBOUND_WEBHOOK_ESP=esp,
        )
        override.enable()
        overrides.append(override)
        _reload_urls()

    yield configure
    for override in reversed(overrides):
        override.disable()
    _reload_urls()


@pytest.fixture
def support_mailbox(mailbox):
    """The mailbox the posted mail is addressed to (the suite's support@example.test)."""
    return mailbox


@pytest.fixture
def esp_api(monkeypatch):
    """The ESP's API, for the ESPs that fetch the mail from it."""
    api = FakeEspApi(mail(message_id="<fetched@mail.example.org>"))
    monkeypatch.setattr(requests, "get", api)
    return api


def assert_nothing_recorded():
    assert InboundEmail.objects.count() == 0
    assert Ticket.objects.count() == 0


def test_settings_and_routes_know_every_inbound_webhook_anymail_has():
    anymail_inbound = {
        pattern.name.removesuffix("_inbound_webhook")
        for pattern in anymail_urls.urlpatterns
        if pattern.name.endswith("_inbound_webhook")
    } | {"mandrill"}

    assert set(django_settings.INBOUND_WEBHOOK_SECRETS) == set(INBOUND_WEBHOOKS) == anymail_inbound
    assert set(ESP_PATHS) == anymail_inbound


@pytest.mark.parametrize("esp", ESPS)
def test_without_an_esp_no_anymail_route_exists(client, esp):
    response = esp_post(esp, mail()).send(client)

    assert response.status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse(f"anymail:{esp}_inbound_webhook")
    assert_nothing_recorded()


def test_only_the_configured_esps_inbound_route_exists(client, mount):
    mount("postmark")

    assert reverse("anymail:postmark_inbound_webhook") == "/anymail/postmark/inbound/"
    assert esp_post("mailgun", mail()).send(client).status_code == 404
    for tracking in ("/anymail/postmark/tracking/", "/anymail/mailgun/tracking/"):
        assert (
            client.post(tracking, {}, headers=esp_post("postmark", mail()).headers).status_code
            == 404
        )


@pytest.mark.parametrize("esp", ESPS)
def test_an_authenticated_post_opens_a_ticket(client, mount, esp, support_mailbox, esp_api):
    mount(esp)

    response = esp_post(esp, mail(message_id="<webhook@mail.example.org>")).send(client)

    assert response.status_code == 200, response.content
    inbound_mail = InboundEmail.objects.get()
    assert inbound_mail.channel == InboundEmail.Channel.WEBHOOK
    assert inbound_mail.ticket.department == support_mailbox.department
    assert inbound_mail.ticket.subject == "Printer shows E-042"
    assert bool(esp_api.urls) == (esp in FETCHING_ESPS)


@pytest.mark.parametrize("esp", ESPS)
@pytest.mark.parametrize("credentials", ["missing", "wrong"])
def test_an_unauthenticated_post_is_refused_with_401_and_nothing_recorded(
    client, mount, esp, credentials, support_mailbox, esp_api
):
    mount(esp)
    post = esp_post(
        esp,
        mail(),
        authenticated=credentials == "wrong",
        wrong_credentials=credentials == "wrong",
    )

    response = post.send(client)

    assert response.status_code == 401
    assert_nothing_recorded()
    assert esp_api.urls == []


def test_a_basic_auth_refusal_challenges_for_credentials(client, mount):
    """Amazon SNS sends the credentials in the URL only after a 401 with a challenge."""
    mount("amazon_ses")

    response = esp_post("amazon_ses", mail(), authenticated=False).send(client)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic ")


HUGE = 200_000
MALFORMED_BODIES = {
    "garbage": (None, b"\x00\x01 not a webhook \xff\xfe{{{"),
    "empty": (None, b""),
    "wrong JSON shape": (None, b'[{"unexpected": 1}]'),
    "NUL bytes": (None, b'{"RawEmail": "\x00\x00", "Type": "\x00"}'),
    "huge": (None, b'{"padding": "' + b"x" * HUGE + b'"}'),
}


def _malformed_posts(esp: str):
    """Malformed posts that still carry the ESP's credentials, so only their shape is wrong."""
    if esp == "mailgun":  # Mailgun signs fields of the form: keep them, spoil the rest
        return {
            "garbage": mailgun_form({"body-mime": "\x00\x01 not a mail \ufffd{{{"}),
            "empty": mailgun_form({}),
            "wrong JSON shape": mailgun_form({"message-headers": "[1, 2", "body-plain": "x"}),
            "NUL bytes": mailgun_form({"body-mime": "\x00" * 64}),
            "huge": mailgun_form({"body-mime": "x" * HUGE}),
            "wrong content type": (
                JSON,
                json.dumps({"signature": mailgun_signature(), "event-data": {}}).encode(),
            ),
        }
    posts = dict(MALFORMED_BODIES)
    if esp == "mandrill":
        posts["wrong JSON shape"] = (FORM, b"mandrill_events=%7B%22not%22%3A+%22a+list%22%7D")
    valid = esp_post(esp, mail())
    wrong_type = JSON if valid.content_type != JSON and esp != "amazon_ses" else FORM
    posts["wrong content type"] = (wrong_type, valid.body)
    return posts


@pytest.mark.parametrize("esp", ESPS)
@pytest.mark.parametrize("kind", [*MALFORMED_BODIES, "wrong content type"])
def test_a_malformed_or_oversized_post_is_refused_and_records_nothing(
    client, mount, esp, kind, support_mailbox, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = HUGE // 2
    mount(esp)
    content_type, body = _malformed_posts(esp)[kind]
    post = esp_post(esp, body=body, content_type=content_type)
    if esp == "amazon_ses":
        post.headers.update(esp_post(esp, mail()).headers)

    response = post.send(client)

    # Too large is told apart from malformed: the ESP keeps the mail and shows why.
    assert response.status_code == (413 if kind == "huge" else 400), response.content
    assert_nothing_recorded()


def test_nul_characters_in_the_mail_and_the_event_id_are_recorded_without_error(
    client, mount, support_mailbox
):
    mount("postmark")
    raw = mail(subject="Broken\x00 subject", body="Text with \x00 NUL").decode()
    payload = {"MessageID": "pm-\x00-1", "RawEmail": raw, "Headers": []}
    post = esp_post("postmark", body=json.dumps(payload).encode(), content_type=JSON)

    response = post.send(client)

    assert response.status_code == 200
    inbound_mail = InboundEmail.objects.get()
    assert "\x00" not in inbound_mail.server_uid
    assert inbound_mail.server_uid.startswith("Postmark:pm-")


def test_a_post_with_no_sender_is_malformed(client, mount, support_mailbox):
    mount("postmark")
    payload = {"MessageID": "pm-1", "Subject": "No sender at all", "TextBody": "Hello"}

    response = esp_post("postmark", body=json.dumps(payload).encode()).send(client)

    assert response.status_code == 400
    assert_nothing_recorded()


def test_when_the_esps_api_does_not_answer_the_post_is_retried_later(
    client, mount, monkeypatch, support_mailbox
):
    def unreachable(url, **kwargs):
        raise requests.ConnectionError("no route to the ESP")

    monkeypatch.setattr(requests, "get", unreachable)
    mount("resend")

    response = esp_post("resend", mail()).send(client)

    assert response.status_code == 503
    assert_nothing_recorded()


def test_tracking_events_on_mandrills_shared_url_are_acknowledged_and_ignored(
    client, mount, support_mailbox
):
    mount("mandrill")
    events = [{"event": "open", "ts": 1_764_000_000, "msg": {"email": "vera@example.org"}}]
    body = urlencode({"mandrill_events": json.dumps(events)}).encode()

    response = esp_post("mandrill", body=body, content_type=FORM).send(client)

    assert response.status_code == 200
    assert_nothing_recorded()


def test_the_route_answers_only_posts(client, mount):
    mount("postmark")

    response = client.get("/anymail/postmark/inbound/")

    assert response.status_code == 405


def test_signature_and_basic_auth_together_both_count(client, mount, support_mailbox):
    mount(
        "mailersend",
        MAILERSEND_INBOUND_SECRET="mailersend-inbound-secret",
        WEBHOOK_SECRET=BASIC_AUTH,
    )
    signed_only = esp_post("mailersend", mail())
    signed_only.headers.pop("Authorization", None)

    assert signed_only.send(client).status_code == 401
    assert_nothing_recorded()
