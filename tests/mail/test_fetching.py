"""The fetcher against a real Dovecot: every protocol and security, certificate checks, the IMAP
cursor and UIDVALIDITY, flags and deletion only after mark_done, and the size guard."""

import socket
import ssl

import pytest

from tickets.mail import fetching
from tickets.mail.fetching import (
    FetchedMail,
    MailboxError,
    mailbox_session,
    mailbox_test_connection,
)

SUPPORT = "support@example.test"
BILLING = "billing@example.test"
MAX = 1_000_000
COMBINATIONS = [
    ("imap", "tls"),
    ("imap", "starttls"),
    ("imap", "plain"),
    ("pop3", "tls"),
    ("pop3", "starttls"),
    ("pop3", "plain"),
]

pytestmark = pytest.mark.django_db


def mail(subject: str, body: str = "Hello, my printer is on fire.") -> bytes:
    return (
        f"From: Carla Customer <carla@example.com>\r\nTo: {SUPPORT}\r\n"
        f"Subject: {subject}\r\nMessage-ID: <{subject.replace(' ', '.')}@example.com>\r\n"
        f"\r\n{body}\r\n"
    ).encode()


def fetch_all(mailbox, *, max_size=MAX, limit=100, known=None) -> list[FetchedMail]:
    with mailbox_session(mailbox, max_size=max_size) as session:
        return list(session.new_mail(limit, known))


@pytest.mark.parametrize(("protocol", "security"), COMBINATIONS)
def test_fetches_mail_over_each_protocol_and_security(
    mail_server, make_mailbox, protocol, security
):
    mail_server.deliver(SUPPORT, mail("first"))
    mail_server.deliver(SUPPORT, mail("second"))
    mail_server.deliver(BILLING, mail("not for support"))
    mailbox = make_mailbox(protocol=protocol, security=security)

    with mailbox_session(mailbox, max_size=MAX) as session:
        encrypted = isinstance(session.conn.sock, ssl.SSLSocket)
        fetched = list(session.new_mail(10))

    assert encrypted == (security != "plain")
    assert [m.raw for m in fetched] == [mail("first"), mail("second")]
    assert [m.size for m in fetched] == [len(mail("first")), len(mail("second"))]
    assert not any(m.oversized for m in fetched)
    assert len({m.server_uid for m in fetched}) == 2


def test_imap_tls_verifies_hostname_and_certificate_against_the_configured_ca(
    mail_server, make_mailbox
):
    mail_server.deliver(SUPPORT, mail("over tls"))
    for host in ("localhost", "127.0.0.1"):  # both names are in the certificate
        mailbox = make_mailbox(host=host)
        with mailbox_session(mailbox, max_size=MAX) as session:
            assert session.conn.sock.getpeercert()["subject"] == ((("commonName", "localhost"),),)
            assert [m.raw for m in session.new_mail(10)] == [mail("over tls")]


@pytest.mark.parametrize(("protocol", "security"), [c for c in COMBINATIONS if c[1] != "plain"])
def test_certificate_from_another_ca_is_refused(
    dovecot, make_mailbox, settings, protocol, security
):
    settings.MAILBOX_CA_FILE = str(dovecot.untrusted_ca_file)
    mailbox = make_mailbox(protocol=protocol, security=security)

    with pytest.raises(MailboxError, match="certificate") as caught:
        fetch_all(mailbox)

    assert caught.value.kind == "certificate"


def test_self_signed_server_is_refused_by_the_system_store(dovecot, make_mailbox, settings):
    settings.MAILBOX_CA_FILE = None
    mailbox = make_mailbox()

    with pytest.raises(MailboxError, match="certificate could not be verified"):
        fetch_all(mailbox)


def test_verification_can_be_turned_off_for_a_trusted_self_signed_server(
    mail_server, make_mailbox, settings
):
    settings.MAILBOX_CA_FILE = None
    mail_server.deliver(SUPPORT, mail("trusted anyway"))
    mailbox = make_mailbox(verify_certificate=False)

    assert [m.raw for m in fetch_all(mailbox)] == [mail("trusted anyway")]


