"""A mail's MIME tree read into its body (plain text and HTML) and its attachments, as mail
clients show them. Part of reading a mail: `parse_email` in parsing.py is the entry point."""

import mimetypes
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.generator import BytesGenerator
from email.message import Message
from io import BytesIO

from tickets.mail.charsets import codec_for, decode_text
from tickets.mail.decoding import (
    _ID,
    _POLICY,
    UnparseableEmail,
    _decode_bytes,
    _guarded,
    _repair_text,
    part_filename,
)
from tickets.mail.uuencoded import uuencoded_extract

MAX_MIME_DEPTH = 50
MAX_MIME_PARTS = 500
MAX_FILENAME_LENGTH = 150
_FILENAME_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"|?*\u200e\u200f\u202a-\u202e\u2066-\u2069]')
_EXTENSIONS = {"text/plain": ".txt", "text/html": ".html", "message/rfc822": ".eml"}
# A Content-ID's local part that reads as a name ("image001.png", "logo", "ii_lx2k1"), not a
# random token (a UUID, 32 hex digits): those make "inline-<n>" instead.
_CID_NAME = re.compile(r"(?![0-9a-fA-F-]{20,}$)[A-Za-z0-9][\w.-]{0,59}")
# Characters a subject may hold that a file name must not: path separators become "-", the
# rest (the colons of "Re: Fwd:") go.
_SUBJECT_SEPARATORS = re.compile(r"\s*[/\\]+\s*")
_SUBJECT_UNSAFE = re.compile(r'[:*?"<>|]+')
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str
    content_type: str
    payload: bytes = field(repr=False)
    inline: bool = False  # an image the HTML body shows through a "cid:" URL
    content_id: str = ""  # without angle brackets, as a "cid:" URL names it


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


def _part_tree(message: Message, *, depth: int = 0, charset: str | None = None) -> _Part:
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
        # charset: the message's, for a name in raw 8-bit bytes in a part that declares none
        filename=_guarded(lambda: _safe_filename(part_filename(message, charset=charset)), ""),
        children=[_part_tree(child, depth=depth + 1, charset=charset) for child in payload]
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


def _leaves(part: _Part, *, parent: _Part | None = None) -> Iterator[tuple[_Part, _Part | None]]:
    if part.children is None:
        yield part, parent
        return
    for child in part.children:
        yield from _leaves(child, parent=part)


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
    raw_id = next(
        (value for name, value in part.message.raw_items() if name.lower() == "content-id"), ""
    )
    content_id = raw_id.strip().strip("<>").strip()
    content_id = content_id if re.fullmatch(_ID, content_id) else ""
    filename = part.filename or _unnamed_part_name(
        part, number=number, content_id=content_id, embedded=embedded
    )
    return ParsedAttachment(
        filename=filename,
        content_type=part.content_type,
        payload=payload,
        inline=bool(content_id)
        and part.disposition != "attachment"
        and part.content_type.startswith("image/"),
        content_id=content_id,
    )


def _text_charset(message: Message) -> str | None:
    """The charset the part's text is in: the declared one when its bytes fit, else the one
    they were found in; None for plain ASCII without a declared charset."""
    declared = _guarded(message.get_content_charset, None)
    codec = decode_text(_payload_bytes(message), charset=declared)[1]
    return None if codec == "ascii" else codec


def _extension(content_type: str) -> str:
    return (
        _EXTENSIONS.get(content_type) or mimetypes.guess_extension(content_type, strict=False) or ""
    )


def _unnamed_part_name(part: _Part, *, number: int, content_id: str, embedded) -> str:
    """A name for a part that carries none, as mail clients make one: a forwarded mail from its
    subject ("Quarterly report.eml"), an inline image from its Content-ID ("image001.png", as
    Outlook writes them) or its place ("inline-2.png"), anything else from its place and type."""
    extension = _extension(part.content_type)
    if part.content_type == "message/rfc822":
        inner = embedded[0] if isinstance(embedded, list) and embedded else None
        subject = _guarded(lambda: str(inner.get("subject", "")) if inner else "", "")
        subject = _SUBJECT_UNSAFE.sub("", _SUBJECT_SEPARATORS.sub("-", _repair_text(subject)))
        stem = _safe_filename(_SPACES.sub(" ", subject).strip(" -"))
        return f"{stem[: MAX_FILENAME_LENGTH - 4]}.eml" if stem else "forwarded-message.eml"
    if part.content_type.startswith("image/") and part.disposition != "attachment":
        local = content_id.partition("@")[0]
        if _CID_NAME.fullmatch(local):
            stem, dot, given = local.rpartition(".")
            named = local if dot and stem and given.lower() in _image_extensions(extension) else ""
            return _safe_filename(named or f"{local}{extension}")
        return f"inline-{number}{extension or '.bin'}"
    return f"attachment-{number}{extension or '.bin'}"


def _image_extensions(extension: str) -> set[str]:
    same = {".jpg": {"jpg", "jpeg", "jpe"}, ".tif": {"tif", "tiff"}}
    return same.get(extension, {extension.lstrip(".")}) if extension else set()


@dataclass
class _Body:
    text: str
    html: str
    charset: str | None  # the body's charset, the best guess for raw 8-bit headers
    attachments: list[ParsedAttachment]


def _read_body(message: Message) -> _Body:
    parts = list(message.walk())
    if len(parts) > MAX_MIME_PARTS:
        raise UnparseableEmail(f"more than {MAX_MIME_PARTS} MIME parts")
    # The message's charset: the first a part declares that says more than ASCII or UTF-8.
    declared = (_guarded(part.get_content_charset, None) for part in parts)
    charset = next((c for c in declared if codec_for(c) not in (None, "ascii", "utf-8")), None)
    tree = _part_tree(message, charset=charset)
    plain, html = _body_parts(tree, root=True)
    texts: list[str] = []
    htmls: list[str] = []
    attachments: list[ParsedAttachment] = []
    leaves = list(_leaves(tree))
    parents = {id(leaf): parent for leaf, parent in leaves}
    plain_parent, html_parent = parents.get(id(plain)), parents.get(id(html))
    for leaf, parent in leaves:
        # Apple Mail splits a body around an inline image into several inline text parts, all
        # in one multipart; a text part elsewhere (an HTML report after the alternative) is an
        # attachment, never lost.
        continues_body = (
            parent is not None
            and parent.content_type != "multipart/alternative"
            and not leaf.attached
        )
        if leaf is plain or (
            plain
            and continues_body
            and parent is plain_parent
            and leaf.content_type == "text/plain"
        ):
            text, files = uuencoded_extract(_part_text(leaf.message))
            texts.append(text.strip("\n"))
            attachments.extend(
                ParsedAttachment(
                    filename=_safe_filename(file.name) or f"attachment-{len(attachments) + 1}.bin",
                    content_type=mimetypes.guess_type(file.name)[0] or "application/octet-stream",
                    payload=file.payload,
                )
                for file in files
            )
        elif leaf is html or (
            html and continues_body and parent is html_parent and leaf.content_type == "text/html"
        ):
            htmls.append(_part_text(leaf.message).strip())
        else:
            attachments.append(_attachment(leaf, number=len(attachments) + 1))
    body_message = (plain or html or tree).message
    return _Body(
        text="\n\n".join(texts),
        html="\n".join(htmls),
        charset=_guarded(lambda: _text_charset(body_message), None),
        attachments=attachments,
    )
