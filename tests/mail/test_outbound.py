"""The outbox: each mail sent once per key, marked as automatic, safe from header injection."""

import pytest
from django.core import mail

from tickets.mail.outbound import LOOP_HEADER, UnsafeHeader, outbound_send
from tickets.models import OutboundEmail

pytestmark = pytest.mark.django_db


def send(**overrides):
    values = {
        "key": "test:1",
        "kind": "test",
        "ticket": None,
        "to": "customer@example.org",
        "subject": "[#1042] Hello",
        "text": "Body",
        "html": "<p>Body</p>",
    }
    values.update(overrides)
    return outbound_send(**values)


def test_a_key_is_sent_once_however_often_it_is_asked(mailoutbox):
    assert send() is True
    assert send() is False

    assert len(mailoutbox) == 1
    outbound = OutboundEmail.objects.get()
    assert outbound.status == OutboundEmail.Status.SENT
    assert outbound.attempts == 1
    assert mailoutbox[0].extra_headers["Message-ID"] == outbound.message_id_header


def test_every_mail_is_marked_automatic_and_carries_the_loop_header(mailoutbox):
    send(auto_submitted="auto-replied", in_reply_to="<a@x>", references=["<a@x>", "<b@x>"])

    headers = mailoutbox[0].message()
    assert headers["Auto-Submitted"] == "auto-replied"
    assert headers[LOOP_HEADER]
    assert headers["In-Reply-To"] == "<a@x>"
    assert headers["References"] == "<a@x> <b@x>"


@pytest.mark.parametrize(
    "overrides",
    [
        {"subject": "Hi\r\nBcc: victim@example.com"},
        {"to": "a@example.org\nBcc: victim@example.com"},
        {"in_reply_to": "<a@x>\r\nX-Evil: 1"},
    ],
)
def test_header_injection_is_refused_and_nothing_is_sent(mailoutbox, overrides):
    with pytest.raises(UnsafeHeader):
        send(**overrides)

    assert mailoutbox == []
    assert not OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).exists()


def test_a_failed_send_is_recorded_and_the_retry_uses_the_same_message_id(mailoutbox, monkeypatch):
    original_send = mail.EmailMessage.send

    def broken(self, fail_silently=False):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", broken)
    with pytest.raises(ConnectionRefusedError):
        send()
    failed = OutboundEmail.objects.get()
    assert failed.status == OutboundEmail.Status.FAILED
    assert failed.attempts == 1
    assert "smtp down" in failed.error

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", original_send)
    assert send() is True
    sent = OutboundEmail.objects.get()
    assert sent.status == OutboundEmail.Status.SENT
    assert sent.attempts == 2
    assert mailoutbox[0].extra_headers["Message-ID"] == failed.message_id_header
