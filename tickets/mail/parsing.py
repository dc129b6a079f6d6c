"""Reading one inbound mail into plain values, trusting nothing in it.

`parse_email` never fails with anything but `UnparseableEmail`, so the intake can set such a mail
aside (raw bytes kept) instead of losing it or retrying it forever. Only three things are fatal:
no bytes, no usable sender (no From, a From with no valid address, two From fields that
disagree), and a MIME tree too deep or too large to walk. Everything else is repaired: an unknown
or lying charset is decoded with replacement characters, a missing subject or Message-ID becomes
"", a bad Date becomes None, broken multipart becomes a plain-text body.

Every string handed out is valid Unicode without NUL (PostgreSQL refuses both), and every
single-line value has no line breaks, so none can smuggle a header into a mail we send."""

import codecs
import email
import email.policy
import mimetypes
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.generator import BytesGenerator
from email.message import EmailMessage, Message
from email.utils import parsedate_to_datetime
from io import BytesIO

from tickets.mail.html_sanitizing import html_to_text, sanitize_html

MAX_HEADER_LENGTH = 998  # RFC 5322's line limit, a generous bound for any one value
MAX_ADDRESS_LENGTH = 254  # RFC 5321's forward-path limit
LOOP_AND_CONTROL_HEADER_PREFIX = "x-helpdesk-"
# The headers the intake decides with (automatic mail, spam, loops); nothing else is kept.
KEPT_HEADERS = (
    "auto-submitted",
    "precedence",
    "x-auto-response-suppress",
    "x-autoreply",
    "x-autorespond",
    "list-id",
    "list-unsubscribe",
    "return-path",
    "x-spam-flag",
    "x-spam-status",
    "x-helpdesk-loop",
    "x-helpdesk-ticket",
)
_MESSAGE_ID = re.compile(r"<([!-;=?-~]{1,996})>")  # printable ASCII without < and >
_BARE_MESSAGE_ID = re.compile(r"[!-;=?-~]+@[!-;=?-~]+")
_ADDRESS = re.compile(
    r'[^\s@<>()\[\],;:"\\\ufffd]+@[^\s@<>()\[\],;:"\\.\ufffd]+(?:\.[^\s@<>()\[\],;:"\\.\ufffd]+)*'
)
_LINE_BREAKS_AND_CONTROLS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
_WHITESPACE_RUN = re.compile(r"\s+")
_FOLDING = re.compile(r"\r|\n")
_TICKET_TAG = re.compile(r"\[\s*#\s*([0-9]{1,13})\s*\]")
MAX_TICKET_NUMBER = 10**12


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
    inline: bool = False
    content_id: str = ""  # without angle brackets, as an HTML body's "cid:" URL names it


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
    """The ticket number in the first "[#1042]" tag of a subject ("[# 1042 ]" too: clients
    and people retyping it add spaces). None when there is none, or it is 0 or absurdly big."""
    match = _TICKET_TAG.search(subject)
    if not match:
        return None
    number = int(match.group(1))
    return number if 0 < number <= MAX_TICKET_NUMBER else None


