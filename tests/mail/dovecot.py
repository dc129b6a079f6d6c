"""A throw-away Dovecot for the mail tests: IMAP and POP3 on 127.0.0.1, plain, STARTTLS and TLS,
with a certificate made for this run, a few users in a passwd-file and Maildirs in a temp dir.

This module starts, drives and stops the server; dovecot_configuration.py writes the files it runs
from (and explains which system users its processes run as), dovecot_certificates.py makes its
certificates.
"""

from __future__ import annotations

import atexit
import contextlib
import imaplib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.mail.dovecot_configuration import MAIL_GID, MAIL_UID, write_configuration

__all__ = [
    "DEFAULT_USERS",
    "MAIL_GID",
    "MAIL_UID",
    "Dovecot",
    "DovecotError",
    "ServerMessage",
    "start_dovecot",
]

DEFAULT_USERS = {
    "support@example.test": "support-secret",
    "billing@example.test": "billing-secret",
    "sales@example.test": "sales-secret",
}


@dataclass(frozen=True)
class ServerMessage:
    """One message as the server holds it, read without changing its flags."""

    uid: int
    flags: frozenset[str]
    raw: bytes

    @property
    def seen(self) -> bool:
        return "\\Seen" in self.flags


class DovecotError(RuntimeError):
    pass


