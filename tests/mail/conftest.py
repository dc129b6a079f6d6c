"""Fixtures for the mail tests: one real Dovecot per session (see tests/mail/dovecot.py), emptied
before each test that asks for it, and Mailbox rows pointing at it."""

import pytest

from departments.credentials import secret_encrypt
from departments.models import Mailbox
from tests.factories import DepartmentFactory
from tests.mail.dovecot import Dovecot, DovecotError, start_dovecot


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
