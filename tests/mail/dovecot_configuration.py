"""The files a throw-away Dovecot (tests/mail/dovecot.py) runs from, all under one temp dir: its
configuration, a passwd-file of users, the certificates, and the Maildirs.

Dovecot's master must start as root to bind and to switch users, but it refuses to deliver mail as
uid 0, so the mail belongs to `nobody`/`nogroup` (65534): it exists on every Debian machine, so the
harness never has to add a system user. The login and internal processes run as the `dovenull` and
`dovecot` users that the Debian package creates. Run by a non-root user, every process runs as that
user instead (Dovecot supports this when nothing is chrooted)."""

from __future__ import annotations

import grp
import os
import pwd
import socket
from dataclasses import dataclass
from pathlib import Path

from tests.mail.dovecot_certificates import make_certificates

MAIL_UID = MAIL_GID = 65534  # nobody / nogroup


@dataclass(frozen=True)
class DovecotConfiguration:
    """What write_configuration wrote: the config file, the ports it listens on, and the CA files
    a client verifies the server's certificate with."""

    config: Path
    imap_port: int
    imaps_port: int
    pop3_port: int
    pop3s_port: int
    ca_file: Path
    # A CA that did not sign the server's certificate: verification against it must fail.
    untrusted_ca_file: Path


def write_configuration(root: Path, users: dict[str, str]) -> DovecotConfiguration:
    """Lay out `root` for a Dovecot serving `users` (address -> password) on four free ports."""
    as_root = os.geteuid() == 0
    uid, gid = (MAIL_UID, MAIL_GID) if as_root else (os.getuid(), os.getgid())
    # Dovecot's unprivileged processes read the passwd-file and reach the Maildirs through root.
    root.chmod(0o711)
    for name in ("run", "state", "log", "tls"):
        (root / name).mkdir()
    (root / "mail").mkdir(mode=0o700)
    os.chown(root / "mail", uid, gid)

    ca_file, cert_file, key_file, untrusted = make_certificates(root / "tls")
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
    return DovecotConfiguration(
        config=config,
        imap_port=ports[0],
        imaps_port=ports[1],
        pop3_port=ports[2],
        pop3s_port=ports[3],
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