def repair_text(value: str, *, fallback_charset: str | None = None) -> str:
    """A string the email package built from undecodable bytes (surrogate escapes) made valid:
    UTF-8 first (RFC 6532), then the charset the mail declares for its body, as old mailers wrote
    raw headers in it; NUL removed."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raw = value.encode("utf-8", "surrogateescape" if _only_escapes(value) else "replace")
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError:
            value = _decode_bytes(raw, charset=fallback_charset)
    return value.replace("\x00", "")


def _only_escapes(value: str) -> bool:
    return all(not 0xD800 <= ord(ch) <= 0xDFFF or 0xDC80 <= ord(ch) <= 0xDCFF for ch in value)


def _single_line(value: str, *, fallback_charset: str | None) -> str:
    value = _LINE_BREAKS_AND_CONTROLS.sub(
        " ", repair_text(value, fallback_charset=fallback_charset)
    )
    return _WHITESPACE_RUN.sub(" ", value).strip()[:MAX_HEADER_LENGTH]


def _raw_values(message: Message, name: str) -> list[str]:
    return [value for key, value in message.raw_items() if key.lower() == name]


def _headers(message: Message, name: str, *, charset: str | None) -> list:
    """The named header fields, parsed after their raw 8-bit bytes were decoded (the registry
    alone would read those as UTF-8 only); a field the registry refuses stays a plain string."""
    fields = []
    for raw in _raw_values(message, name):
        value = repair_text(_FOLDING.sub("", raw), fallback_charset=charset)
        try:
            fields.append(email.policy.default.header_factory(name, value))
        except Exception:  # the registry refuses some values outright (CR/LF in an address)
            fields.append(value)
    return fields


def _header_texts(message: Message, name: str, *, charset: str | None) -> list[str]:
    return [
        _single_line(str(value), fallback_charset=charset)
        for value in _headers(message, name, charset=charset)
    ]


def _message_ids(raw_values: list[str]) -> list[str]:
    ids: list[str] = []
    for value in raw_values:
        found = [f"<{found}>" for found in _MESSAGE_ID.findall(value)]
        if not found and _BARE_MESSAGE_ID.fullmatch(value.strip()):
            found = [f"<{value.strip()}>"]  # some mailers forget the angle brackets
        ids.extend(found_id for found_id in found if found_id not in ids)
    return ids


def _valid_address(addr_spec: str) -> str:
    addr_spec = addr_spec.strip().lower()
    if len(addr_spec) <= MAX_ADDRESS_LENGTH and _ADDRESS.fullmatch(addr_spec):
        return addr_spec
    return ""


def _addresses(message: Message, name: str, *, charset: str | None) -> list[tuple[str, str]]:
    """(address, display name) pairs of every valid mailbox in the named headers; a field the
    registry could not read gives none (nobody in it can be trusted)."""
    pairs: list[tuple[str, str]] = []
    for header in _headers(message, name, charset=charset):
        for mailbox in getattr(header, "addresses", ()):
            address = _valid_address(repair_text(mailbox.addr_spec))
            if address and address not in (known for known, _name in pairs):
                pairs.append((address, _single_line(mailbox.display_name, fallback_charset=None)))
    return pairs


def _sender(message: EmailMessage, *, charset: str | None) -> tuple[str, str]:
    from_fields = {value.strip() for value in _raw_values(message, "from")}
    if not from_fields:
        raise UnparseableEmail("no From header")
    if len(from_fields) > 1:
        # Clients disagree on which of two From fields they show: a known spoofing trick.
        raise UnparseableEmail("more than one From header")
    senders = _addresses(message, "from", charset=charset)
    if not senders:
        raise UnparseableEmail("no valid address in From")
    return senders[0]


def _date(message: EmailMessage) -> datetime | None:
    values = _raw_values(message, "date")
    if not values:
        return None
    try:
        parsed = parsedate_to_datetime(values[0].strip())
        if parsed.tzinfo is None:  # "-0000": the zone is unknown; UTC is the honest guess
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


def _kept_headers(message: EmailMessage, *, charset: str | None) -> dict[str, str]:
    names = [key.lower() for key, _value in message.raw_items()]
    wanted = [
        name
        for name in dict.fromkeys(names)
        if name in KEPT_HEADERS or name.startswith(LOOP_AND_CONTROL_HEADER_PREFIX)
    ]
    headers = {}
    for name in wanted:
        values = _header_texts(message, name, charset=charset)
        headers[name] = values[0] if values else ""
    return headers


MAX_MIME_DEPTH = 50
MAX_MIME_PARTS = 1000
MAX_FILENAME_LENGTH = 150
# Labels mailers write that Python does not know by that name.
_CHARSET_ALIASES = {
    "cp-1251": "cp1251",
    "win-1251": "cp1251",
    "x-user-defined": "cp1252",
    "gb2312": "gb18030",  # mail labelled GB2312 is routinely written in its superset
    "unicode-1-1-utf-7": "utf-7",
    "x-mac-cyrillic": "mac-cyrillic",
    "iso-8859-8-i": "iso8859-8",
}
# Codecs that are not a character set: decoding "text" with them interprets escapes.
_NOT_CHARSETS = frozenset({"unicode-escape", "raw-unicode-escape", "undefined", "idna", "punycode"})
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_FILENAME_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"|?*\u200e\u200f\u202a-\u202e\u2066-\u2069]')
_EXTENSIONS = {"text/plain": ".txt", "text/html": ".html", "message/rfc822": ".eml"}


def _codec(charset: str | None) -> str | None:
    if not charset:
        return None
    label = charset.strip().lower()
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
    try:
        text = raw.decode(codec, "replace")
    except Exception:  # a codec with its own ideas about errors (utf-7, cjk) must not fail a mail
        text = raw.decode("utf-8", "replace")
    return _SURROGATE.sub("\ufffd", text)


def _content_type(part: Message) -> str:
    try:
        content_type = part.get_content_type()
    except Exception:
        return "application/octet-stream"
    if content_type.startswith("multipart/") and not isinstance(part.get_payload(), list):
        return "text/plain"  # a multipart whose boundary is missing is read as its text
    return content_type


def _charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:
        return None


def _disposition(part: Message) -> str:
    try:
        return part.get_content_disposition() or ""
    except Exception:
        return ""


def _safe_filename(name: str) -> str:
    """The basename only, without control, bidi-override and reserved characters or leading dots
    (a name is only shown, never used as a path, but it must not mislead the reader either)."""
    name = re.split(r"[/\\]", unicodedata.normalize("NFC", name))[-1]
    name = _FILENAME_UNSAFE.sub("", name).strip().lstrip(".").rstrip(". ")
    if len(name) > MAX_FILENAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and len(extension) <= 16:
            return f"{stem[: MAX_FILENAME_LENGTH - len(extension) - 1]}.{extension}"
        return name[:MAX_FILENAME_LENGTH]
    return name


def _filename(part: Message) -> str:
    try:
        return _safe_filename(repair_text(part.get_filename() or ""))
    except Exception:
        return ""


def _content_id(part: Message) -> str:
    values = _raw_values(part, "content-id")
    content_id = values[0].strip().strip("<>").strip() if values else ""
    return content_id if re.fullmatch(r"[!-;=?-~]{1,996}", content_id) else ""


def _payload_bytes(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            return payload
    except Exception:  # a broken transfer encoding: keep the bytes as they came
        pass
    raw = part.get_payload()
    if not isinstance(raw, str):
        return b""
    try:
        return raw.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return raw.encode("utf-8", "replace")


def _serialized(message: Message) -> bytes:
    buffer = BytesIO()
    policy = email.policy.default.clone(linesep="\r\n", refold_source="none", max_line_length=0)
    try:
        BytesGenerator(buffer, mangle_from_=False, policy=policy).flatten(message)
    except Exception:  # a forwarded mail too broken to write back: the outer mail still counts
        return b""
    return buffer.getvalue()


def _part_text(part: Message) -> str:
    text = _decode_bytes(_payload_bytes(part), charset=_charset(part))
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def _children(part: Message) -> list[Message] | None:
    payload = part.get_payload()
    if part.get_content_maintype() == "multipart" and isinstance(payload, list):
        return payload
    return None


def _leaves(part: Message, *, depth: int = 0, parent: str = "") -> Iterator[tuple[Message, str]]:
    """Every non-multipart part with its parent's subtype; a forwarded message is one leaf."""
    if depth > MAX_MIME_DEPTH:
        raise UnparseableEmail("MIME structure nested too deeply")
    children = _children(part)
    if children is None:
        yield part, parent
        return
    for child in children:
        yield from _leaves(child, depth=depth + 1, parent=part.get_content_subtype())


