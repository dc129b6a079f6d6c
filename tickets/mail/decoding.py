"""The common ground of reading a mail, shared by its headers (parsing.py) and its MIME parts
(mime_parts.py): the one error reading may raise, text in any declared charset made valid
Unicode, and the email policy that parses each header field from a bounded prefix."""

import codecs
import email.policy
import functools
import re
from collections.abc import Callable
from email.headerregistry import HeaderRegistry
from typing import TypeVar

MAX_HEADER_LENGTH = 998  # RFC 5322's line limit, a generous bound for any one value
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
_CONTROLS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
_WHITESPACE_RUN = re.compile(r"\s+")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
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
