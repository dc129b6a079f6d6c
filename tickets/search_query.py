"""The search box's text as the search reads it (tickets/search.py searches with it): the
words, the fragment, the phone digits, the ticket number a query may be, the filters, and the
results' highlighted text.

A query is read as typed: at most SEARCH_MAX_LENGTH characters (the page says when more were
cut), at most SEARCH_MAX_WORDS distinct words of word characters, lower-cased; nothing a person
types reaches PostgreSQL's tsquery parser as syntax."""

import html
import re
from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from tickets.models import Ticket

SEARCH_MAX_LENGTH = 200  # characters of a query read; the rest is dropped, with a word
SEARCH_MAX_WORDS = 8
SEARCH_PAGE_SIZE = 25
SEARCH_PAGES = 10
FRAGMENT_MIN = 3
PHONE_DIGITS_MIN = 4
# Highlight markers: control characters no message keeps (they are removed before
# highlighting), turned into <mark> only after the text around them is escaped.
MARK_START, MARK_STOP = "\x02", "\x03"

PERIODS = {
    "week": (7, _("Last 7 days")),
    "month": (31, _("Last 31 days")),
    "year": (366, _("Last 12 months")),
}

TICKET_NUMBER = re.compile(r"\s*#?\s*([0-9]{1,18})\s*")
WORD = re.compile(r"\w+")
PHONE_LIKE = re.compile(r"[0-9+()\-. /]+")


@dataclass(frozen=True)
class SearchFilters:
    status_id: int | None = None
    department_id: int | None = None
    owner_id: int | None = None  # 0: the general pool
    period: str = ""


@dataclass(frozen=True)
class SearchQuery:
    text: str  # the query as read (trimmed, at most SEARCH_MAX_LENGTH)
    words: tuple[str, ...]
    truncated: bool = False
    prefix: bool = True  # words of three letters or more also match as prefixes

    @property
    def fragment(self) -> str:
        return self.text if len(self.text) >= FRAGMENT_MIN else ""

    @property
    def phone_digits(self) -> str:
        digits = re.sub(r"[^0-9]", "", self.text)
        if len(digits) >= PHONE_DIGITS_MIN and PHONE_LIKE.fullmatch(self.text):
            return digits
        return ""

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.fragment)

    @property
    def tsquery_params(self) -> list[str]:
        """The parameters of TSQUERY_SQL."""
        return [self.tsquery, self.text]

    @property
    def tsquery(self) -> str:
        """to_tsquery() input built from word characters only, each word quoted: nothing a
        person types (`& | ! : * ( )`, quotes, backslashes) reaches the tsquery parser as
        syntax."""
        # A query with a digit is a number or a code ("ORD-1134265"): its words are matched
        # whole, or "ord" would match "order" in half the messages.
        prefix = self.prefix and not any(character.isdigit() for character in self.text)
        return " & ".join(
            f"'{word}':*" if prefix and len(word) >= FRAGMENT_MIN else f"'{word}'"
            for word in self.words
        )


@dataclass
class SearchHit:
    ticket: Ticket
    subject_html: SafeString
    snippet_html: SafeString


@dataclass
class SearchPage:
    hits: list[SearchHit] = field(default_factory=list)
    page: int = 1
    has_next: bool = False
    # More tickets matched than are ranked: the person is told to narrow the search.
    ranked_all: bool = True


def search_query(raw: str) -> SearchQuery:
    text = " ".join((raw or "").split())
    truncated = len(text) > SEARCH_MAX_LENGTH
    text = text[:SEARCH_MAX_LENGTH].strip()
    words = tuple(dict.fromkeys(w.lower() for w in WORD.findall(text)))[:SEARCH_MAX_WORDS]
    return SearchQuery(text=text, words=words, truncated=truncated)


def ticket_number_in(raw: str) -> int | None:
    """The ticket number a query is, alone ("1042", "#1042"), or None."""
    match = TICKET_NUMBER.fullmatch(raw or "")
    return int(match.group(1)) if match else None


def highlighted(marked: str) -> SafeString:
    """Text with highlight markers as safe HTML: everything escaped, then only the markers
    turned into <mark>; a marker left open is closed."""
    escaped = html.escape(" ".join((marked or "").split()))
    opened = escaped.count(MARK_START) - escaped.count(MARK_STOP)
    escaped = escaped.replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>")
    return mark_safe(escaped + "</mark>" * max(opened, 0))  # escaped above
