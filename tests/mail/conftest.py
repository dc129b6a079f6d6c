"""Fixtures for the mail tests: one real Dovecot per session (see tests/mail/dovecot.py), emptied
before each test that asks for it, and Mailbox rows pointing at it; and, without a mail server,
a mailbox with `receive` (one mail) and `receive_many` (a batch) for the intake batch tests."""

import pytest

from departments.credentials import secret_encrypt
from departments.models import Mailbox
from tests.factories import DepartmentFactory
from tests.mail.dovecot import Dovecot, DovecotError, start_dovecot
from tickets.mail.intake import IncomingMail, inbound_receive, inbound_receive_many


@pytest.fixture(scope="session")
def dovecot():
    """The session's Dovecot; tests that change mail should use `mail_server` instead."""
    try:
        server = start_dovecot()
    except DovecotError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def mail_server(dovecot: Dovecot) -> Dovecot:
    """The Dovecot with every user's mailbox emptied (before, so a failed test leaves evidence)."""
    dovecot.reset()
    return dovecot


@pytest.fixture
def make_mailbox(db, dovecot: Dovecot, settings):
    """Mailbox rows for the Dovecot: `make_mailbox(protocol="pop3", security="starttls")`.
    The fetcher verifies the server against the session's CA (settings.MAILBOX_CA_FILE)."""
    settings.MAILBOX_CA_FILE = str(dovecot.ca_file)
    ports = {
        ("imap", "tls"): dovecot.imaps_port,
        ("imap", "starttls"): dovecot.imap_port,
        ("imap", "plain"): dovecot.imap_port,
        ("pop3", "tls"): dovecot.pop3s_port,
        ("pop3", "starttls"): dovecot.pop3_port,
        ("pop3", "plain"): dovecot.pop3_port,
    }
    department = DepartmentFactory()

    def make(
        *,
        protocol: str = Mailbox.Protocol.IMAP,
        security: str = Mailbox.Security.TLS,
        user: str = "support@example.test",
        password: str | None = None,
        **fields,
    ) -> Mailbox:
        fields.setdefault("host", "localhost")
        fields.setdefault("port", ports[(protocol, security)])
        return Mailbox.objects.create(
            name=f"{user} over {protocol}/{security}",
            department=department,
            email_address=f"{protocol}-{security}-{Mailbox.objects.count()}-{user}",
            protocol=protocol,
            security=security,
            username=user,
            password_encrypted=secret_encrypt(
                dovecot.users[user] if password is None else password
            ),
            **fields,
        )

    return make


@pytest.fixture
def receive(mailbox, django_capture_on_commit_callbacks):
    """One mail on its own, the way a webhook delivers it (used to set the scene)."""

    def receive(raw, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return inbound_receive(raw=raw, channel="imap", mailbox=mailbox, **kwargs)

    return receive


@pytest.fixture
def receive_many(mailbox, django_capture_on_commit_callbacks):
    """A batch, as a poll takes it in; what the commit schedules (auto-responses) runs."""

    def receive_many(*raws):
        with django_capture_on_commit_callbacks(execute=True):
            return inbound_receive_many(
                mails=[IncomingMail(raw=raw, server_uid=str(n)) for n, raw in enumerate(raws)],
                channel="imap",
                mailbox=mailbox,
            )

    return receive_many