@dataclass
class Dovecot:
    """A running Dovecot; `host` and the four ports are where the fetcher connects."""

    root: Path
    config: Path
    imap_port: int
    imaps_port: int
    pop3_port: int
    pop3s_port: int
    users: dict[str, str]
    ca_file: Path
    # A CA that did not sign the server's certificate: verification against it must fail.
    untrusted_ca_file: Path
    host: str = "127.0.0.1"

    # -- mail on the server, reached over IMAP as the user (the way real mail arrives) --------

    def _imap(self, user: str) -> imaplib.IMAP4:
        conn = imaplib.IMAP4(self.host, self.imap_port, timeout=10)
        conn.login(user, self.users[user])
        return conn

    def deliver(self, user: str, raw: bytes, *, folder: str = "INBOX") -> None:
        """Append a message (unseen), creating the folder when it does not exist yet."""
        conn = self._imap(user)
        try:
            if folder.upper() != "INBOX":
                conn.create(_quoted(folder))  # NO when it exists: fine
            typ, data = conn.append(_quoted(folder), None, None, raw)
            if typ != "OK":
                raise DovecotError(f"APPEND to {folder} failed: {data!r}")
        finally:
            conn.logout()

    def messages(self, user: str, folder: str = "INBOX") -> list[ServerMessage]:
        """What the folder holds, in UID order; EXAMINE and BODY.PEEK leave flags as they were."""
        conn = self._imap(user)
        try:
            typ, data = conn.select(_quoted(folder), readonly=True)
            if typ != "OK":
                raise DovecotError(f"EXAMINE {folder} failed: {data!r}")
            if int(data[0]) == 0:
                return []
            typ, data = conn.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
            found = []
            for item in data:
                if not isinstance(item, tuple):
                    continue
                head = item[0].decode()
                uid = int(re.search(r"UID (\d+)", head).group(1))
                flags = re.search(r"FLAGS \(([^)]*)\)", head).group(1).split()
                found.append(ServerMessage(uid=uid, flags=frozenset(flags), raw=item[1]))
            return sorted(found, key=lambda m: m.uid)
        finally:
            conn.logout()

    def uidvalidity(self, user: str, folder: str = "INBOX") -> int:
        conn = self._imap(user)
        try:
            _typ, data = conn.status(_quoted(folder), "(UIDVALIDITY)")
            return int(re.search(rb"UIDVALIDITY (\d+)", data[0]).group(1))
        finally:
            conn.logout()

    def reset(self, user: str | None = None) -> None:
        """Empty the user's INBOX and drop their other folders (every user when None)."""
        for name in [user] if user else list(self.users):
            conn = self._imap(name)
            try:
                _typ, data = conn.list()
                names = [re.search(rb'"[^"]*" (.+)$', line)[1].decode() for line in data if line]
                for folder in sorted(names, key=len, reverse=True):  # children before parents
                    if folder.strip('"').upper() != "INBOX":
                        conn.delete(_quoted(folder.strip('"')))
                _typ, data = conn.select("INBOX")
                if int(data[0]):
                    conn.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")
                    conn.expunge()
            finally:
                conn.logout()

    def change_uidvalidity(self, user: str, folder: str = "INBOX") -> int:
        """Give the folder a new UIDVALIDITY, as after a server-side restore; returns it."""
        old = self.uidvalidity(user, folder)
        new = max(old + 1, int(time.time()))
        self.doveadm("mailbox", "update", "-u", user, "--uid-validity", str(new), folder)
        if self.uidvalidity(user, folder) != new:
            raise DovecotError(f"UIDVALIDITY of {user}/{folder} did not change from {old}")
        return new

    # -- the process -------------------------------------------------------------------------

    def doveadm(self, *args: str) -> str:
        result = subprocess.run(
            [_binary("doveadm"), "-c", str(self.config), *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if result.returncode != 0:
            raise DovecotError(f"doveadm {' '.join(args)} failed: {result.stderr}{result.stdout}")
        return result.stdout

    def log(self) -> str:
        path = self.root / "log" / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else "(no log)"

    def master_pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            return int((self.root / "run" / "master.pid").read_text().strip())
        return None

    def stop(self, *, remove: bool = True) -> None:
        """Stop the master (which stops its children) and wait for it; idempotent."""
        pid = self.master_pid()
        if pid is not None and _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if _alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        if remove:
            shutil.rmtree(self.root, ignore_errors=True)


def start_dovecot(*, users: dict[str, str] | None = None, timeout: float = 15.0) -> Dovecot:
    """Start a private Dovecot and return once IMAP and POP3 greet; raises with its log if not."""
    if not shutil.which("dovecot", path=_sbin_path()):
        raise DovecotError(
            "Dovecot is not installed; the mail tests need it: "
            "apt-get install dovecot-imapd dovecot-pop3d (.ci/run does this)."
        )
    users = dict(users or DEFAULT_USERS)
    last_error = None
    for _attempt in range(3):  # a random free port can be taken between choosing and binding
        root = Path(tempfile.mkdtemp(prefix="helpdesk-dovecot-"))
        server = _prepare(root, users)
        try:
            _launch(server, timeout=timeout)
        except DovecotError as exc:
            last_error = exc
            server.stop()
            if "in use" not in str(exc):
                break
            continue
        except BaseException:
            server.stop()
            raise
        atexit.register(server.stop)
        return server
    raise last_error


def _prepare(root: Path, users: dict[str, str]) -> Dovecot:
    written = write_configuration(root, users)
    return Dovecot(
        root=root,
        config=written.config,
        imap_port=written.imap_port,
        imaps_port=written.imaps_port,
        pop3_port=written.pop3_port,
        pop3s_port=written.pop3s_port,
        users=users,
        ca_file=written.ca_file,
        untrusted_ca_file=written.untrusted_ca_file,
    )


def _launch(server: Dovecot, *, timeout: float) -> None:
    # The daemon inherits stdout/stderr: a pipe would never reach EOF, so use a file.
    startup_log = server.root / "log" / "startup.log"
    with startup_log.open("wb") as errors:
        started = subprocess.run(
            [_binary("dovecot"), "-c", str(server.config)],
            stdin=subprocess.DEVNULL,
            stdout=errors,
            stderr=errors,
            timeout=timeout,
            check=False,
        )
    if started.returncode != 0:
        raise DovecotError(
            f"dovecot did not start ({started.returncode}): "
            f"{startup_log.read_text(errors='replace')}\n{server.log()}"
        )
    deadline = time.monotonic() + timeout
    for port in (server.imap_port, server.imaps_port, server.pop3_port, server.pop3s_port):
        _wait_for_port(server, port, deadline)
    # The plain listeners also prove the login processes and auth answer.
    for port, greeting in ((server.imap_port, b"* OK"), (server.pop3_port, b"+OK")):
        _wait_for_greeting(server, port, greeting, deadline)


def _wait_for_port(server: Dovecot, port: int, deadline: float) -> None:
    while True:
        try:
            socket.create_connection((server.host, port), timeout=1).close()
            return
        except OSError as exc:
            if time.monotonic() > deadline:
                raise DovecotError(
                    f"dovecot is not listening on {port}: {exc}\n{server.log()}"
                ) from exc
            time.sleep(0.05)


def _wait_for_greeting(server: Dovecot, port: int, greeting: bytes, deadline: float) -> None:
    while True:
        try:
            with socket.create_connection((server.host, port), timeout=2) as sock:
                if sock.recv(200).startswith(greeting):
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise DovecotError(f"dovecot did not greet on {port}\n{server.log()}")
        time.sleep(0.05)


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _sbin_path() -> str:
    return os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/bin", "/sbin"])


def _binary(name: str) -> str:
    return shutil.which(name, path=_sbin_path()) or name


def _alive(pid: int) -> bool:
    """True while the process runs; a zombie (the daemon is nobody's child) counts as gone."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")
