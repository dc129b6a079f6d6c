"""Reading one inbound mail into plain values, trusting nothing in it.

`parse_email` fails with `UnparseableEmail` and nothing else, so the intake can set such a mail
aside (raw bytes kept) instead of losing it or retrying it forever. Only these are fatal: no
bytes, no usable sender (no address in From, Sender or Reply-To, two From fields that disagree), a
MIME tree too deep or too large to walk. Everything else is repaired as mail clients repair it:
text in an unknown or lying charset is read in the detected one (charsets.py), a broken header
block is mended (header_block.py), a sender is recovered from a From the standard parser cannot
read, or from Sender or Reply-To when there is no From; a missing Subject or Message-ID becomes
"", a bad Date None, a multipart without its boundary a plain-text body, an invalid recipient is
dropped.

Every string handed out is valid Unicode without NUL (PostgreSQL refuses both), and every
single-line value is free of line breaks, so none can smuggle a header into a mail we send."""

import email
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from email.utils import parsedate_to_datetime
from html import unescape

from tickets.mail.charsets import detect_charset
from tickets.mail.decoding import (
    _ID,
    _POLICY,
    ADDRESS_FIELD_LIMIT,
    CONTENT_FIELD_LIMIT,
    FIELD_LIMIT,
    MAX_HEADER_LENGTH,
    UnparseableEmail,
    _guarded,
    _only_escapes,
    _repair_text,
    _single_line,
)
from tickets.mail.encoded_words import encoded_words_decoded, encoded_words_normalized
from tickets.mail.header_block import header_block_repaired
from tickets.mail.html_sanitizing import html_to_text, sanitize_html_for_display
from tickets.mail.mime_parts import (
    MAX_FILENAME_LENGTH,
    MAX_MIME_DEPTH,
    MAX_MIME_PARTS,
    ParsedAttachment,
    _read_body,
)

# Reading a mail is split in three: decoding.py (charsets, text repair, the email policy),
# mime_parts.py (body and attachments) and this module (headers, and `parse_email` itself).
# The names importers knew from here stay importable from here.
__all__ = [
    "ADDRESS_FIELD_LIMIT",
    "CONTENT_FIELD_LIMIT",
    "CONTROL_HEADER_PREFIX",
    "FIELD_LIMIT",
    "KEPT_HEADERS",
    "MAX_ADDRESS_LENGTH",
    "MAX_FILENAME_LENGTH",
    "MAX_HEADER_LENGTH",
    "MAX_MIME_DEPTH",
    "MAX_MIME_PARTS",
    "MAX_REFERENCES",
    "MAX_TICKET_NUMBER",
    "ParsedAttachment",
    "ParsedEmail",
    "UnparseableEmail",
    "extract_ticket_tag",
    "parse_email",
]

MAX_ADDRESS_LENGTH = 254  # RFC 5321's path limit
MAX_TICKET_NUMBER = 10**12
MAX_REFERENCES = 100
CONTROL_HEADER_PREFIX = "x-helpdesk-"
# The headers the intake decides with (automatic mail, spam, loops); no other header is kept.
KEPT_HEADERS = frozenset(
    {
        "auto-submitted", "precedence", "x-auto-response-suppress", "x-autoreply",
        "x-autorespond", "list-id", "list-unsubscribe", "return-path", "x-spam-flag",
        "x-spam-status", "x-helpdesk-loop", "x-helpdesk-ticket",
    }
)  # fmt: skip
_MESSAGE_ID = re.compile(rf"<({_ID})>")
_BARE_MESSAGE_ID = re.compile(rf"(?=[^@]+@){_ID}")
_ADDRESS_CHAR = r'[^\s@<>()\[\],;:"\\\ufffd]'
_ADDRESS = re.compile(
    rf"{_ADDRESS_CHAR}+@(?:(?!\.){_ADDRESS_CHAR})+(?:\.(?:(?!\.){_ADDRESS_CHAR})+)*"
)
_LINE_BREAK = re.compile(r"\r|\n")
_COMMENT = re.compile(r"\(([^()]*)\)")
_NAME_DEBRIS = re.compile(r'[<>()"]|\s+')
_SENDER_FIELDS = ("from", "sender", "reply-to")  # where a sender is looked for, in order
_TEXT_FIELDS = ("subject", "from", "to", "cc", "reply-to", "sender")
_ESCAPED_BYTE = re.compile(r"[\udc80-\udcff]")  # a raw 8-bit byte the email package kept
_TICKET_TAG = re.compile(r"\[\s*#\s*([0-9]{1,13})\s*\]")


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str
    in_reply_to: list[str]
    references: list[str]
    subject: str
    from_address: str
    from_name: str
    reply_to: str
    to: list[str]
    cc: list[str]
    date: datetime | None
    text: str
    html: str
    attachments: list[ParsedAttachment]
    headers: dict[str, str]
    size: int


def extract_ticket_tag(subject: str) -> int | None:
    """The number in the first "[#1042]" of a subject ("[# 1042 ]" too: people retyping a tag
    add spaces). The leftmost tag wins, as "[#1042] Fwd: [#7] ..." is ticket 1042 forwarding
    ticket 7. None without a tag, or for 0 and numbers beyond any real ticket."""
    match = _TICKET_TAG.search(subject)
    number = int(match.group(1)) if match else 0
    return number if 0 < number <= MAX_TICKET_NUMBER else None


