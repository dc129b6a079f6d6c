"""Fetching mail from a supervised mailbox: a thin layer over imaplib and poplib that speaks TLS,
STARTTLS or (only when asked) plain text, with timeouts and a size guard.

It never marks or deletes anything on its own: the caller takes a mail in, commits, and only then
calls `mark_done`, so a crash in between leaves the mail on the server to be seen again (IMAP: the
cursor was not advanced; POP3: the UIDL is not recorded) and the caller's dedupe decides.
"""

from __future__ import annotations

import base64
import contextlib
import imaplib
import poplib
import re
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from departments.credentials import secret_decrypt
from departments.models import Mailbox

TIMEOUT = 30  # seconds for connecting and for every read
FETCH_BATCH = 50  # IMAP: mails fetched in one round trip
FETCH_BATCH_BYTES = 16 * 1024 * 1024  # ... unless they are this large together
_UID = re.compile(rb"\bUID (\d+)\b")
POP3_MAX_LINE = 1_000_000  # poplib's own limit (2048) rejects long lines that real mail has


class MailboxError(Exception):
    """The server could not be reached, refused the login or answered with an error. `kind` is one
    of: auth, certificate, tls, refused, timeout, dns, connection, folder, protocol."""

    def __init__(self, message: str, *, kind: str = "protocol"):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class FetchedMail:
    server_uid: str  # IMAP: the UID (within the session's uidvalidity); POP3: the UIDL
    raw: bytes | None  # None when oversized: the mail stays on the server
    size: int
    oversized: bool


def mailbox_ssl_context(mailbox: Mailbox) -> ssl.SSLContext:
    """Verification against the system store, or against MAILBOX_CA_FILE when set (tests, or a
    private CA); an admin may turn verification off for a self-signed server they trust."""
    context = ssl.create_default_context(cafile=getattr(settings, "MAILBOX_CA_FILE", None) or None)
    if not mailbox.verify_certificate:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


class _LongLines:
    def _getline(self):
        line = self.file.readline(POP3_MAX_LINE + 1)
        if len(line) > POP3_MAX_LINE:
            raise poplib.error_proto("line too long")
        if not line:
            raise poplib.error_proto("-ERR EOF")
        if line[-2:] == b"\r\n":
            return line[:-2], len(line)
        return line[:-1] if line[-1:] in (b"\n", b"\r") else line, len(line)


class _POP3(_LongLines, poplib.POP3): ...


class _POP3SSL(_LongLines, poplib.POP3_SSL): ...


class _Session:
    uidvalidity: int | None = None
    message_count: int

    def __init__(self, conn, mailbox: Mailbox, max_size: int):
        self.conn = conn
        self.mailbox = mailbox
        self.max_size = max_size

    def leave(self, server_uid: str) -> None:
        """Keep the mail on the server as it is (an oversized mail waits for a human)."""


class ImapSession(_Session):
    """An IMAP folder, selected. New mail is what has a UID above the stored cursor, seen or not;
    `uidvalidity` is the folder's current value, for the caller to store with the cursor."""

    def __init__(self, conn: imaplib.IMAP4, mailbox: Mailbox, max_size: int):
        super().__init__(conn, mailbox, max_size)
        typ, data = conn.select(_imap_folder(mailbox.folder))
        if typ != "OK":
            raise MailboxError(
                _("The folder %(folder)s could not be opened: %(reason)s")
                % {"folder": mailbox.folder, "reason": _server_text(data)},
                kind="folder",
            )
        self.message_count = int(data[0] or 0)
        uidvalidity = conn.response("UIDVALIDITY")[1][0]
        if uidvalidity is None:
            raise MailboxError(_("The server did not tell the folder's UIDVALIDITY."))
        self.uidvalidity = int(uidvalidity)
        same = mailbox.imap_uidvalidity == self.uidvalidity
        self.last_uid = mailbox.imap_last_uid if same else 0  # a new UIDVALIDITY: start over

    def new_mail(
        self,
        limit: int,
        known: Callable[[str], bool] | None = None,
        known_among: Callable[[list[str]], set[str]] | None = None,
    ) -> Iterator[FetchedMail]:
        """Up to `limit` mails above the cursor, oldest first. `known` / `known_among` are not
        needed: the cursor decides (they are accepted so both sessions are used alike)."""
        with _errors(self.mailbox):
            data = self._ok(self.conn.uid("SEARCH", f"UID {self.last_uid + 1}:*"))
            # "N:*" always matches the highest UID, even one below N: filter.
            uids = sorted(u for u in map(int, (data[0] or b"").split()) if u > self.last_uid)
            uids = uids[:limit]
            if not uids:
                return
            sizes = {}
            for item in self._ok(self.conn.uid("FETCH", ",".join(map(str, uids)), "(RFC822.SIZE)")):
                head = (item[0] if isinstance(item, tuple) else item) or b""
                uid, size = (re.search(rb"%s (\d+)" % k, head) for k in (b"UID", b"SIZE"))
                if uid and size:
                    sizes[int(uid[1])] = int(size[1])
            run: list[int] = []  # mails to fetch together, in one round trip
            for uid in uids:
                if uid not in sizes:  # expunged meanwhile
                    continue
                if sizes[uid] > self.max_size:
                    yield from self._fetch(run)
                    run = []
                    yield FetchedMail(str(uid), None, sizes[uid], oversized=True)
                    continue
                run.append(uid)
                if len(run) >= FETCH_BATCH or sum(sizes[u] for u in run) >= FETCH_BATCH_BYTES:
                    yield from self._fetch(run)
                    run = []
            yield from self._fetch(run)

    def _fetch(self, uids: list[int]) -> Iterator[FetchedMail]:
        """Several mails in one UID FETCH, oldest first. PEEK: a mail is marked seen only by
        mark_done, after the caller's commit."""
        if not uids:
            return
        data = self._ok(self.conn.uid("FETCH", ",".join(map(str, uids)), "(BODY.PEEK[])"))
        bodies: dict[int, bytes] = {}
        for index, item in enumerate(data):
            if not isinstance(item, tuple):
                continue
            # The UID comes before the literal (Dovecot, most servers) or after it.
            after = data[index + 1] if index + 1 < len(data) else b""
            found = _UID.search(item[0]) or (isinstance(after, bytes) and _UID.search(after))
            if found:
                bodies[int(found[1])] = item[1]
        for uid in uids:
            if uid in bodies:  # else expunged meanwhile
                yield _guarded(str(uid), bodies[uid], self.max_size)

    def mark_done(self, server_uid: str) -> None:
        self.mark_done_many([server_uid])

    def mark_done_many(self, server_uids: list[str]) -> None:
        """One STORE for many mails (each already committed by the caller)."""
        if not server_uids:
            return
        with _errors(self.mailbox):
            self._ok(self.conn.uid("STORE", ",".join(server_uids), "+FLAGS.SILENT", "(\\Seen)"))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.logout()

    def _ok(self, response):
        typ, data = response
        if typ != "OK":
            raise MailboxError(_("The server refused: %(reason)s") % {"reason": _server_text(data)})
        return data


