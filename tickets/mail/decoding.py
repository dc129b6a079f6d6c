"""The common ground of reading a mail, shared by its headers (parsing.py) and its MIME parts
(mime_parts.py): the one error reading may raise, text in any charset made valid Unicode
(charsets.py decides which), and the email policy that parses each header field from a bounded
prefix."""

import email.policy
import functools
import re
from collections.abc import Callable
from email.headerregistry import HeaderRegistry
from email.message import Message
from typing import TypeVar

from tickets.mail.charsets import decode_text
from tickets.mail.encoded_words import (
    encoded_words_decoded,
    encoded_words_normalized,
    extended_parameters_decoded,
)

MAX_HEADER_LENGTH = 998  # RFC 5322's line limit, a generous bound for any one value
# The standard header parser takes time quadratic in a field's length (60 KB of "(a)" in To:
# 30 s), so it is fed a bounded prefix of each field. No real field comes near these.
_ADDRESS_FIELDS = frozenset({"from", "to", "cc", "bcc", "reply-to", "sender"})
ADDRESS_FIELD_LIMIT = 4096  # some hundred recipients
CONTENT_FIELD_LIMIT = 1024  # Content-Type, Content-Disposition: a long RFC 2231 file name fits
FIELD_LIMIT = 8192
_ID = r"[!-;=?-~]{1,996}"  # printable ASCII without "<", ">" or spaces
_CONTROLS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
_WHITESPACE_RUN = re.compile(r"\s+")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_LINE_BREAK = re.compile(r"\r|\n")
T = TypeVar("T")


class UnparseableEmail(Exception):
    """The mail cannot be read as a mail from someone; `reason` says why, for the admin."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _guarded(read: Callable[[], T], fallback: T) -> T:
    """One reading of a broken part falls back, instead of failing the whole mail."""
    try:
        return read()
    except Exception:
        return fallback


# --- text ---------------------------------------------------------------------------------------


def _decode_bytes(raw: bytes, *, charset: str | None) -> str:
    """Text in the declared charset when the bytes fit it, else ASCII, UTF-8 or the detected
    charset (charsets.py). Undecodable bytes become U+FFFD, never an error."""
    return decode_text(raw, charset=charset)[0]


def _repair_text(value: str, *, fallback_charset: str | None = None) -> str:
    """A string the email package built from undecodable bytes (surrogate escapes) made valid:
    read as UTF-8 (RFC 6532), else in the charset the part or the message declares, the one
    old mailers also wrote raw headers in, else the detected one. NUL removed."""
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


def part_filename(message: Message, *, charset: str | None = None) -> str:
    """The file name a part carries (Content-Disposition's filename, else Content-Type's name),
    decoded as mail clients do: raw 8-bit bytes in the charset the part declares, else the one
    its message declares (`charset`), before detection; RFC 2231 parameters and encoded words
    in the charset they name when their bytes fit it."""
    fields: dict[str, tuple[str, str]] = {}
    for name, value in message.raw_items():
        fields.setdefault(name.lower(), (name, value))
    charset = _guarded(message.get_content_charset, None) or charset
    for field, parameter in (("content-disposition", "filename"), ("content-type", "name")):
        name, value = fields.get(field, ("", ""))
        if parameter not in value.lower():
            continue
        value = _repair_text(_LINE_BREAK.sub("", value), fallback_charset=charset)
        value = extended_parameters_decoded(value, charset=charset)
        value = encoded_words_normalized(value, charset=charset)
        # The field's own name: the parse is cached, and the message parsed it already.
        header = _guarded(lambda n=name, v=value: _POLICY.header_factory(n, v), None)
        filename = getattr(header, "params", {}).get(parameter)
        if filename:
            return encoded_words_decoded(_repair_text(filename), charset=charset)
    return ""


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
