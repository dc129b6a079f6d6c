"""Files uuencoded into a plain-text body, as old mailers and some scanners still send them:
`begin 644 name`, lines of uuencode, then `end`. Mail clients show them as attachments."""

import binascii
import re
from dataclasses import dataclass

MAX_UUENCODED_FILES = 20
_BEGIN = re.compile(r"begin [0-7]{3,4} (\S(?:.*\S)?)")


@dataclass(frozen=True)
class UuencodedFile:
    name: str
    payload: bytes


def _decoded_line(line: str) -> bytes | None:
    """One line's bytes; None when it is no uuencode. Some encoders pad or trim lines, which
    the length byte at the start tells apart (as the standard library's old `uu` module did)."""
    try:
        return binascii.a2b_uu(line)
    except (binascii.Error, ValueError):
        pass
    if not line:
        return None
    length = (((ord(line[0]) - 32) & 63) * 4 + 5) // 3
    try:
        return binascii.a2b_uu(line[:length])
    except (binascii.Error, ValueError):
        return None


def _file_at(lines: list[str], start: int) -> tuple[bytes, int] | None:
    """The file whose `begin` line is at `start`: its bytes and the index of its `end` line;
    None unless every line up to an `end` is uuencode."""
    chunks = []
    for index in range(start + 1, len(lines)):
        line = lines[index].rstrip("\r")
        if line.strip() == "end":
            return b"".join(chunks), index
        if not line.strip():
            continue  # some mailers add blank lines; they carry nothing
        chunk = _decoded_line(line.rstrip())
        if chunk is None:
            return None
        chunks.append(chunk)
    return None


def uuencoded_extract(text: str) -> tuple[str, list[UuencodedFile]]:
    """The text without its uuencoded files, and the files in order. Text that only looks like
    a `begin` line (no `end`, or lines that are no uuencode) stays as it is."""
    if "begin " not in text:
        return text, []
    lines = text.split("\n")
    kept: list[str] = []
    files: list[UuencodedFile] = []
    index = 0
    while index < len(lines):
        match = _BEGIN.fullmatch(lines[index].rstrip())
        found = _file_at(lines, index) if match and len(files) < MAX_UUENCODED_FILES else None
        if found is None:
            kept.append(lines[index])
            index += 1
            continue
        payload, end = found
        files.append(UuencodedFile(name=match.group(1), payload=payload))
        index = end + 1
    if not files:
        return text, []
    return "\n".join(kept).strip("\n"), files