@pytest.mark.parametrize(("protocol", "security"), [("imap", "tls"), ("pop3", "starttls")])
def test_wrong_password_is_an_authentication_error_without_the_password(
    dovecot, make_mailbox, protocol, security
):
    mailbox = make_mailbox(protocol=protocol, security=security, password="not-the-password")

    with pytest.raises(MailboxError, match="Authentication failed") as caught:
        fetch_all(mailbox)

    assert caught.value.kind == "auth"
    assert "not-the-password" not in str(caught.value)


def test_closed_port_is_a_refused_connection(make_mailbox):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    mailbox = make_mailbox(host="127.0.0.1", port=port)

    with pytest.raises(MailboxError, match="Connection refused") as caught:
        fetch_all(mailbox)

    assert caught.value.kind == "refused"


def test_silent_server_times_out(make_mailbox, monkeypatch):
    monkeypatch.setattr(fetching, "TIMEOUT", 0.3)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts the connection, never greets
        mailbox = make_mailbox(host="127.0.0.1", port=silent.getsockname()[1])

        with pytest.raises(MailboxError, match="Timed out") as caught:
            fetch_all(mailbox)

    assert caught.value.kind == "timeout"


# -- IMAP: the cursor, UIDVALIDITY and flags ----------------------------------------------------


def test_imap_new_mail_is_only_what_is_above_the_cursor(mail_server, make_mailbox):
    for subject in ("one", "two", "three"):
        mail_server.deliver(SUPPORT, mail(subject))
    uids = [m.uid for m in mail_server.messages(SUPPORT)]
    uidvalidity = mail_server.uidvalidity(SUPPORT)
    mailbox = make_mailbox(imap_uidvalidity=uidvalidity, imap_last_uid=uids[0])

    with mailbox_session(mailbox, max_size=MAX) as session:
        fetched = list(session.new_mail(10))

    assert session.uidvalidity == uidvalidity
    assert [m.server_uid for m in fetched] == [str(u) for u in uids[1:]]
    assert [m.raw for m in fetched] == [mail("two"), mail("three")]


def test_imap_cursor_at_the_highest_uid_returns_nothing(mail_server, make_mailbox):
    """`UID SEARCH UID N:*` matches the highest UID even when it is below N."""
    mail_server.deliver(SUPPORT, mail("already taken"))
    (only,) = mail_server.messages(SUPPORT)
    mailbox = make_mailbox(
        imap_uidvalidity=mail_server.uidvalidity(SUPPORT), imap_last_uid=only.uid
    )

    assert fetch_all(mailbox) == []


def test_imap_limit_takes_the_oldest_first(mail_server, make_mailbox):
    for subject in ("one", "two", "three"):
        mail_server.deliver(SUPPORT, mail(subject))
    mailbox = make_mailbox()

    assert [m.raw for m in fetch_all(mailbox, limit=2)] == [mail("one"), mail("two")]


def test_imap_body_peek_leaves_mail_unseen_until_mark_done(mail_server, make_mailbox):
    mail_server.deliver(SUPPORT, mail("first"))
    mail_server.deliver(SUPPORT, mail("second"))
    mailbox = make_mailbox()

    with mailbox_session(mailbox, max_size=MAX) as session:
        first, second = session.new_mail(10)
        assert not any(m.seen for m in mail_server.messages(SUPPORT))
        session.mark_done(first.server_uid)

    seen = {str(m.uid): m.seen for m in mail_server.messages(SUPPORT)}
    assert seen == {first.server_uid: True, second.server_uid: False}


def test_imap_seen_mail_above_the_cursor_is_still_new(mail_server, make_mailbox):
    """A worker killed between its commit and the flag: the mail is seen again, not lost."""
    mail_server.deliver(SUPPORT, mail("flagged before"))
    mailbox = make_mailbox()
    with mailbox_session(mailbox, max_size=MAX) as session:
        (fetched,) = session.new_mail(10)
        session.mark_done(fetched.server_uid)

    again = fetch_all(mailbox)

    assert [m.server_uid for m in again] == [fetched.server_uid]


