"""Mail into the throw-away Dovecot (pipelined IMAP APPEND) and what its INBOX holds."""

from __future__ import annotations

import imaplib
import socket
import time

from bench.ingest.parameters import APPEND_WINDOW, USER


def deliver(server, raws: list[bytes]) -> float:
    """APPEND every mail to the user's INBOX in one session, APPEND_WINDOW commands written
    before their answers are read (LITERAL+, RFC 7888, so no wait for a continuation);
    returns the seconds it took."""
    started = time.perf_counter()
    with socket.create_connection((server.host, server.imap_port), timeout=120) as sock:
        reader = sock.makefile("rb")
        greeting = reader.readline()
        if b"LITERAL+" not in greeting:
            raise RuntimeError(f"the server does not offer LITERAL+: {greeting!r}")
        counter = 0

        def answer(tag: bytes) -> None:
            while True:
                line = reader.readline()
                if not line:
                    raise RuntimeError("the server closed the connection")
                if line.startswith(tag + b" "):
                    if not line.startswith(tag + b" OK"):
                        raise RuntimeError(f"the server refused: {line!r}")
                    return

        def tag_next() -> bytes:
            nonlocal counter
            counter += 1
            return b"D%d" % counter

        tag = tag_next()
        password = server.users[USER]
        sock.sendall(b'%s LOGIN "%s" "%s"\r\n' % (tag, USER.encode(), password.encode()))
        answer(tag)
        for start in range(0, len(raws), APPEND_WINDOW):
            chunk, tags, out = raws[start : start + APPEND_WINDOW], [], bytearray()
            for raw in chunk:
                tag = tag_next()
                tags.append(tag)
                out += b"%s APPEND INBOX {%d+}\r\n%s\r\n" % (tag, len(raw), raw)
            sock.sendall(out)
            for tag in tags:
                answer(tag)
        tag = tag_next()
        sock.sendall(b"%s LOGOUT\r\n" % tag)
        answer(tag)
    return time.perf_counter() - started


def server_counts(server) -> tuple[int, int]:
    """How many mails the INBOX holds and how many of them are unseen (EXAMINE: no change)."""
    conn = imaplib.IMAP4(server.host, server.imap_port, timeout=60)
    try:
        conn.login(USER, server.users[USER])
        _typ, data = conn.select("INBOX", readonly=True)
        total = int(data[0])
        _typ, data = conn.uid("SEARCH", "UNSEEN")
        return total, len((data[0] or b"").split())
    finally:
        conn.logout()
