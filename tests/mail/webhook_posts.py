"""Webhook posts as each ESP sends them (the shapes anymail's inbound views parse), with the ESP's
credentials: HTTP basic auth, or the ESP's signature over what it posts.

`esp_post(esp, raw)` is a valid inbound post of one raw mail; `esp_post(esp, body=…)` posts any
body, still authenticated where the ESP can authenticate it; `authenticated=False` leaves the
credentials out and `wrong_credentials=True` puts in wrong ones."""

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from urllib.parse import urlencode

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.http import QueryDict
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

BASIC_AUTH = "inbound:webhook-password-0123456789"
MAILERSEND_SECRET = "mailersend-inbound-secret"
MAILGUN_KEY = "mailgun-webhook-signing-key"
MANDRILL_KEY = "mandrill-webhook-key"
_POSTAL_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
POSTAL_PUBLIC_KEY = base64.b64encode(
    _POSTAL_KEY.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
).decode()

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"

# The ANYMAIL settings each ESP is configured with in the tests: the fewest that authenticate it.
ESP_SETTINGS = {
    "amazon_ses": {"WEBHOOK_SECRET": BASIC_AUTH},
    "brevo": {"WEBHOOK_SECRET": BASIC_AUTH, "BREVO_API_KEY": "brevo-key"},
    "mailersend": {"MAILERSEND_INBOUND_SECRET": MAILERSEND_SECRET},
    "mailgun": {"MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY},
    "mailjet": {"WEBHOOK_SECRET": BASIC_AUTH},
    "mailtrap": {"WEBHOOK_SECRET": BASIC_AUTH, "MAILTRAP_API_TOKEN": "mailtrap-token"},
    "mandrill": {"MANDRILL_WEBHOOK_KEY": MANDRILL_KEY},
    "postal": {"POSTAL_WEBHOOK_KEY": POSTAL_PUBLIC_KEY},
    "postmark": {"WEBHOOK_SECRET": BASIC_AUTH},
    "resend": {"WEBHOOK_SECRET": BASIC_AUTH, "RESEND_API_KEY": "resend-key"},
    "sendgrid": {"WEBHOOK_SECRET": BASIC_AUTH},
    "sendinblue": {"WEBHOOK_SECRET": BASIC_AUTH, "SENDINBLUE_API_KEY": "brevo-key"},
    "sparkpost": {"WEBHOOK_SECRET": BASIC_AUTH},
}
ESP_PATHS = {
    "amazon_ses": "/anymail/amazon_ses/inbound/",
    "brevo": "/anymail/brevo/inbound/",
    "mailersend": "/anymail/mailersend/inbound/",
    "mailgun": "/anymail/mailgun/inbound_mime/",
    "mailjet": "/anymail/mailjet/inbound/",
    "mailtrap": "/anymail/mailtrap/inbound/",
    "mandrill": "/anymail/mandrill/",
    "postal": "/anymail/postal/inbound/",
    "postmark": "/anymail/postmark/inbound/",
    "resend": "/anymail/resend/inbound/",
    "sendgrid": "/anymail/sendgrid/inbound/",
    "sendinblue": "/anymail/sendinblue/inbound/",
    "sparkpost": "/anymail/sparkpost/inbound/",
}
# Where the ESP signs fields inside the post rather than its body, a malformed post that still
# carries credentials is built from these fields.
FORM_ESPS = {"mailgun", "mandrill", "sendgrid"}


@dataclass
class EspPost:
    path: str
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def send(self, client):
        return client.generic(
            "POST", self.path, self.body, content_type=self.content_type, headers=self.headers
        )


def esp_post(
    esp: str,
    raw: bytes | None = None,
    *,
    body: bytes | None = None,
    content_type: str | None = None,
    authenticated: bool = True,
    wrong_credentials: bool = False,
) -> EspPost:
    path = ESP_PATHS[esp]
    headers: dict[str, str] = {}
    if body is None and esp == "mailgun":
        fields = {"body-mime": raw.decode(), "recipient": "support@example.test"}
        content_type, body = mailgun_form(fields, signed=authenticated, wrong=wrong_credentials)
    elif body is None:
        content_type, body, headers = _PAYLOADS[esp](raw)
    content_type = content_type or (MULTIPART_CONTENT if esp in FORM_ESPS else JSON)
    if authenticated:
        headers.update(_credentials(esp, path, content_type, body, wrong=wrong_credentials))
    return EspPost(path=path, content_type=content_type, body=body, headers=headers)


def mailgun_signature(*, wrong: bool = False) -> dict[str, str]:
    """The fields Mailgun signs a post with (in the form, or as a JSON "signature" block)."""
    token, timestamp = "mailgun-token-1", str(int(time.time()))
    key = b"not-the-key" if wrong else MAILGUN_KEY.encode()
    signature = hmac.new(key, f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {"token": token, "timestamp": timestamp, "signature": signature}


def mailgun_form(
    fields: dict[str, str], *, signed: bool = True, wrong: bool = False
) -> tuple[str, bytes]:
    """A Mailgun form post, with the signature fields Mailgun adds unless `signed` is False."""
    if signed:
        fields = {**fields, **mailgun_signature(wrong=wrong)}
    return MULTIPART_CONTENT, encode_multipart(BOUNDARY, fields)


def _credentials(esp: str, path: str, content_type: str, body: bytes, *, wrong: bool) -> dict:
    settings = ESP_SETTINGS[esp]
    headers = {}
    if "WEBHOOK_SECRET" in settings:
        secret = "inbound:wrong-password" if wrong else BASIC_AUTH
        headers["Authorization"] = "Basic " + base64.b64encode(secret.encode()).decode()
    if esp == "mailersend":
        key = b"wrong" if wrong else MAILERSEND_SECRET.encode()
        headers["Signature"] = hmac.new(key, body, hashlib.sha256).hexdigest()
    elif esp == "mandrill":
        params = QueryDict(body).dict() if content_type == FORM else {}
        signed = "http://testserver" + path + "".join(k + params[k] for k in sorted(params))
        key = b"wrong" if wrong else MANDRILL_KEY.encode()
        digest = hmac.new(key, signed.encode(), hashlib.sha1).digest()
        headers["X-Mandrill-Signature"] = base64.b64encode(digest).decode()
    elif esp == "postal":
        signature = _POSTAL_KEY.sign(
            body + (b"tampered" if wrong else b""), padding.PKCS1v15(), hashes.SHA1()
        )
        headers["X-Postal-Signature"] = base64.b64encode(signature).decode()
    return headers


def _json(payload) -> tuple[str, bytes, dict]:
    return JSON, json.dumps(payload).encode(), {}


def _amazon_ses(raw: bytes):
    message = {
        "notificationType": "Received",
        "mail": {"source": "vera@example.org", "messageId": "ses-1", "timestamp": _now()},
        "receipt": {
            "recipients": ["support@example.test"],
            "action": {"type": "SNS", "encoding": "BASE64"},
        },
        "content": base64.b64encode(raw).decode(),
    }
    notification = {
        "Type": "Notification",
        "MessageId": "sns-message-1",
        "TopicArn": "arn:aws:sns:eu-west-1:123456789012:inbound",
        "Message": json.dumps(message),
        "Timestamp": _now(),
    }
    headers = {"X-Amz-Sns-Message-Type": "Notification", "X-Amz-Sns-Message-Id": "sns-message-1"}
    # SNS posts its JSON as text/plain.
    return "text/plain", json.dumps(notification).encode(), headers


def _parsed_headers_and_text(raw: bytes) -> tuple[dict[str, str], str]:
    """Brevo and Mailjet post the headers and the text rather than the raw mail."""
    parsed = message_from_bytes(raw, policy=policy.default)
    headers = {
        name: str(value)
        for name, value in parsed.items()
        if not name.lower().startswith(("content-", "mime-"))
    }
    return headers, parsed.get_content()


def _brevo(raw: bytes):
    headers, text = _parsed_headers_and_text(raw)
    return _json({"items": [{"Uuid": ["brevo-1"], "Headers": headers, "RawTextBody": text}]})


def _mailersend(raw: bytes):
    data = {"id": "ms-1", "created_at": _now(), "raw": raw.decode()}
    return _json({"type": "inbound.message", "data": data})


def _mailjet(raw: bytes):
    headers, text = _parsed_headers_and_text(raw)
    return _json({"Headers": headers, "Text-part": text})


def _mailtrap(raw: bytes):
    event = {"event": "inbound.message_received", "inbox_id": 7, "message_id": "mt-1"}
    return _json({"events": [{**event, "timestamp": 1_764_000_000_000}]})


def _mandrill(raw: bytes):
    events = [{"event": "inbound", "ts": 1_764_000_000, "msg": {"raw_msg": raw.decode()}}]
    return FORM, urlencode({"mandrill_events": json.dumps(events)}).encode(), {}


def _postal(raw: bytes):
    payload = {"id": 1, "rcpt_to": "support@example.test", "mail_from": "vera@example.org"}
    return _json({**payload, "message": base64.b64encode(raw).decode(), "base64": True})


def _postmark(raw: bytes):
    return _json({"MessageID": "pm-1", "RawEmail": raw.decode(), "Headers": []})


def _resend(raw: bytes):
    return _json({"type": "email.received", "created_at": _now(), "data": {"email_id": "re-1"}})


def _sendgrid(raw: bytes):
    envelope = json.dumps({"from": "vera@example.org", "to": ["support@example.test"]})
    fields = {"email": raw.decode(), "envelope": envelope}
    return MULTIPART_CONTENT, encode_multipart(BOUNDARY, fields), {}


def _sparkpost(raw: bytes):
    relay = {
        "protocol": "smtp",
        "rcpt_to": "support@example.test",
        "msg_from": "vera@example.org",
        "content": {"email_rfc822": raw.decode(), "email_rfc822_is_base64": False},
    }
    return _json([{"msys": {"relay_message": relay}}])


def _now() -> str:
    return "2026-11-24T09:00:00.000Z"


_PAYLOADS = {
    "amazon_ses": _amazon_ses,
    "brevo": _brevo,
    "mailersend": _mailersend,
    "mailjet": _mailjet,
    "mailtrap": _mailtrap,
    "mandrill": _mandrill,
    "postal": _postal,
    "postmark": _postmark,
    "resend": _resend,
    "sendgrid": _sendgrid,
    "sendinblue": _brevo,
    "sparkpost": _sparkpost,
}


class FakeEspApi:
    """Stands in for requests.get where the ESP's API must be asked for the mail (Mailtrap,
    Resend): every URL answers with the raw mail or a pointer to it."""

    def __init__(self, raw: bytes):
        self.raw = raw
        self.urls: list[str] = []

    def __call__(self, url, **kwargs):
        self.urls.append(url)
        return _FakeResponse(
            content=self.raw,
            data={"raw_message_url": "https://esp.test/raw", "raw": {"download_url": url + "/raw"}},
        )


class _FakeResponse:
    def __init__(self, *, content: bytes, data: dict):
        self.content, self.data, self.headers = content, data, {}

    def raise_for_status(self):
        return None

    def json(self):
        return self.data

    def iter_content(self, chunk_size=None):
        yield self.content

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
