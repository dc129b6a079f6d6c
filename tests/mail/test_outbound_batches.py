"""The outbox, a batch at a time: one connection for many mails, one failing mail never stops
the others, a key is sent once, and auto-responses to a batch of new tickets keep the hourly
limit per sender at a fixed number of queries."""

import pytest
from django.core import mail as django_mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.mail.mails import mail
from tickets.mail import outbound
from tickets.mail.intake import IncomingMail, inbound_receive_many
from tickets.mail.outbound import OutgoingMail, UnsafeHeader, outbound_send_many
from tickets.mail.outbox import outbox_send_due
from tickets.models import InboundEmail, OutboundEmail

pytestmark = pytest.mark.django_db

Sent = OutboundEmail.Status


@pytest.fixture
def connections(monkeypatch):
    """Every connection the outbox opens, each noting whom it delivered to."""
    opened = []
    real_get_connection = outbound.get_connection

    def get_connection(*args, **kwargs):
        made = real_get_connection(*args, **kwargs)
        made.opens, made.delivered = 0, []
        real_open, real_send = made.open, made.send_messages

        def open_counted():
            made.opens += 1
            return real_open()

        def send_noted(messages):
            made.delivered.extend(address for m in messages for address in m.to)
            return real_send(messages)

        made.open, made.send_messages = open_counted, send_noted
        opened.append(made)
        return made

    monkeypatch.setattr(outbound, "get_connection", get_connection)
    return opened


def outgoing(to: str, **fields) -> OutgoingMail:
    values = {
        "key": f"test:{to}",
        "kind": "test",
        "ticket": None,
        "to": to,
        "subject": f"Hello {to}",
        "text": "Body",
    }
    values.update(fields)
    return OutgoingMail(**values)


def recipients(count: int) -> list[str]:
    return [f"person{n}@example.org" for n in range(count)]


@pytest.fixture
def broken_for(monkeypatch):
    """Make sending to one address fail, as an SMTP server refusing that recipient would."""
    real_send = django_mail.EmailMessage.send

    def arrange(address: str):
        def send(self, fail_silently=False):
            if address in self.to:
                raise ConnectionRefusedError(f"refused {address}")
            return real_send(self, fail_silently=fail_silently)

        monkeypatch.setattr(django_mail.EmailMultiAlternatives, "send", send)

    return arrange


def test_a_batch_goes_out_over_one_connection(connections, mailoutbox):
    addresses = recipients(6)

    sent = outbound_send_many([outgoing(to) for to in addresses])

    assert sent == 6
    assert len(connections) == 1
    assert connections[0].opens == 1
    assert connections[0].delivered == addresses
    assert [m.to[0] for m in mailoutbox] == addresses
    rows = OutboundEmail.objects.order_by("to")
    assert {(row.status, row.attempts) for row in rows} == {(Sent.SENT, 1)}
    assert {m.extra_headers["Message-ID"] for m in mailoutbox} == {
        row.message_id_header for row in rows
    }


def test_one_failing_mail_does_not_stop_the_others_and_is_raised(
    connections, mailoutbox, broken_for
):
    addresses = recipients(4)
    broken_for("person1@example.org")

    with pytest.raises(ConnectionRefusedError, match="refused person1"):
        outbound_send_many([outgoing(to) for to in addresses])

    assert sorted(m.to[0] for m in mailoutbox) == [addresses[0], *addresses[2:]]
    failed = OutboundEmail.objects.get(to="person1@example.org")
    assert (failed.status, failed.attempts, failed.sent_at) == (Sent.FAILED, 1, None)
    assert "refused person1" in failed.error
    others = OutboundEmail.objects.exclude(pk=failed.pk)
    assert {(row.status, row.attempts) for row in others} == {(Sent.SENT, 1)}


def test_a_retry_sends_only_the_mail_that_failed(connections, mailoutbox, broken_for, monkeypatch):
    mails = [outgoing(to) for to in recipients(4)]
    broken_for("person2@example.org")
    with pytest.raises(ConnectionRefusedError):
        outbound_send_many(mails)
    failed = OutboundEmail.objects.get(to="person2@example.org")
    # The server accepts the recipient again.
    monkeypatch.setattr(django_mail.EmailMultiAlternatives, "send", django_mail.EmailMessage.send)
    mailoutbox.clear()

    sent = outbound_send_many(mails)

    assert sent == 1
    assert [m.to[0] for m in mailoutbox] == ["person2@example.org"]
    assert mailoutbox[0].extra_headers["Message-ID"] == failed.message_id_header
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == (Sent.SENT, 2, "")
    assert set(OutboundEmail.objects.values_list("attempts", flat=True)) == {1, 2}