def test_imap_new_uidvalidity_restarts_the_cursor(mail_server, make_mailbox):
    mail_server.deliver(SUPPORT, mail("one"))
    mail_server.deliver(SUPPORT, mail("two"))
    old = mail_server.uidvalidity(SUPPORT)
    last = mail_server.messages(SUPPORT)[-1].uid
    mailbox = make_mailbox(imap_uidvalidity=old, imap_last_uid=last)
    assert fetch_all(mailbox) == []

    new = mail_server.change_uidvalidity(SUPPORT)

    with mailbox_session(mailbox, max_size=MAX) as session:
        fetched = list(session.new_mail(10))
    assert new != old
    assert session.uidvalidity == new
    assert [m.raw for m in fetched] == [mail("one"), mail("two")]


def test_imap_reads_the_configured_folder_by_its_unicode_name(mail_server, make_mailbox):
    mail_server.deliver(SUPPORT, mail("in inbox"))
    # RFC 3501's own example of modified UTF-7: 台北 is "&U,BTFw-" on the wire.
    mail_server.deliver(SUPPORT, mail("in the folder"), folder="&U,BTFw-")
    mailbox = make_mailbox(folder="台北")

    assert [m.raw for m in fetch_all(mailbox)] == [mail("in the folder")]


def test_imap_missing_folder_is_a_folder_error(mail_server, make_mailbox):
    mailbox = make_mailbox(folder="Does not exist")

    with pytest.raises(MailboxError, match="Does not exist") as caught:
        fetch_all(mailbox)

    assert caught.value.kind == "folder"


# -- POP3: UIDLs and deletion on QUIT -------------------------------------------------------------


def test_pop3_new_mail_skips_known_uidls(mail_server, make_mailbox):
    for subject in ("one", "two", "three"):
        mail_server.deliver(SUPPORT, mail(subject))
    mailbox = make_mailbox(protocol="pop3")
    first_uidl = fetch_all(mailbox)[0].server_uid

    fetched = fetch_all(mailbox, known={first_uidl}.__contains__)

    assert [m.raw for m in fetched] == [mail("two"), mail("three")]
    assert first_uidl not in [m.server_uid for m in fetched]


def test_pop3_uidls_are_stable_across_sessions(mail_server, make_mailbox):
    mail_server.deliver(SUPPORT, mail("one"))
    mail_server.deliver(SUPPORT, mail("two"))
    mailbox = make_mailbox(protocol="pop3")

    assert [m.server_uid for m in fetch_all(mailbox)] == [m.server_uid for m in fetch_all(mailbox)]


def test_pop3_mark_done_deletes_on_quit_and_nothing_else(mail_server, make_mailbox):
    mail_server.deliver(SUPPORT, mail("taken in"))
    mail_server.deliver(SUPPORT, mail("still waiting"))
    mailbox = make_mailbox(protocol="pop3", security="starttls")

    with mailbox_session(mailbox, max_size=MAX) as session:
        taken, _waiting = session.new_mail(10)
        session.mark_done(taken.server_uid)
        assert len(mail_server.messages(SUPPORT)) == 2  # DELE waits for QUIT

    assert [m.raw for m in mail_server.messages(SUPPORT)] == [mail("still waiting")]


def test_pop3_deletions_are_applied_when_the_caller_fails(mail_server, make_mailbox):
    """mark_done is called only after a commit, so QUIT must still happen on the way out."""
    mail_server.deliver(SUPPORT, mail("committed"))
    mail_server.deliver(SUPPORT, mail("crashed on"))
    mailbox = make_mailbox(protocol="pop3")

    with pytest.raises(RuntimeError), mailbox_session(mailbox, max_size=MAX) as session:
        committed, _crashed = session.new_mail(10)
        session.mark_done(committed.server_uid)
        raise RuntimeError("the worker fell over")

    assert [m.raw for m in mail_server.messages(SUPPORT)] == [mail("crashed on")]