# --- headers ------------------------------------------------------------------------------------


_RawHeaders = dict[str, list[str]]  # lower-cased name: its fields' raw values, in order


def _raw_headers(message: Message) -> _RawHeaders:
    headers: _RawHeaders = {}
    for name, value in message.raw_items():
        headers.setdefault(name.lower(), []).append(value)
    return headers


def _raw_value(headers: _RawHeaders, name: str, *, charset: str | None) -> str | None:
    """The first field of that name, unfolded, its raw 8-bit bytes decoded (the registry alone
    reads them as UTF-8 only). Only the first counts: RFC 5322 allows one, and each costs
    parsing time."""
    if name not in headers:
        return None
    return _repair_text(_LINE_BREAK.sub("", headers[name][0]), fallback_charset=charset)


def _first_header(headers: _RawHeaders, name: str, *, charset: str | None):
    """The first field of that name, parsed; a field the registry refuses stays a string."""
    value = _raw_value(headers, name, charset=charset)
    if value is None:
        return None
    value = encoded_words_normalized(value, charset=charset)
    return _guarded(lambda: _POLICY.header_factory(name, value), value)


def _header_text(headers: _RawHeaders, name: str, *, charset: str | None) -> str | None:
    """An unstructured field's text (Subject and the kept headers), encoded words decoded."""
    value = _raw_value(headers, name, charset=charset)
    if value is None:
        return None
    return _single_line(encoded_words_decoded(value, charset=charset))


def _message_ids(raw_values: list[str]) -> list[str]:
    """Unique ids in order; of a longer list the thread's root and the newest ones, which is
    how clients trim References themselves (RFC 5322, 3.6.4)."""
    ids: dict[str, None] = {}
    for value in raw_values:
        found = _MESSAGE_ID.findall(value)
        if not found and _BARE_MESSAGE_ID.fullmatch(value.strip()):
            found = [value.strip()]  # some mailers forget the angle brackets
        ids.update(dict.fromkeys(f"<{message_id}>" for message_id in found))
    unique = list(ids)
    return unique if len(unique) <= MAX_REFERENCES else unique[:1] + unique[1 - MAX_REFERENCES :]


def _valid_address(address: str, *, raw: str) -> str | None:
    """The address normalised, or None. A field that is not UTF-8 (its bytes were read in a
    guessed charset) yields ASCII addresses only: no one can write to a guessed one."""
    address = _repair_text(address).strip().lower().rstrip(".")  # "<a@b.com.>": the root dot
    if len(address) > MAX_ADDRESS_LENGTH or not _ADDRESS.fullmatch(address):
        return None
    if not address.isascii() and not _is_utf8(raw):
        return None
    return address


def _is_utf8(raw: str | bytes) -> bool:
    try:
        (raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else raw).decode("utf-8")
    except UnicodeError:
        return False
    return True


def _addresses(headers: _RawHeaders, name: str, *, charset: str | None) -> list[tuple[str, str]]:
    """(address, display name) of each valid mailbox; none from a field the registry refused
    (no one in it can be trusted)."""
    pairs: dict[str, str] = {}
    raw = headers.get(name, [""])[0]
    for mailbox in getattr(_first_header(headers, name, charset=charset), "addresses", ()):
        address = _valid_address(mailbox.addr_spec, raw=raw)
        if address:
            pairs.setdefault(address, _single_line(mailbox.display_name))
    return list(pairs.items())


def _mailbox(headers: _RawHeaders, name: str, *, charset: str | None) -> tuple[str, str] | None:
    """The first mailbox of a field as a mail client reads it: the standard parse, its
    display name else its comment ("a@b (Marc Smith)"); else, when the parser found no valid
    address (no brackets, a trailing dot, the address inside a quoted name), the first
    address-shaped text in the field, the rest of the field its name."""
    header = _first_header(headers, name, charset=charset)
    if not hasattr(header, "addresses"):
        return None  # absent, or refused by the registry (CR/LF in a name: an injection)
    value = _raw_value(headers, name, charset=charset) or ""
    parsed = _addresses(headers, name, charset=charset)
    if parsed:
        address, display_name = parsed[0]
        if not display_name:
            comment = _COMMENT.search(value)
            display_name = comment.group(1) if comment and "@" not in comment.group(1) else ""
        return address, _single_line(encoded_words_decoded(display_name, charset=charset))
    value = encoded_words_decoded(value, charset=charset)
    raw = headers[name][0]
    for match in _ADDRESS.finditer(value):
        address = _valid_address(match.group(0), raw=raw)
        if address:
            rest = f"{value[: match.start()]} {value[match.end() :]}"
            display_name = _NAME_DEBRIS.sub(" ", rest).strip(" .,;:'")
            return address, _single_line(display_name)
    return None


