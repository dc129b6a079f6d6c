"""Reading one inbound mail into plain values, trusting nothing in it.

`parse_email` fails with `UnparseableEmail` and nothing else, so the intake can set such a mail
aside (raw bytes kept) instead of losing it or retrying it forever. Only these are fatal: no
bytes, no usable sender (no From, no valid address in it, two From fields that disagree), and a
MIME tree too deep or too large to walk. Everything else is repaired: an unknown or lying charset
is decoded with replacement characters, a missing Subject or Message-ID becomes "", a bad Date
None, a multipart without its boundary a plain-text body, an invalid recipient is dropped.

Every string handed out is valid Unicode without NUL (PostgreSQL refuses both), and every
single-line value is free of line breaks, so none can smuggle a header into a mail we send."""

import codecs
import email
import email.policy
import functools
import mimetypes
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.generator import BytesGenerator
from email.headerregistry import HeaderRegistry
from email.message import Message
from email.utils import parsedate_to_datetime
from io import BytesIO
from typing import TypeVar

from tickets.mail.html_sanitizing import html_to_text, sanitize_html

MAX_HEADER_LENGTH = 998  # RFC 5322's line limit, a generous bound for any one value
MAX_ADDRESS_LENGTH = 254  # RFC 5321's path limit
MAX_TICKET_NUMBER = 10**12
MAX_REFERENCES = 100
MAX_MIME_DEPTH = 50
MAX_MIME_PARTS = 500
MAX_FILENAME_LENGTH = 150
CONTROL_HEADER_PREFIX = "x-helpdesk-"
# The headers the intake decides with (automatic mail, spam, loops); no other header is kept.
KEPT_HEADERS = frozenset(
    {
        "auto-submitted", "precedence", "x-auto-response-suppress", "x-autoreply",
        "x-autorespond", "list-id", "list-unsubscribe", "return-path", "x-spam-flag",
        "x-spam-status", "x-helpdesk-loop", "x-helpdesk-ticket",
    }
)  # fmt: skip
# The standard header parser takes time quadratic in a field's length (60 KB of "(a)" in To:
# 30 s), so it is fed a bounded prefix of each field. No real field comes near these.
_ADDRESS_FIELDS = frozenset({"from", "to", "cc", "bcc", "reply-to", "sender"})
ADDRESS_FIELD_LIMIT = 4096  # some hundred recipients
CONTENT_FIELD_LIMIT = 1024  # Content-Type, Content-Disposition: a long RFC 2231 file name fits
FIELD_LIMIT = 8192
_CHARSET_ALIASES = {  # labels mailers write that Python knows under another name
    "cp-1251": "cp1251", "win-1251": "cp1251", "x-user-defined": "cp1252",
    "gb2312": "gb18030",  # mail labelled GB2312 is routinely written in its superset
    "unicode-1-1-utf-7": "utf-7", "x-mac-cyrillic": "mac-cyrillic", "iso-8859-8-i": "iso8859-8",
}  # fmt: skip
# Codecs that are no character set: decoding "text" with them interprets escapes.
_NOT_CHARSETS = frozenset({"unicode-escape", "raw-unicode-escape", "undefined", "idna", "punycode"})
_ID = r"[!-;=?-~]{1,996}"  # printable ASCII without "<", ">" or spaces
_MESSAGE_ID = re.compile(rf"<({_ID})>")
_BARE_MESSAGE_ID = re.compile(rf"(?=[^@]+@){_ID}")
_ADDRESS_CHAR = r'[^\s@<>()\[\],;:"\\\ufffd]'
_ADDRESS = re.compile(
    rf"{_ADDRESS_CHAR}+@(?:(?!\.){_ADDRESS_CHAR})+(?:\.(?:(?!\.){_ADDRESS_CHAR})+)*"
)
_CONTROLS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
_WHITESPACE_RUN = re.compile(r"\s+")
_LINE_BREAK = re.compile(r"\r|\n")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_TICKET_TAG = re.compile(r"\[\s*#\s*([0-9]{1,13})\s*\]")
_FILENAME_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"|?*\u200e\u200f\u202a-\u202e\u2066-\u2069]')
_EXTENSIONS = {"text/plain": ".txt", "text/html": ".html", "message/rfc822": ".eml"}
T = TypeVar("T")