class Pop3Session(_Session):
    """A POP3 maildrop. New mail is what has a UIDL the caller does not know; `mark_done` deletes
    the mail, which the server applies when the session ends with QUIT."""

    def __init__(self, conn: poplib.POP3, mailbox: Mailbox, max_size: int):
        super().__init__(conn, mailbox, max_size)
        self.message_count = conn.stat()[0]
        self._numbers: dict[str, bytes] = {}
        # Mail `known` recognised but still here (its DELE was lost): the caller may mark it done.
        self.known_on_server: list[str] = []

    def new_mail(
        self,
        limit: int,
        known: Callable[[str], bool] | None = None,
        known_among: Callable[[list[str]], set[str]] | None = None,
    ) -> Iterator[FetchedMail]:
        """Up to `limit` mails whose UIDL is not known, in server order. `known_among` answers
        for every listed UIDL at once (one database query per poll); `known` asks one by one."""
        with _errors(self.mailbox):
            sizes = dict(line.split()[:2] for line in self.conn.list()[1])
            listing = []
            for line in self.conn.uidl()[1]:
                number, uidl = line.split()[:2]
                listing.append((number, uidl.decode("ascii", "replace")))
            recognised = known_among([uid for _, uid in listing]) if known_among else set()
            taken = 0
            for number, server_uid in listing:
                self._numbers[server_uid] = number
                if server_uid in recognised or (known is not None and known(server_uid)):
                    self.known_on_server.append(server_uid)
                    continue
                if taken >= limit:
                    continue
                taken += 1
                size = int(sizes.get(number, 0))
                if size > self.max_size:
                    yield FetchedMail(server_uid, None, size, oversized=True)
                    continue
                lines = self.conn.retr(int(number))[1]
                yield _guarded(server_uid, b"\r\n".join([*lines, b""]), self.max_size)

    def mark_done(self, server_uid: str) -> None:
        with _errors(self.mailbox):
            self.conn.dele(int(self._numbers[server_uid]))

    def mark_done_many(self, server_uids: list[str]) -> None:
        for server_uid in server_uids:
            self.mark_done(server_uid)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.quit()  # applies the deletions


MailboxSession = ImapSession | Pop3Session


@contextlib.contextmanager
def mailbox_session(mailbox: Mailbox, *, max_size: int) -> Iterator[MailboxSession]:
    """A logged-in session on the mailbox; logs out (POP3: QUIT, applying deletions) at the end,
    also when the caller fails, since only mail it committed was marked done."""
    session = _open(mailbox, max_size=max_size)
    try:
        yield session
    finally:
        session.close()


def mailbox_test_connection(mailbox: Mailbox) -> tuple[bool, str]:
    """Log in and look at the folder, for the admin's "Test connection" button. Never raises."""
    try:
        with mailbox_session(mailbox, max_size=0) as session:
            count = session.message_count
    except MailboxError as exc:
        return False, _("Could not connect: %(reason)s") % {"reason": exc}
    except Exception as exc:  # a button must answer, whatever went wrong
        return False, _("Could not connect: %(reason)s") % {"reason": type(exc).__name__}
    if mailbox.protocol == Mailbox.Protocol.IMAP:
        message = ngettext(
            "Connected: %(count)d message in %(folder)s",
            "Connected: %(count)d messages in %(folder)s",
            count,
        )
    else:
        message = ngettext(
            "Connected: %(count)d message on the server",
            "Connected: %(count)d messages on the server",
            count,
        )
    return True, message % {"count": count, "folder": mailbox.folder}


