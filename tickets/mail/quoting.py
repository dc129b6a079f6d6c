"""Telling a reply from the history it quotes, so the thread can fold the history away.

The split is always at a line boundary and only whitespace is trimmed around it, so nothing the
customer wrote is lost: the new text and the history together hold every non-blank character of
the mail, in order. A mail that is nothing but a quote is returned whole as new text.

What starts the history, whichever comes first:
- an attribution line ("On <date>, <name> wrote:", "... пишет:", "... написав:", Gmail's Russian
  "<date>, <name> <address>:"), also when the client wrapped it over two or three lines; it
  must hold a date or time, or have ">" lines under it, to be told from prose;
- an Outlook separator ("-----Original Message-----" and its Russian/Ukrainian forms, a line of
  underscores) or an Outlook header block ("From: ... Sent: ... To:/Subject: ...");
- the run of ">" lines that ends the mail (quotes between replies are an inline answer: kept).

A signature ("-- ") belongs to the reply and stays in the new text. Forwarded messages are not
history: when a customer forwards something to support, the forwarded part is the request."""

import re
from collections.abc import Iterator

_BLANK_LINES_AT_START = re.compile(r"\A(?:[^\S\n]*\n)+")
# An attribution is one sentence; anything longer that happens to end in "wrote:" is prose.
MAX_ATTRIBUTION_LENGTH = 300
MAX_ATTRIBUTION_LINES = 3
# How far below "From:" Outlook's other header lines may be.
OUTLOOK_HEADER_BLOCK_LINES = 6

_ENGLISH_ATTRIBUTION = re.compile(r"^On\s.+\swrote:$", re.IGNORECASE)
_ATTRIBUTION_VERBS = re.compile(
    r"\s(?:пишет|написал|написала|написал\(а\)|написав|пише|schrieb|a écrit|escribió)"
    r"\s*:$",
    re.IGNORECASE,
)
# Gmail in Russian and Yandex write no verb: "пн, 1 янв. 2024 г. в 10:00, Иван <ivan@x.ru>:".
_ADDRESS_ATTRIBUTION = re.compile(r"<[^<>\s@]+@[^<>\s@]+>\s*:$")
_DIGIT = re.compile(r"\d")
_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(?:Original Message|Исходное сообщение|Оригинальное сообщение"
    r"|Вихідне повідомлення|Початкове повідомлення|Оригінальне повідомлення)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_UNDERSCORE_RULE = re.compile(r"^\s*_{20,}\s*$")
_OUTLOOK_FROM = re.compile(r"^\s*\*?(?:From|От|Від)\s*:\*?\s*\S", re.IGNORECASE)
_OUTLOOK_SENT = re.compile(
    r"^\s*\*?(?:Sent|Date|Отправлено|Дата|Надіслано|Відправлено)\s*:", re.IGNORECASE
)
_OUTLOOK_TO_OR_SUBJECT = re.compile(r"^\s*\*?(?:To|Subject|Кому|Тема)\s*:", re.IGNORECASE)


def _is_attribution(candidate: str, *, quote_follows: bool) -> bool:
    # What tells an attribution from prose ("On Monday the printer wrote:") is a date or time,
    # which every client writes into it, or the quoted lines right under it.
    if len(candidate) > MAX_ATTRIBUTION_LENGTH:
        return False
    if not (quote_follows or _DIGIT.search(candidate)):
        return False
    return bool(
        _ENGLISH_ATTRIBUTION.match(candidate)
        or _ATTRIBUTION_VERBS.search(candidate)
        or _ADDRESS_ATTRIBUTION.search(candidate)
    )


def _attribution_start(lines: list[str], end: int) -> int | None:
    """Where the attribution ending on line `end` starts; the shortest reading wins, so a
    sentence just above a one-line attribution is not swallowed into it."""
    below = next((lines[index] for index in range(end + 1, len(lines)) if lines[index].strip()), "")
    for line_count in range(1, MAX_ATTRIBUTION_LINES + 1):
        start = end - line_count + 1
        if start < 0:
            return None
        span = lines[start : end + 1]
        if any(not line.strip() for line in span):
            return None
        candidate = " ".join(line.strip() for line in span)
        if _is_attribution(candidate, quote_follows=below.lstrip().startswith(">")):
            return start
    return None


def _outlook_header_block_end(lines: list[str], start: int) -> int | None:
    """Where Outlook's "From: / Sent: / To: / Subject:" block starting at `start` ends."""
    if not _OUTLOOK_FROM.match(lines[start]):
        return None
    following = lines[start + 1 : start + 1 + OUTLOOK_HEADER_BLOCK_LINES]
    if not (
        any(_OUTLOOK_SENT.match(line) for line in following)
        and any(_OUTLOOK_TO_OR_SUBJECT.match(line) for line in following)
    ):
        return None
    blank = next((offset for offset, line in enumerate(following) if not line.strip()), None)
    return start + 1 + (len(following) if blank is None else blank)


def _marker_spans(lines: list[str]) -> Iterator[tuple[int, int]]:
    """(first line, line after) of every history marker, top to bottom."""
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        header_block_end = _outlook_header_block_end(lines, index)
        if header_block_end is not None:
            yield index, header_block_end
        elif _SEPARATOR.match(line):
            yield index, index + 1
        elif _UNDERSCORE_RULE.match(line):
            below = [other for other in lines[index + 1 : index + 3] if other.strip()]
            if below and _OUTLOOK_FROM.match(below[0]):
                yield index, index + 1
        elif line.rstrip().endswith(":"):
            start = _attribution_start(lines, index)
            if start is not None:
                yield start, index + 1


def _trailing_quote_span(lines: list[str]) -> tuple[int, int] | None:
    start = None
    for index in range(len(lines) - 1, -1, -1):
        stripped = lines[index].strip()
        if stripped.startswith(">"):
            start = index
        elif stripped:
            break
    return None if start is None else (start, len(lines))


def _trim(text: str) -> str:
    return _BLANK_LINES_AT_START.sub("", text.rstrip())


def split_quoted_history(text: str) -> tuple[str, str]:
    """(new text, quoted history); history is "" when none is found."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    spans = list(_marker_spans(lines))
    trailing_quote = _trailing_quote_span(lines)
    if trailing_quote is not None:
        spans.append(trailing_quote)
    marker_lines = {index for start, end in spans for index in range(start, end)}
    # The history starts at the first marker with something written above it that is not itself
    # a marker: a marker on top is a bottom-posted reply, or a mail that is all quote.
    first_written = next(
        (index for index, line in enumerate(lines) if line.strip() and index not in marker_lines),
        None,
    )
    if first_written is not None:
        starts_below = [start for start, _end in spans if start > first_written]
        if starts_below:
            split_at = min(starts_below)
            return _trim("\n".join(lines[:split_at])), _trim("\n".join(lines[split_at:]))
    return _trim("\n".join(lines)), ""