def test_the_same_key_twice_in_one_call_is_sent_once(connections, mailoutbox):
    twice = outgoing("person0@example.org", key="auto_response:7")

    sent = outbound_send_many([twice, outgoing("person1@example.org"), twice])

    assert sent == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["person0@example.org", "person1@example.org"]
    row = OutboundEmail.objects.get(idempotency_key="auto_response:7")
    assert (row.status, row.attempts) == (Sent.SENT, 1)
    assert outbound_send_many([twice]) == 0
    assert len(mailoutbox) == 2


@pytest.mark.parametrize(
    "unsafe",
    [
        {"subject": "Hi\r\nBcc: victim@example.com"},
        {"to": "a@example.org\nBcc: victim@example.com"},
        {"in_reply_to": "<a@x>\r\nX-Evil: 1"},
    ],
    ids=["subject", "to", "in-reply-to"],
)
def test_an_unsafe_header_refuses_that_mail_only(connections, mailoutbox, unsafe):
    mails = [
        outgoing("person0@example.org"),
        outgoing(**{"to": "person1@example.org", "key": "test:unsafe", **unsafe}),
        outgoing("person2@example.org"),
    ]

    with pytest.raises(UnsafeHeader):
        outbound_send_many(mails)

    assert sorted(m.to[0] for m in mailoutbox) == ["person0@example.org", "person2@example.org"]
    assert all("victim" not in str(m.message()) for m in mailoutbox)
    assert not OutboundEmail.objects.filter(idempotency_key="test:unsafe", status=Sent.SENT)
    assert OutboundEmail.objects.filter(status=Sent.SENT).count() == 2


def test_when_the_server_cannot_be_reached_every_mail_is_failed(monkeypatch, mailoutbox):
    class Unreachable:
        def open(self):
            raise ConnectionRefusedError("smtp down")

        def close(self):
            pass

    monkeypatch.setattr(outbound, "get_connection", Unreachable)

    with pytest.raises(ConnectionRefusedError):
        outbound_send_many([outgoing(to) for to in recipients(3)])

    assert mailoutbox == []
    rows = OutboundEmail.objects.all()
    assert {(row.status, row.attempts) for row in rows} == {(Sent.FAILED, 1)}
    assert len(rows) == 3


def take_in(mailbox, raws) -> list[int]:
    """New tickets by mail; the outbox rows of their auto-responses, not sent yet (the commit
    is not run)."""
    results = inbound_receive_many(
        mails=[IncomingMail(raw=raw) for raw in raws], channel="imap", mailbox=mailbox
    )
    assert {r.inbound.status for r in results} == {InboundEmail.Status.TICKET}
    return list(
        OutboundEmail.objects.filter(inbound__in=[r.inbound.pk for r in results])
        .order_by("inbound")
        .values_list("pk", flat=True)
    )


def test_a_batch_from_one_sender_gets_at_most_the_hourly_limit_of_auto_responses(
    mailbox, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.MAIL_AUTO_RESPONSES_PER_HOUR = 3
    raws = [mail(subject=f"Request {n}") for n in range(5)]

    with django_capture_on_commit_callbacks(execute=True):
        results = inbound_receive_many(
            mails=[IncomingMail(raw=raw) for raw in raws], channel="imap", mailbox=mailbox
        )

    assert len(mailoutbox) == 3
    first_three = {r.inbound.message_id_header for r in results[:3]}
    assert {m.extra_headers["In-Reply-To"] for m in mailoutbox} == first_three
    rows = OutboundEmail.objects.filter(inbound__in=[r.inbound.pk for r in results])
    assert outbox_send_due(outbox_ids=[row.pk for row in rows]) == 0
    assert len(mailoutbox) == 3


def test_the_hourly_limit_counts_auto_responses_sent_before_the_batch(
    mailbox, mailoutbox, settings
):
    settings.MAIL_AUTO_RESPONSES_PER_HOUR = 3
    earlier = take_in(mailbox, [mail(subject="Earlier")])
    assert outbox_send_due(outbox_ids=earlier) == 1
    batch = take_in(
        mailbox,
        [mail(subject=f"Request {n}") for n in range(4)]
        + [mail(sender="other@example.net", subject="Other")],
    )

    sent = outbox_send_due(outbox_ids=batch)

    assert sent == 3  # two more for vera (3 in the hour), one for the other sender
    assert sorted(m.to[0] for m in mailoutbox) == ["other@example.net"] + ["vera@example.org"] * 3


def test_auto_responses_to_a_batch_cost_the_same_queries_whatever_its_size(mailbox, mailoutbox):
    ids = take_in(
        mailbox,
        [mail(sender=f"p{n}@example.net", subject=f"Request {n}") for n in range(35)],
    )
    outbox_send_due(outbox_ids=[])  # nothing to do

    with CaptureQueriesContext(connection) as small:
        assert outbox_send_due(outbox_ids=ids[:5]) == 5
    with CaptureQueriesContext(connection) as large:
        assert outbox_send_due(outbox_ids=ids[5:]) == 30

    # Measured: 11 queries for 5 inbound mails, 11 for 30.
    assert len(large) <= len(small) + 2
    assert len(mailoutbox) == 35
