"""Building test mails as a customer's mail program would send them, and as they reach us."""

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

SAMPLES = Path(__file__).parent / "samples"


def mail(
    *,
    sender: str = "Vera Visitor <vera@example.org>",
    to: str = "support@example.test",
    subject: str = "Printer shows E-042",
    body: str = "Since the update every job stops.",
    message_id: str | None = None,
    in_reply_to: str = "",
    references: str = "",
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
    transfer_encoding: str | None = None,  # "quoted-printable", "base64", "8bit"
    sent_at: datetime = datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id or make_msgid(domain="mail.example.org")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body, cte=transfer_encoding)
    for filename, content_type, payload in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(payload, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def sample(name: str) -> bytes:
    """A mail as a real mail program sent it (tests/mail/samples/)."""
    return (SAMPLES / name).read_bytes()


def relayed(raw: bytes, *, via: str = "mx2.example.test") -> bytes:
    """The same mail as it reaches us by another path: the receiving servers put their own
    trace and delivery headers on top (RFC 5321, 4.4), and nothing else changes."""
    trace = (
        f"Return-Path: <vera@example.org>\n"
        f"Delivered-To: support@example.test\n"
        f"Received: from relay.example.net (relay.example.net [192.0.2.7])\n"
        f"\tby {via} (Postfix) with ESMTPS id 4Q1xYz; Tue, 24 Nov 2026 09:00:07 +0000\n"
        f"X-Spam-Score: -0.1\n"
        f"X-Original-To: support@example.test\n"
    )
    line_end = b"\r\n" if b"\r\n" in raw[:2000] else b"\n"
    return trace.encode().replace(b"\n", line_end) + raw


def resent_edited(raw: bytes) -> bytes:
    """The Outlook sample (outlook_russian_reply.eml) resent under its old Message-ID with a
    word added ("(повтор)"): another mail, whatever its id says."""
    sentence_end = b"=E2=EE =E2=EB=EE=E6=E5=ED=E8=E8."  # "...во вложении."
    edited = raw.replace(sentence_end, sentence_end[:-1] + b" (=EF=EE=E2=F2=EE=F0).")
    assert edited != raw
    return edited
