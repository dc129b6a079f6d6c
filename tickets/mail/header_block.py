"""A mail's header block repaired the way mail clients read it, before the email package does.

The email package ends the headers at the first line that is neither a field nor a folded
continuation, so a line of junk before the headers (a stray line on top of a saved mail, blank
lines) or a continuation line its mailer forgot to indent turns every field after it into body
text, From among them, and the mail has no sender. Here such lines are dropped (before the first
field) or indented (between fields), but only when a known field follows them: a mail that
merely lacks the blank line between headers and body keeps its body. Well-formed mail, the
usual case, comes back as it came after one look at each header line."""

import re

MAX_HEADER_BLOCK = 65536  # bytes: no real header block is longer; the rest is never looked at
MAX_REPAIRED_LINES = 5  # junk lines before the fields, or unindented lines in a row
_BLANK = re.compile(rb"[ \t]*(?:\r\n|\n|\r)?")
# What the email package takes for a header line (feedparser.headerRE), the mbox "From " too.
_ACCEPTED = re.compile(rb"From |[!-9;-~]*:|[ \t]")
_KNOWN_FIELD = re.compile(
    rb"(?i)(?:from|to|cc|bcc|subject|date|message-id|mime-version|content-[a-z-]+|received"
    rb"|return-path|reply-to|sender|in-reply-to|references|delivered-to|x-[!-9;-~]+"
    rb"|list-[a-z-]+|dkim-signature|arc-[a-z-]+|authentication-results|thread-[a-z]+"
    rb"|importance|priority|user-agent|organization|precedence|auto-submitted)[ \t]*:"
    rb"|From "
)


def header_block_repaired(raw: bytes) -> bytes:
    """`raw` with junk before its fields dropped and unindented continuations indented."""
    lines = raw[:MAX_HEADER_BLOCK].splitlines(keepends=True)
    start = _junk_before_fields(lines)
    kept: list[bytes] = []
    index, indented = start, False
    while index < len(lines) and not _BLANK.fullmatch(lines[index]):
        if _ACCEPTED.match(lines[index]):
            kept.append(lines[index])
            index += 1
            continue
        # No field: a continuation with its indentation forgotten when a field follows.
        end = _known_field_after(lines, index)
        if end is None:
            break  # the body, begun without the blank line; the email package knows that
        kept.extend(b" " + line for line in lines[index:end])
        index, indented = end, True
    if start == 0 and not indented:
        return raw
    return b"".join(kept) + raw[sum(len(line) for line in lines[:index]) :]


def _junk_before_fields(lines: list[bytes]) -> int:
    """How many leading lines (blank, or no field) come before a known field: 0 when none do,
    or too many for junk."""
    for index, line in enumerate(lines[: MAX_REPAIRED_LINES + 1]):
        if _KNOWN_FIELD.match(line):
            return index
        if _ACCEPTED.match(line):
            return 0
    return 0


def _known_field_after(lines: list[bytes], index: int) -> int | None:
    """The index of the known field that follows a few lines that are no field, or None."""
    for end in range(index + 1, min(index + 1 + MAX_REPAIRED_LINES, len(lines))):
        if _KNOWN_FIELD.match(lines[end]):
            return end
        if _ACCEPTED.match(lines[end]) or _BLANK.fullmatch(lines[end]):
            return None
    return None