def _is_attached(part: Message) -> bool:
    return _disposition(part) == "attachment" or bool(_filename(part))


def _body_parts(part: Message, *, root: bool = False) -> tuple[Message | None, Message | None]:
    """The text/plain and text/html parts that are the message itself, chosen as mail clients
    do: alternative → first plain and last (richest) html; related → its first part; other
    multiparts → the first part that holds a body."""
    if _disposition(part) == "attachment" or (not root and _filename(part)):
        return None, None
    children = _children(part)
    if children is None:
        content_type = _content_type(part)
        return (
            part if content_type == "text/plain" else None,
            part if content_type == "text/html" else None,
        )
    subtype = part.get_content_subtype()
    if subtype == "related":
        return _body_parts(children[0]) if children else (None, None)
    plain = html = None
    for child in children:
        child_plain, child_html = _body_parts(child)
        if subtype != "alternative" and (child_plain or child_html):
            return child_plain, child_html
        plain, html = plain or child_plain, child_html or html
    return plain, html


def _attachment(part: Message, *, number: int) -> ParsedAttachment:
    content_type = _content_type(part)
    embedded = part.get_payload() if part.is_multipart() else None  # message/rfc822 and kin
    if isinstance(embedded, list):
        payload = b"\r\n".join(_serialized(inner) for inner in embedded)
    else:
        payload = _payload_bytes(part)
    filename = _filename(part)
    if not filename:
        if content_type == "message/rfc822":
            filename = "forwarded-message.eml"
        else:
            extension = _EXTENSIONS.get(content_type) or mimetypes.guess_extension(
                content_type, strict=False
            )
            filename = f"attachment-{number}{extension or '.bin'}"
    content_id = _content_id(part)
    inline = bool(content_id) and _disposition(part) != "attachment"
    return ParsedAttachment(
        filename=filename,
        content_type=content_type,
        payload=payload,
        inline=inline and content_type.startswith("image/"),
        content_id=content_id,
    )