def _sender(headers: _RawHeaders, *, charset: str | None) -> tuple[str, str]:
    from_fields = {value.strip() for value in headers.get("from", [])}
    if len(from_fields) > 1:
        # Clients disagree on which of two From fields they show: a known spoofing trick.
        raise UnparseableEmail("more than one From header")
    for name in _SENDER_FIELDS:
        mailbox = _mailbox(headers, name, charset=charset)
        if mailbox is not None:
            return mailbox
    if not from_fields:
        raise UnparseableEmail("no From header, nor Sender or Reply-To")
    raise UnparseableEmail("no valid address in From, Sender or Reply-To")


def _header_charset(headers: _RawHeaders, *, body_charset: str | None) -> str | None:
    """The charset raw 8-bit header values are read in when they are not UTF-8: the body's;
    for a body in plain ASCII, the one detected in all such values of the mail together (a
    name or a subject alone is too short to tell)."""
    if body_charset:
        return body_charset
    raw = b" ".join(
        headers[name][0].encode("utf-8", "surrogateescape")
        for name in _TEXT_FIELDS
        if name in headers and _ESCAPED_BYTE.search(headers[name][0])
        and _only_escapes(headers[name][0])
    )  # fmt: skip
    return None if _is_utf8(raw) else detect_charset(raw)


def _date(headers: _RawHeaders) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(headers.get("date", [""])[0].strip())
        if parsed.tzinfo is None:  # "-0000": the zone is unknown; UTC is the honest guess
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


def _kept_headers(headers: _RawHeaders, *, charset: str | None) -> dict[str, str]:
    return {
        name: _header_text(headers, name, charset=charset) or ""
        for name in headers
        if name in KEPT_HEADERS or name.startswith(CONTROL_HEADER_PREFIX)
    }


# --- the mail -----------------------------------------------------------------------------------

# A plain part this short that says little of what the HTML beside it says is a stub ("View
# this mail in your browser"), not the mail: its text is read from the HTML.
STUB_MAX_LENGTH = 300
STUB_MAX_LINES = 3
_WORD = re.compile(r"\w+")
_URL = re.compile(r"<?[a-z][a-z0-9+.-]*:\S+", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")
_QUOTES = re.compile(r"<blockquote\b.*</blockquote>", re.IGNORECASE | re.DOTALL)


def _words(text: str) -> set[str]:
    return set(_WORD.findall(_URL.sub(" ", text).lower()))


def _body_text(plain: str, html: str) -> str:
    """The mail's text: its plain part, else the text of its HTML; the HTML's also when the
    plain part is only a stub of it (newsletters): short, and holding less than half of the
    HTML's words (links aside)."""
    plain = plain if plain.strip() else ""
    if not html:
        return plain
    short = len(plain) <= STUB_MAX_LENGTH and len(plain.strip().splitlines()) <= STUB_MAX_LINES
    if plain and not short:
        return plain  # the usual case pays for no second reading of the HTML
    if not plain:
        return html_to_text(html)
    # A rough reading of the sanitised (so well-formed) HTML is enough to compare words, and
    # far cheaper than its text; quoted history does not count.
    rough = unescape(_TAGS.sub(" ", _QUOTES.sub(" ", html)))
    html_words = _words(rough)
    if html_words and len(html_words & _words(plain)) < len(html_words) / 2:
        return html_to_text(html)
    return plain


def _parse(raw: bytes) -> ParsedEmail:
    if not raw.strip():
        raise UnparseableEmail("no bytes")
    message = email.message_from_bytes(header_block_repaired(raw), policy=_POLICY)
    body = _read_body(message)
    headers = _raw_headers(message)
    charset = _header_charset(headers, body_charset=body.charset)
    from_address, from_name = _sender(headers, charset=charset)
    reply_to = _mailbox(headers, "reply-to", charset=charset)
    message_ids = _message_ids(headers.get("message-id", [])[:1])
    html = sanitize_html_for_display(body.html).strip() if body.html else ""
    return ParsedEmail(
        message_id=message_ids[0] if message_ids else "",
        in_reply_to=_message_ids(headers.get("in-reply-to", [])),
        references=_message_ids(headers.get("references", [])),
        subject=_header_text(headers, "subject", charset=charset) or "",
        from_address=from_address,
        from_name=from_name,
        reply_to=reply_to[0] if reply_to else "",
        to=[address for address, _name in _addresses(headers, "to", charset=charset)],
        cc=[address for address, _name in _addresses(headers, "cc", charset=charset)],
        date=_date(headers),
        text=_body_text(body.text, html),
        html=html,
        attachments=body.attachments,
        headers=_kept_headers(headers, charset=charset),
        size=len(raw),
    )


def parse_email(raw: bytes) -> ParsedEmail:
    """The mail's parts as plain values; `UnparseableEmail` (and nothing else) when it cannot be
    read. Passing something other than bytes is a programming error and raises TypeError."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise TypeError(f"parse_email() takes bytes, not {type(raw).__name__}")
    try:
        return _parse(bytes(raw))
    except UnparseableEmail:
        raise
    except RecursionError as error:
        raise UnparseableEmail("MIME structure nested too deeply") from error
    except Exception as error:
        raise UnparseableEmail(f"unreadable mail: {type(error).__name__}: {error}"[:500]) from error