def _open(mailbox: Mailbox, *, max_size: int) -> MailboxSession:
    imap = mailbox.protocol == Mailbox.Protocol.IMAP
    security = mailbox.security
    conn = None
    with _errors(mailbox):
        context = mailbox_ssl_context(mailbox)
        host, port = mailbox.host, mailbox.port
        if imap and security == Mailbox.Security.TLS:
            conn = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=TIMEOUT)
        elif imap:
            conn = imaplib.IMAP4(host, port, timeout=TIMEOUT)
        elif security == Mailbox.Security.TLS:
            conn = _POP3SSL(host, port, timeout=TIMEOUT, context=context)
        else:
            conn = _POP3(host, port, timeout=TIMEOUT)
        try:
            if security == Mailbox.Security.STARTTLS:
                if imap:
                    conn.starttls(ssl_context=context)
                else:
                    conn.stls(context=context)
            _login(conn, mailbox)
            return (
                ImapSession(conn, mailbox, max_size)
                if imap
                else Pop3Session(conn, mailbox, max_size)
            )
        except BaseException:
            with contextlib.suppress(Exception):
                (conn.shutdown if imap else conn.close)()
            raise


def _login(conn, mailbox: Mailbox) -> None:
    password = secret_decrypt(mailbox.password_encrypted)
    try:
        if isinstance(conn, imaplib.IMAP4) and f"{mailbox.username}{password}".isascii():
            conn.login(mailbox.username, password)
        elif isinstance(conn, imaplib.IMAP4):  # LOGIN is ASCII only; SASL PLAIN carries UTF-8
            conn.authenticate("PLAIN", lambda _: f"\0{mailbox.username}\0{password}".encode())
        else:
            conn.user(mailbox.username)
            conn.pass_(password)
    except (imaplib.IMAP4.abort, OSError):
        raise
    except (imaplib.IMAP4.error, poplib.error_proto):
        # The server's words, not ours: they never echo the password.
        raise MailboxError(
            _("Authentication failed: the server refused the user name %(user)s or its password.")
            % {"user": mailbox.username},
            kind="auth",
        ) from None


# The first match wins, so the specific failures come before their base classes.
_FAILURES = (
    (
        ssl.SSLCertVerificationError,
        "certificate",
        gettext_noop("The server's certificate could not be verified (%(reason)s)."),
    ),
    (ssl.SSLError, "tls", gettext_noop("The TLS connection to %(where)s failed (%(reason)s).")),
    (ConnectionRefusedError, "refused", gettext_noop("Connection refused by %(where)s.")),
    (TimeoutError, "timeout", gettext_noop("Timed out talking to %(where)s.")),
    (socket.gaierror, "dns", gettext_noop("The server name %(host)s could not be found.")),
    (OSError, "connection", gettext_noop("Could not connect to %(where)s (%(reason)s).")),
    (
        (imaplib.IMAP4.error, poplib.error_proto),
        "protocol",
        gettext_noop("The server answered with an error: %(reason)s"),
    ),
)


@contextlib.contextmanager
def _errors(mailbox: Mailbox) -> Iterator[None]:
    """Every failure below becomes a MailboxError with a message an admin can act on."""
    try:
        yield
    except MailboxError:
        raise
    except Exception as exc:
        for types, kind, message in _FAILURES:
            if isinstance(exc, types):
                reasons = (getattr(exc, a, None) for a in ("verify_message", "reason", "strerror"))
                where = f"{mailbox.host}:{mailbox.port}"
                values = {
                    "where": where,
                    "host": mailbox.host,
                    "reason": next(filter(None, reasons), exc),
                }
                raise MailboxError(_(message) % values, kind=kind) from exc
        raise


def _guarded(server_uid: str, raw: bytes, max_size: int) -> FetchedMail:
    """The announced size can be wrong; the size guard holds for what actually arrived."""
    if len(raw) > max_size:
        return FetchedMail(server_uid, None, len(raw), oversized=True)
    return FetchedMail(server_uid, raw, len(raw), oversized=False)


def _server_text(data) -> str:
    return " ".join(
        d.decode(errors="replace") if isinstance(d, bytes) else str(d) for d in data or []
    )


def _imap_folder(name: str) -> str:
    """The folder name quoted, in IMAP's modified UTF-7 (RFC 3501 5.1.3) when not ASCII."""
    encoded, pending = [], []

    def flush():
        if pending:
            chunk = "".join(pending).encode("utf-16-be")
            b64 = base64.b64encode(chunk).decode().rstrip("=").replace("/", ",")
            encoded.append(f"&{b64}-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            encoded.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return '"' + "".join(encoded).replace("\\", "\\\\").replace('"', '\\"') + '"'