class UnparseableEmail(Exception):
    """The mail cannot be read as a mail from someone; `reason` says why, for the admin."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str
    content_type: str
    payload: bytes = field(repr=False)
    inline: bool = False  # an image the HTML body shows through a "cid:" URL
    content_id: str = ""  # without angle brackets, as a "cid:" URL names it


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


def _guarded(read: Callable[[], T], fallback: T) -> T:
    """One reading of a broken part falls back, instead of failing the whole mail."""
    try:
        return read()
    except Exception:
        return fallback


# --- text ---------------------------------------------------------------------------------------


def _codec(charset: str | None) -> str | None:
    label = (charset or "").strip().lower()
    try:
        name = codecs.lookup(_CHARSET_ALIASES.get(label, label)).name
        b"".decode(name)  # raises LookupError for bytes-to-bytes codecs (base64, rot13...)
    except Exception:
        return None
    return None if name in _NOT_CHARSETS else name


def _decode_bytes(raw: bytes, *, charset: str | None) -> str:
    """Text in the declared charset; an unknown label, or ASCII that is not (8-bit text labelled
    us-ascii is common), is read as UTF-8. Undecodable bytes become U+FFFD, never an error."""
    codec = _codec(charset)
    if codec in (None, "ascii"):
        codec = "utf-8"
    text = _guarded(lambda: raw.decode(codec, "replace"), None)  # some codecs raise regardless
    return _SURROGATE.sub("\ufffd", text if text is not None else raw.decode("utf-8", "replace"))


def _repair_text(value: str, *, fallback_charset: str | None = None) -> str:
    """A string the email package built from undecodable bytes (surrogate escapes) made valid:
    read as UTF-8 (RFC 6532), else in the charset the body declares, the one old mailers also
    wrote raw headers in. NUL removed."""
    if _SURROGATE.search(value):
        raw = value.encode("utf-8", "surrogateescape" if _only_escapes(value) else "replace")
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError:
            value = _decode_bytes(raw, charset=fallback_charset)
    return value.replace("\x00", "")


def _only_escapes(value: str) -> bool:
    return all(not 0xD800 <= ord(ch) < 0xDC80 and not 0xDD00 <= ord(ch) <= 0xDFFF for ch in value)


def _single_line(value: str, *, charset: str | None = None) -> str:
    value = _CONTROLS.sub(" ", _repair_text(value, fallback_charset=charset))
    return _WHITESPACE_RUN.sub(" ", value).strip()[:MAX_HEADER_LENGTH]


# --- headers ------------------------------------------------------------------------------------


class _BoundedHeaderRegistry(HeaderRegistry):
    """The standard registry, fed a bounded prefix of each field (see the limits above)."""

    def __call__(self, name: str, value: str):
        lowered = name.lower()
        if lowered in _ADDRESS_FIELDS:
            limit = ADDRESS_FIELD_LIMIT
        elif lowered.startswith("content-"):
            limit = CONTENT_FIELD_LIMIT
        else:
            limit = FIELD_LIMIT
        return _cached_header(name, value[:limit])


_STANDARD_REGISTRY = HeaderRegistry()


# The email package parses a field again on every reading (a part's Content-Type some five
# times); header objects are immutable, so one parse serves them all.
@functools.lru_cache(maxsize=1024)
def _cached_header(name: str, value: str):
    return _STANDARD_REGISTRY(name, value)


_POLICY = email.policy.default.clone(header_factory=_BoundedHeaderRegistry())
_RawHeaders = dict[str, list[str]]  # lower-cased name: its fields' raw values, in order


def _raw_headers(message: Message) -> _RawHeaders:
    headers: _RawHeaders = {}
    for name, value in message.raw_items():
        headers.setdefault(name.lower(), []).append(value)
    return headers


def _first_header(headers: _RawHeaders, name: str, *, charset: str | None):
    """The first field of that name, parsed after its raw 8-bit bytes were decoded (the
    registry alone reads them as UTF-8 only); a field the registry refuses stays a string.
    Only the first counts: RFC 5322 allows one, and each costs parsing time."""
    if name not in headers:
        return None
    value = _repair_text(_LINE_BREAK.sub("", headers[name][0]), fallback_charset=charset)
    return _guarded(lambda: _POLICY.header_factory(name, value), value)


def _header_text(headers: _RawHeaders, name: str, *, charset: str | None) -> str | None:
    header = _first_header(headers, name, charset=charset)
    return None if header is None else _single_line(str(header), charset=charset)


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


def _addresses(headers: _RawHeaders, name: str, *, charset: str | None) -> list[tuple[str, str]]:
    """(address, display name) of each valid mailbox; none from a field the registry refused
    (no one in it can be trusted)."""
    pairs: dict[str, str] = {}
    for mailbox in getattr(_first_header(headers, name, charset=charset), "addresses", ()):
        address = _repair_text(mailbox.addr_spec).strip().lower()
        if len(address) <= MAX_ADDRESS_LENGTH and _ADDRESS.fullmatch(address):
            pairs.setdefault(address, _single_line(mailbox.display_name))
    return list(pairs.items())


def _sender(headers: _RawHeaders, *, charset: str | None) -> tuple[str, str]:
    from_fields = {value.strip() for value in headers.get("from", [])}
    if not from_fields:
        raise UnparseableEmail("no From header")
    if len(from_fields) > 1:
        # Clients disagree on which of two From fields they show: a known spoofing trick.
        raise UnparseableEmail("more than one From header")
    senders = _addresses(headers, "from", charset=charset)
    if not senders:
        raise UnparseableEmail("no valid address in From")
    return senders[0]


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


# --- MIME parts ---------------------------------------------------------------------------------


@dataclass
class _Part:
    """One MIME part, its headers read once (each reading parses them again)."""

    message: Message
    content_type: str
    disposition: str
    filename: str
    children: list["_Part"] | None  # None for a leaf; a forwarded message is a leaf

    @property
    def attached(self) -> bool:
        return self.disposition == "attachment" or bool(self.filename)


def _safe_filename(name: str) -> str:
    """The basename, without control, bidi-override and reserved characters or leading dots:
    a name is only ever shown, but it must not mislead ("invoice\u202efdp.exe")."""
    name = re.split(r"[/\\]", unicodedata.normalize("NFC", name))[-1]
    name = _FILENAME_UNSAFE.sub("", name).strip().lstrip(".").rstrip(". ")
    stem, dot, extension = name.rpartition(".")
    if len(name) > MAX_FILENAME_LENGTH and dot and stem and len(extension) <= 16:
        return f"{stem[: MAX_FILENAME_LENGTH - len(extension) - 1]}.{extension}"
    return name[:MAX_FILENAME_LENGTH]


def _part_tree(message: Message, *, depth: int = 0) -> _Part:
    if depth > MAX_MIME_DEPTH:
        raise UnparseableEmail("MIME structure nested too deeply")
    content_type = _guarded(message.get_content_type, "application/octet-stream")
    payload = message.get_payload()
    if content_type.startswith("multipart/") and not isinstance(payload, list):
        content_type = "text/plain"  # a multipart whose boundary is missing is read as its text
    return _Part(
        message=message,
        content_type=content_type,
        disposition=_guarded(lambda: message.get_content_disposition() or "", ""),
        filename=_guarded(lambda: _safe_filename(_repair_text(message.get_filename() or "")), ""),
        children=[_part_tree(child, depth=depth + 1) for child in payload]
        if content_type.startswith("multipart/")
        else None,
    )


def _body_parts(part: _Part, *, root: bool = False) -> tuple[_Part | None, _Part | None]:
    """The text/plain and text/html parts that are the message itself, chosen as mail clients
    do: in alternative the first plain and the last (richest) html; in related its first part;
    in other multiparts the first part that holds a body. The top part is the body even when
    it carries a name."""
    if part.disposition == "attachment" or (part.filename and not root):
        return None, None
    if part.children is None:
        return (
            part if part.content_type == "text/plain" else None,
            part if part.content_type == "text/html" else None,
        )
    subtype = part.content_type.partition("/")[2]
    if subtype == "related":
        return _body_parts(part.children[0]) if part.children else (None, None)
    plain = html = None
    for child in part.children:
        child_plain, child_html = _body_parts(child)
        if subtype != "alternative" and (child_plain or child_html):
            return child_plain, child_html
        plain, html = plain or child_plain, child_html or html
    return plain, html


def _leaves(part: _Part, *, parent_subtype: str = "") -> Iterator[tuple[_Part, str]]:
    if part.children is None:
        yield part, parent_subtype
        return
    for child in part.children:
        yield from _leaves(child, parent_subtype=part.content_type.partition("/")[2])


def _payload_bytes(message: Message) -> bytes:
    payload = _guarded(lambda: message.get_payload(decode=True), None)
    if isinstance(payload, bytes):
        return payload
    raw = message.get_payload()  # a transfer encoding beyond repair: the bytes as they came
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _serialized(message: Message) -> bytes:
    buffer = BytesIO()
    policy = _POLICY.clone(linesep="\r\n", refold_source="none", max_line_length=0)
    try:
        BytesGenerator(buffer, mangle_from_=False, policy=policy).flatten(message)
    except Exception:  # a forwarded mail too broken to write back; the outer mail still counts
        return b""
    return buffer.getvalue()


def _part_text(message: Message) -> str:
    charset = _guarded(message.get_content_charset, None)
    text = _decode_bytes(_payload_bytes(message), charset=charset)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def _attachment(part: _Part, *, number: int) -> ParsedAttachment:
    embedded = part.message.get_payload()  # message/rfc822 and kin hold parsed messages
    if isinstance(embedded, list):
        payload = b"\r\n".join(_serialized(inner) for inner in embedded)
    else:
        payload = _payload_bytes(part.message)
    filename = part.filename
    if not filename and part.content_type == "message/rfc822":
        filename = "forwarded-message.eml"
    elif not filename:
        extension = _EXTENSIONS.get(part.content_type) or mimetypes.guess_extension(
            part.content_type, strict=False
        )
        filename = f"attachment-{number}{extension or '.bin'}"
    raw_id = next(
        (value for name, value in part.message.raw_items() if name.lower() == "content-id"), ""
    )
    content_id = raw_id.strip().strip("<>").strip()
    content_id = content_id if re.fullmatch(_ID, content_id) else ""
    return ParsedAttachment(
        filename=filename,
        content_type=part.content_type,
        payload=payload,
        inline=bool(content_id)
        and part.disposition != "attachment"
        and part.content_type.startswith("image/"),
        content_id=content_id,
    )


@dataclass
class _Body:
    text: str
    html: str
    charset: str | None  # the body's declared charset, the best guess for raw 8-bit headers
    attachments: list[ParsedAttachment]


def _read_body(message: Message) -> _Body:
    if sum(1 for _part in message.walk()) > MAX_MIME_PARTS:
        raise UnparseableEmail(f"more than {MAX_MIME_PARTS} MIME parts")
    tree = _part_tree(message)
    plain, html = _body_parts(tree, root=True)
    texts: list[str] = []
    htmls: list[str] = []
    attachments: list[ParsedAttachment] = []
    for leaf, parent_subtype in _leaves(tree):
        # Apple Mail splits a body around an inline image into several inline text parts.
        continues_body = parent_subtype != "alternative" and not leaf.attached
        if leaf is plain or (plain and continues_body and leaf.content_type == "text/plain"):
            texts.append(_part_text(leaf.message).strip("\n"))
        elif leaf is html or (html and continues_body and leaf.content_type == "text/html"):
            htmls.append(_part_text(leaf.message).strip())
        else:
            attachments.append(_attachment(leaf, number=len(attachments) + 1))
    body_message = (plain or html or tree).message
    return _Body(
        text="\n\n".join(texts),
        html="\n".join(htmls),
        charset=_guarded(body_message.get_content_charset, None),
        attachments=attachments,
    )


def _parse(raw: bytes) -> ParsedEmail:
    if not raw.strip():
        raise UnparseableEmail("no bytes")
    message = email.message_from_bytes(raw, policy=_POLICY)
    body = _read_body(message)
    headers = _raw_headers(message)
    charset = body.charset
    from_address, from_name = _sender(headers, charset=charset)
    reply_to = _addresses(headers, "reply-to", charset=charset)
    message_ids = _message_ids(headers.get("message-id", [])[:1])
    html = sanitize_html(body.html).strip() if body.html else ""
    return ParsedEmail(
        message_id=message_ids[0] if message_ids else "",
        in_reply_to=_message_ids(headers.get("in-reply-to", [])),
        references=_message_ids(headers.get("references", [])),
        subject=_header_text(headers, "subject", charset=charset) or "",
        from_address=from_address,
        from_name=from_name,
        reply_to=reply_to[0][0] if reply_to else "",
        to=[address for address, _name in _addresses(headers, "to", charset=charset)],
        cc=[address for address, _name in _addresses(headers, "cc", charset=charset)],
        date=_date(headers),
        text=body.text if body.text.strip() else html_to_text(html),
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