@dataclass
class _Body:
    text: str
    html: str
    charset: str | None
    attachments: list[ParsedAttachment]


def _read_body(message: EmailMessage) -> _Body:
    leaves = list(_leaves(message))
    if len(leaves) > MAX_MIME_PARTS:
        raise UnparseableEmail(f"more than {MAX_MIME_PARTS} MIME parts")
    plain_part, html_part = _body_parts(message, root=True)
    texts: list[str] = []
    htmls: list[str] = []
    attachments: list[ParsedAttachment] = []
    for leaf, parent in leaves:
        content_type = _content_type(leaf)
        # Apple Mail splits a body around an inline image into several inline text parts.
        continues_body = parent != "alternative" and not _is_attached(leaf)
        if leaf is plain_part or (plain_part and continues_body and content_type == "text/plain"):
            texts.append(_part_text(leaf))
        elif leaf is html_part or (html_part and continues_body and content_type == "text/html"):
            htmls.append(_part_text(leaf))
        else:
            attachments.append(_attachment(leaf, number=len(attachments) + 1))
    return _Body(
        text="\n\n".join(text.strip("\n") for text in texts),
        html="\n".join(html.strip() for html in htmls),
        charset=_charset(plain_part or html_part or message),
        attachments=attachments,
    )


def _parse(raw: bytes) -> ParsedEmail:
    if not raw.strip():
        raise UnparseableEmail("no bytes")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    body = _read_body(message)
    charset = body.charset
    from_address, from_name = _sender(message, charset=charset)
    reply_to = _addresses(message, "reply-to", charset=charset)
    subjects = _header_texts(message, "subject", charset=charset)
    message_ids = _message_ids(_raw_values(message, "message-id")[:1])
    html = sanitize_html(body.html) if body.html else ""
    return ParsedEmail(
        message_id=message_ids[0] if message_ids else "",
        in_reply_to=_message_ids(_raw_values(message, "in-reply-to")),
        references=_message_ids(_raw_values(message, "references")),
        subject=subjects[0] if subjects else "",
        from_address=from_address,
        from_name=from_name,
        reply_to=reply_to[0][0] if reply_to else "",
        to=[address for address, _name in _addresses(message, "to", charset=charset)],
        cc=[address for address, _name in _addresses(message, "cc", charset=charset)],
        date=_date(message),
        text=body.text if body.text else html_to_text(html),
        html=html,
        attachments=body.attachments,
        headers=_kept_headers(message, charset=charset),
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