def test_pop3_known_mail_left_by_a_lost_dele_can_be_deleted_later(mail_server, make_mailbox):
    """A worker killed between its commit and QUIT: the mail is known, still there, and the
    next session offers it for deletion instead of taking it in again."""
    mail_server.deliver(SUPPORT, mail("committed, never deleted"))
    mail_server.deliver(SUPPORT, mail("new"))
    mailbox = make_mailbox(protocol="pop3")
    leftover = fetch_all(mailbox)[0].server_uid

    with mailbox_session(mailbox, max_size=MAX) as session:
        fetched = list(session.new_mail(10, known={leftover}.__contains__))
        assert session.known_on_server == [leftover]
        session.mark_done(leftover)

    assert [m.raw for m in fetched] == [mail("new")]
    assert [m.raw for m in mail_server.messages(SUPPORT)] == [mail("new")]


def test_pop3_reads_mail_with_lines_longer_than_poplib_allows(mail_server, make_mailbox):
    long_mail = mail("long line", body="x" * 5000)
    mail_server.deliver(SUPPORT, long_mail)
    mailbox = make_mailbox(protocol="pop3")

    assert [m.raw for m in fetch_all(mailbox)] == [long_mail]


# -- the size guard -------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_oversized_mail_is_reported_without_body_and_left_on_the_server(
    mail_server, make_mailbox, protocol
):
    small, big = mail("small"), mail("big", body="y" * 5000)
    mail_server.deliver(SUPPORT, small)
    mail_server.deliver(SUPPORT, big)
    mailbox = make_mailbox(protocol=protocol)

    with mailbox_session(mailbox, max_size=1000) as session:
        fetched = list(session.new_mail(10))
        for m in fetched:
            session.leave(m.server_uid)

    assert [(m.raw, m.oversized) for m in fetched] == [(small, False), (None, True)]
    assert fetched[1].size >= len(big)
    on_server = mail_server.messages(SUPPORT)
    assert [m.raw for m in on_server] == [small, big]
    assert not on_server[1].seen  # (POP3's RETR itself flags what it read: Dovecot's default)


# -- sessions side by side, and the admin's connection test --------------------------------------


def test_a_second_session_works_while_the_first_is_open(mail_server, make_mailbox):
    mail_server.deliver(SUPPORT, mail("shared"))
    imap, pop3 = make_mailbox(), make_mailbox(protocol="pop3")

    with mailbox_session(imap, max_size=MAX) as first:
        assert [m.raw for m in first.new_mail(10)] == [mail("shared")]
        assert [m.raw for m in fetch_all(imap)] == [mail("shared")]
        assert [m.raw for m in fetch_all(pop3)] == [mail("shared")]


@pytest.mark.parametrize(
    ("protocol", "expected"),
    [("imap", "Connected: 2 messages in INBOX"), ("pop3", "Connected: 2 messages on the server")],
)
def test_connection_test_counts_the_messages(mail_server, make_mailbox, protocol, expected):
    mail_server.deliver(SUPPORT, mail("one"))
    mail_server.deliver(SUPPORT, mail("two"))

    assert mailbox_test_connection(make_mailbox(protocol=protocol)) == (True, expected)
    assert all(not m.seen for m in mail_server.messages(SUPPORT))


def test_connection_test_says_one_message_in_the_singular(mail_server, make_mailbox):
    mail_server.deliver(SUPPORT, mail("only"))

    assert mailbox_test_connection(make_mailbox()) == (True, "Connected: 1 message in INBOX")


def test_connection_test_reports_a_wrong_password_without_showing_it(dovecot, make_mailbox):
    ok, message = mailbox_test_connection(make_mailbox(password="hunter2-wrong"))

    assert not ok
    assert message.startswith("Could not connect: Authentication failed")
    assert "hunter2" not in message
    assert dovecot.users[SUPPORT] not in message


def test_connection_test_reports_an_unverifiable_certificate(dovecot, make_mailbox, settings):
    settings.MAILBOX_CA_FILE = str(dovecot.untrusted_ca_file)

    ok, message = mailbox_test_connection(make_mailbox(protocol="pop3"))

    assert not ok
    assert "certificate could not be verified" in message


def test_connection_test_reports_a_refused_connection(make_mailbox):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    ok, message = mailbox_test_connection(make_mailbox(host="127.0.0.1", port=port))

    assert not ok
    assert message == f"Could not connect: Connection refused by 127.0.0.1:{port}."
