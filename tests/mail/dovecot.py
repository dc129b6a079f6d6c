"""A throw-away Dovecot for the mail tests: IMAP and POP3 on 127.0.0.1, plain, STARTTLS and TLS,
with a certificate made for this run, a few users in a passwd-file and Maildirs in a temp dir.

Dovecot's master must start as root to bind and to switch users, but it refuses to deliver mail as
uid 0, so the mail belongs to `nobody`/`nogroup` (65534): it exists on every Debian machine, so the
harness never has to add a system user. The login and internal processes run as the `dovenull` and
`dovecot` users that the Debian package creates. Run by a non-root user, every process runs as that
user instead (Dovecot supports this when nothing is chrooted).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime
import grp
import imaplib
import ipaddress
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_USERS = {
    "support@example.test": "support-secret",
    "billing@example.test": "billing-secret",
    "sales@example.test": "sales-secret",
}
MAIL_UID = MAIL_GID = 65534  # nobody / nogroup


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
    as_root = os.geteuid() == 0
    uid, gid = (MAIL_UID, MAIL_GID) if as_root else (os.getuid(), os.getgid())
    # Dovecot's unprivileged processes read the passwd-file and reach the Maildirs through root.
    root.chmod(0o711)
    for name in ("run", "state", "log", "tls"):
        (root / name).mkdir()
    (root / "mail").mkdir(mode=0o700)
    os.chown(root / "mail", uid, gid)

    ca_file, cert_file, key_file, untrusted = _make_certificates(root / "tls")
    passwd = root / "users"
    passwd.write_text(
        "".join(f"{user}:{{PLAIN}}{password}:{uid}:{gid}::::\n" for user, password in users.items())
    )
    passwd.chmod(0o644)

    ports = _free_ports(4)
    if as_root:
        process_users = "default_login_user = dovenull\ndefault_internal_user = dovecot\n"
        chroot = ""
    else:
        me = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(os.getgid()).gr_name
        process_users = (
            f"default_login_user = {me}\ndefault_internal_user = {me}\n"
            f"default_internal_group = {group}\n"
        )
        chroot = "  chroot =\n"
    config = root / "dovecot.conf"
    config.write_text(
        _CONFIG.format(
            root=root,
            cert=cert_file,
            key=key_file,
            passwd=passwd,
            uid=uid,
            gid=gid,
            process_users=process_users,
            chroot=chroot,
            imap=ports[0],
            imaps=ports[1],
            pop3=ports[2],
            pop3s=ports[3],
        )
    )
    return Dovecot(
        root=root,
        config=config,
        imap_port=ports[0],
        imaps_port=ports[1],
        pop3_port=ports[2],
        pop3s_port=ports[3],
        users=users,
        ca_file=ca_file,
        untrusted_ca_file=untrusted,
    )


_CONFIG = """\
# Generated for one test session; nothing from /etc/dovecot is read.
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/log/dovecot.log
info_log_path = {root}/log/dovecot.log
debug_log_path = {root}/log/dovecot.log
{process_users}
protocols = imap pop3
listen = 127.0.0.1
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
auth_cache_size = 0
# A wrong password costs 0.5 s (the auth process checks failures twice a second), not 2 s.
auth_failure_delay = 0
mail_location = maildir:{root}/mail/%u
mail_uid = {uid}
mail_gid = {gid}
first_valid_uid = 1
first_valid_gid = 1
mail_max_userip_connections = 100
pop3_uidl_format = %08Xu%08Xv
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {passwd}
}}
service imap-login {{
{chroot}  inet_listener imap {{
    port = {imap}
  }}
  inet_listener imaps {{
    port = {imaps}
    ssl = yes
  }}
}}
service pop3-login {{
{chroot}  inet_listener pop3 {{
    port = {pop3}
  }}
  inet_listener pop3s {{
    port = {pop3s}
    ssl = yes
  }}
}}
service anvil {{
{chroot}  # No growing delay for an address that keeps failing to log in (mode 0: no socket).
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


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


def _make_certificates(directory: Path) -> tuple[Path, Path, Path, Path]:
    """A CA and a server certificate it signed for localhost/127.0.0.1, plus an unrelated CA."""
    now = datetime.datetime.now(datetime.UTC)
    validity = (now - datetime.timedelta(days=1), now + datetime.timedelta(days=30))

    def ca(name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(validity[0])
            .not_valid_after(validity[1])
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_ca_usage(), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA256())
        )
        return key, cert

    ca_key, ca_cert = ca("Helpdesk test mail CA")
    _, other_cert = ca("Some other CA")
    key = ec.generate_private_key(ec.SECP256R1())
    ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(validity[0])
        .not_valid_after(validity[1])
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    paths = [directory / n for n in ("ca.pem", "server.pem", "server.key", "other-ca.pem")]
    paths[0].write_bytes(ca_cert.public_bytes(pem))
    paths[1].write_bytes(cert.public_bytes(pem) + ca_cert.public_bytes(pem))
    paths[2].write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    paths[2].chmod(0o600)
    paths[3].write_bytes(other_cert.public_bytes(pem))
    return paths[0], paths[1], paths[2], paths[3]


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


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
