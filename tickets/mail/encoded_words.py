"""Header text in RFC 2047 encoded words and RFC 2231 parameters, decoded as mail clients do.

The email package decodes each encoded word on its own, in the charset it names, and replaces
what does not fit: a GB2312 subject written in GBK, a word in a mislabelled charset, or a
character split across two words (common: mailers cut at a byte count) shows "�". Here a run of
adjacent encoded words of one charset is decoded as one, the whitespace between them dropped
(RFC 2047, 6.2), in the charset it names when its bytes fit and a detected one otherwise
(charsets.decode_text), and written back as a single UTF-8 encoded word, so the standard parser
that reads the field's structure afterwards decodes it exactly."""

import base64
import binascii
import re

from tickets.mail.charsets import decode_text

MAX_RUN_BYTES = 4096
_ENCODED_WORD = r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?="
_RUN = re.compile(rf"{_ENCODED_WORD}(?:[ \t]*{_ENCODED_WORD})*")
_ONE = re.compile(_ENCODED_WORD)
_Q_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")
# name*=charset'language'%XX..., name*0*=charset''%XX...; name*1*=%XX...; name*2="plain"
_EXTENDED = re.compile(
    r";\s*([!#$%&+\-.0-9A-Z^_`a-z{|}~]+)\*(?:(\d{1,3})(\*)?)?\s*=\s*"
    r'("(?:[^"\\]|\\.)*"|[^;\s]*)'
)
_QUOTED_PAIR = re.compile(r"\\(.)")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")


def encoded_words_normalized(value: str, *, charset: str | None = None) -> str:
    """`value` with each run of encoded words replaced by one UTF-8 encoded word of its text
    (for a structured field, which the standard parser reads afterwards). `charset` is the one
    the message declares, for words whose own charset does not fit their bytes."""
    if "=?" not in value:
        return value
    return _RUN.sub(lambda run: _utf8_word(_run_text(run.group(0), charset)), value)


def encoded_words_decoded(value: str, *, charset: str | None = None) -> str:
    """`value` with each run of encoded words replaced by its text (for unstructured text, a
    subject or a file name; also words glued to other text, which mail clients decode too)."""
    if "=?" not in value:
        return value
    return _RUN.sub(lambda run: _run_text(run.group(0), charset), value)


def _run_text(run: str, fallback: str | None) -> str:
    """The text of a run of encoded words: consecutive words of one charset decoded together."""
    pieces: list[str] = []
    label, data = None, b""
    for match in _ONE.finditer(run):
        word_label, encoding, payload = match.group(1).lower(), match.group(2), match.group(3)
        decoded = _word_bytes(encoding, payload)
        if decoded is None:
            pieces.append(_decoded(data, label, fallback) if data else "")
            pieces.append(match.group(0))  # not an encoded word after all: kept as it came
            label, data = None, b""
            continue
        if word_label != label and data:
            pieces.append(_decoded(data, label, fallback))
            data = b""
        label, data = word_label, (data + decoded)[:MAX_RUN_BYTES]
    if data:
        pieces.append(_decoded(data, label, fallback))
    return "".join(pieces)


def _word_bytes(encoding: str, payload: str) -> bytes | None:
    try:
        if encoding in "bB":
            return base64.b64decode(payload + "=" * (-len(payload) % 4))
        raw = payload.replace("_", " ").encode("ascii")
        return _Q_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)
    except (binascii.Error, ValueError):
        return None


def _decoded(data: bytes, label: str | None, fallback: str | None) -> str:
    text, codec = decode_text(data, charset=label)
    if codec is None and fallback:  # neither the word's charset nor detection fit
        text, _codec = decode_text(data, charset=fallback)
    return text


def _utf8_word(text: str) -> str:
    if not text:
        return ""
    return f"=?utf-8?b?{base64.b64encode(text.encode('utf-8', 'replace')).decode('ascii')}?="


def extended_parameters_decoded(value: str, *, charset: str | None = None) -> str:
    """A Content-Type or Content-Disposition value with its RFC 2231 parameters
    (`filename*=gb2312''%D6%D0`, continuations `filename*0*=...; filename*1*=...`) joined and
    decoded into plain quoted parameters, in the charset they name when their bytes fit it and
    a detected one otherwise. A plain parameter of the same name yields to the extended one."""
    if "*" not in value:
        return value
    sections: dict[str, list[tuple[int, bool, str]]] = {}
    for match in _EXTENDED.finditer(value):
        name, number, star, raw = match.groups()
        extended = number is None or star is not None
        text = _QUOTED_PAIR.sub(r"\1", raw[1:-1]) if raw.startswith('"') else raw
        sections.setdefault(name.lower(), []).append((int(number or 0), extended, text))
    if not sections:
        return value
    kept = _EXTENDED.sub("", value)
    for name in sections:  # "filename=" beside "filename*=" is the fallback for old readers
        kept = re.sub(
            rf';\s*{re.escape(name)}\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]*)', "", kept, flags=re.I
        )
    joined = [
        f'; {name}="{_quoted(_section_text(parts, charset))}"' for name, parts in sections.items()
    ]
    return kept.rstrip("; \t") + "".join(joined)


def _section_text(parts: list[tuple[int, bool, str]], fallback: str | None) -> str:
    parts = sorted(parts, key=lambda part: part[0])
    label = None
    data = b""
    for index, (_number, extended, text) in enumerate(parts):
        if extended and index == 0 and text.count("'") >= 2:
            label, _language, text = text.split("'", 2)
        data += _percent_decoded(text) if extended else text.encode("utf-8", "replace")
    return _decoded(data, label or None, fallback)


def _percent_decoded(text: str) -> bytes:
    data, position = bytearray(), 0
    for match in _PERCENT.finditer(text):
        data += text[position : match.start()].encode("utf-8", "replace")
        data.append(int(match.group(1), 16))
        position = match.end()
    return bytes(data + text[position:].encode("utf-8", "replace"))


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
