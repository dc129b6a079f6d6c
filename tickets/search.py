"""Ticket search: one box over ticket numbers, subjects, message text, customers' names, email
addresses, phones, companies and order numbers.

The caller passes the tickets the person may see (tickets.access.tickets_visible_to_staff for
staff, the customer's own tickets on /my/); search never widens that set. Staff search every
message of a ticket, internal notes included; a customer's search reads only what they may read
(customer_visible_q), so a word of an internal note never finds their ticket.

On PostgreSQL (tickets/migrations/0027_search.py and 0028_search_documents.py say why the
indexes are what they are):
- words: full text over one stored document per ticket (`tickets_ticketsearch`, kept by
  triggers: the subject and every message's words, the staff's and the customer's) in the
  `helpdesk_search` configuration (simple + unaccent: English, Russian and Ukrainian alike,
  case and accents ignored). Whole words are looked up first; each word of three letters or
  more also matches as a prefix ("refun" finds "refund") when the whole words find too few;
- who may see what is read inside the same index scan (SearchScope: the document carries the
  ticket's department, owner and customer), and every hit is checked against the caller's
  `tickets` again, so a stale document can only hide a ticket, never show one;
- fragments of three characters or more: order numbers (pg_trgm), and the customers whose
  name, company, any email address or phone (by digits) holds them, read once per search;
- which rows: the newest tickets first (SEARCH_FIRST_WINDOW, counted back from the largest id), the
  next, wider window only when that one holds too few matches the person may see. Each branch
  is forced through its index as a bitmap (ANDed with the window);
- ranking: a score per ticket (a subject match 4, an order number 4, a customer's name,
  company, address or phone 2, the messages 1, a whole word 1 more than a prefix), then
  recency; at most SEARCH_RANKED tickets are ranked (the page says when more matched) in at
  most SEARCH_PAGES pages of SEARCH_PAGE_SIZE. The number of queries is bounded: a few per
  window and pass, plus the page's rows and snippets (cut from the page's tickets' messages).

On other databases (the SQLite quickstart) a plain case-insensitive `icontains` over the same
fields stands in, newest first, with the snippet cut around the first occurrence."""

import html
import re
from dataclasses import dataclass, field, replace
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer, CustomerEmail
from tickets.models import Message, Ticket, customer_visible_q

CONFIG = "public.helpdesk_search"
SEARCH_MAX_LENGTH = 200  # characters of a query read; the rest is dropped, with a word
SEARCH_MAX_WORDS = 8
SEARCH_RANKED = 250  # SEARCH_PAGES of SEARCH_PAGE_SIZE
SEARCH_PAGE_SIZE = 25
SEARCH_PAGES = 10
FRAGMENT_MIN = 3
PHONE_DIGITS_MIN = 4
SNIPPET_SOURCE_MAX = 5000  # characters of a message a snippet is cut from
SNIPPET_CONTEXT = 80  # characters either side of the first occurrence (SQLite)
# Highlight markers: control characters no message keeps (they are removed before
# highlighting), turned into <mark> only after the text around them is escaped.
MARK_START, MARK_STOP = "\x02", "\x03"
# Every word as a prefix, or the text parsed as the documents were ("SN-3012695" is indexed as
# "sn-3012695", "sn" and "-3012695", which the words alone would not find).
TSQUERY_SQL = (
    f"(to_tsquery('{CONFIG}'::regconfig, %s) || plainto_tsquery('{CONFIG}'::regconfig, %s))"
)

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


def ticket_number_jump(*, tickets: QuerySet[Ticket], raw: str) -> Ticket | None:
    """The ticket a query names by number, when it is among `tickets` (those the person may
    see); else None, and the query is searched like any other."""
    number = ticket_number_in(raw)
    if number is None:
        return None
    return tickets.filter(number=number).only("number").first()


def search_filtered(tickets: QuerySet[Ticket], filters: SearchFilters) -> QuerySet[Ticket]:
    if filters.status_id:
        tickets = tickets.filter(status_id=filters.status_id)
    if filters.department_id:
        tickets = tickets.filter(department_id=filters.department_id)
    if filters.owner_id is not None:
        tickets = tickets.filter(assignee_id=filters.owner_id or None)
    if filters.period in PERIODS:
        days = PERIODS[filters.period][0]
        tickets = tickets.filter(created_at__gte=timezone.now() - timedelta(days=days))
    return tickets


def tickets_search(
    *,
    tickets: QuerySet[Ticket],
    query: SearchQuery,
    public_only: bool,
    filters: SearchFilters | None = None,
    page: int = 1,
    scope: "SearchScope | None" = None,
) -> SearchPage:
    """One page of the tickets among `tickets` that match `query`, best first. `scope` says
    the same as `tickets` in the search documents' terms (staff_search_scope, or the customer);
    `tickets` stays the authority; without a scope every document is read (correct, slower)."""
    page = min(max(page, 1), SEARCH_PAGES)
    if query.is_empty:
        return SearchPage(page=page)
    filters = filters or SearchFilters()
    tickets = search_filtered(tickets, filters)
    if connection.vendor == "postgresql":
        return _search_postgresql(
            tickets,
            query,
            scope=scope or SearchScope(everything=True),
            filters=filters,
            public_only=public_only,
            page=page,
        )
    return _search_simple(tickets, query, public_only=public_only, page=page)


# PostgreSQL ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchScope:
    """Who may see which ticket, in the columns of the search documents (tickets 0028): read
    inside the index scan, so a word found in thousands of tickets costs only the matches the
    person may see. A pre-filter only: every hit is checked against the caller's `tickets`."""

    everything: bool = False  # admins
    owner_id: int | None = None  # a tech's own pool
    managed: tuple[int, ...] = ()  # departments whose every ticket they see
    member: tuple[int, ...] = ()  # departments whose general pool they see
    customer_id: int | None = None  # a customer's own tickets (public text only)


# The newest tickets searched first, counted back from the largest id; a wider window only when
# that one holds too few matches the person may see, as wide as the matches found so far say is
# needed for twice SEARCH_RANKED, or the whole table when that is most of it. A word in one
# ticket of thirty reads the matches of the newest 10,000 tickets, not every match in a
# million; an order number found in one ticket reads two windows, not five.
SEARCH_FIRST_WINDOW = 10_000
SCORE_SUBJECT, SCORE_ORDER, SCORE_MESSAGE, SCORE_CUSTOMER = 4, 4, 1, 2


def _scope_sql(scope: SearchScope, filters: SearchFilters, *, table: str) -> tuple[str, list]:
    """The scope (and the department and owner filters) as a condition on `table`'s columns:
    the search documents' (owner_id 0 for the general pool) or the tickets' own."""
    documents = table == "s"
    owner = f"{table}.owner_id" if documents else f"coalesce({table}.assignee_id, 0)"
    department = f"{table}.department_id"
    conditions, params = [], []
    if scope.customer_id is not None:
        conditions.append(f"{table}.customer_id = %s::bigint")
        params.append(scope.customer_id)
    elif not scope.everything:
        either = []
        if scope.owner_id is not None:
            either.append(f"{owner} = %s::bigint")
            params.append(scope.owner_id)
        if scope.managed:
            either.append(f"{department} = ANY(%s::bigint[])")
            params.append(list(scope.managed))
        if scope.member:
            either.append(f"({owner} = 0 AND {department} = ANY(%s::bigint[]))")
            params.append(list(scope.member))
        conditions.append("(" + " OR ".join(either) + ")" if either else "FALSE")
    if filters.department_id:
        conditions.append(f"{department} = %s::bigint")
        params.append(filters.department_id)
    if filters.owner_id is not None:
        conditions.append(f"{owner} = %s::bigint")
        params.append(filters.owner_id)
    return " AND ".join(conditions) or "TRUE", params


def _candidates_sql(
    query: SearchQuery,
    *,
    scope: SearchScope,
    filters: SearchFilters,
    public_only: bool,
    ticket_from: int,
    customer_ids: tuple[int, ...],
) -> tuple[str, list]:
    """(ticket id, score) of the matches within the scope, from the given ticket id on, as one
    UNION ALL whose branches each use their own index; `customer_ids`: the customers the
    query names (_customers_named)."""
    branches, params = [], []
    if query.words:
        document = "s.public_document" if public_only else "s.staff_document"
        in_scope, scope_params = _scope_sql(scope, filters, table="s")
        branches.append(
            f"SELECT s.ticket_id, {SCORE_MESSAGE} FROM tickets_ticketsearch s"
            f" WHERE s.ticket_id >= %s AND {document} @@ {TSQUERY_SQL} AND {in_scope}"
        )
        params += [ticket_from, *query.tsquery_params, *scope_params]
    if query.fragment:
        in_scope, scope_params = _scope_sql(scope, filters, table="t")
        pattern = _like_pattern(query.fragment)
        branches.append(
            f"SELECT t.id, {SCORE_ORDER} FROM tickets_ticket t WHERE t.order_number <> ''"
            f" AND t.order_number ILIKE %s AND {in_scope}"
        )
        params += [pattern, *scope_params]
        if customer_ids:
            branches.append(
                f"SELECT t.id, {SCORE_CUSTOMER} FROM tickets_ticket t WHERE t.id >= %s"
                f" AND t.customer_id = ANY(%s::bigint[]) AND {in_scope}"
            )
            params += [ticket_from, list(customer_ids), *scope_params]
    sql = (
        "SELECT ticket_id, sum(score) FROM ("
        + " UNION ALL ".join(branches)
        + ") AS hits (ticket_id, score) GROUP BY ticket_id"
    )
    return sql, params


CUSTOMERS_NAMED_MAX = 5000  # beyond that, the customers a fragment names are not searched by


def _customers_named(query: SearchQuery) -> tuple[int, ...]:
    """The customers whose name, company, any address or phone the query is a fragment of:
    one query, read once per search rather than once per window. A fragment naming more
    than CUSTOMERS_NAMED_MAX customers ("gmail") names none: it is not a customer's name."""
    if not query.fragment:
        return ()
    pattern = _like_pattern(query.fragment)
    customers = [
        "SELECT c.id FROM accounts_customer c"
        " WHERE public.helpdesk_unaccent(c.name) ILIKE public.helpdesk_unaccent(%s)",
        "SELECT c.id FROM accounts_customer c WHERE c.company <> '' AND c.company ILIKE %s",
        "SELECT e.customer_id FROM accounts_customeremail e WHERE e.email ILIKE %s",
    ]
    params = [pattern, pattern, pattern]
    if query.phone_digits:
        customers.append(
            "SELECT c.id FROM accounts_customer c WHERE c.phone <> ''"
            " AND regexp_replace(c.phone, '[^0-9]', '', 'g') LIKE %s"
        )
        params.append(f"%{query.phone_digits}%")
    with connection.cursor() as cursor:
        cursor.execute(" UNION ".join(customers) + " LIMIT %s", [*params, CUSTOMERS_NAMED_MAX + 1])
        found = tuple(row[0] for row in cursor.fetchall())
    return () if len(found) > CUSTOMERS_NAMED_MAX else found


def _message_kinds_sql(public_only: bool) -> tuple[str, list]:
    """The messages a snippet is cut from (no event lines); customers only public ones."""
    if public_only:
        return "m.kind = ANY(%s) AND NOT m.awaiting_approval", [list(Message.PUBLIC_KINDS)]
    return "m.kind <> %s", [Message.Kind.EVENT]


def _headline_options() -> str:
    return f"StartSel={MARK_START}, StopSel={MARK_STOP}, MaxWords=30, MinWords=12, MaxFragments=2"


def _scored_matches(
    tickets, query: SearchQuery, *, scope: SearchScope, filters: SearchFilters, public_only: bool
) -> tuple[list, bool]:
    """[(score, id)] of the visible matches, best first, and whether every ticket was searched
    (False: a window already held more than SEARCH_RANKED).

    Whole words first, window by window; words as prefixes ("kettl" finds "kettle") only when
    the whole words found SEARCH_RANKED tickets or fewer in the whole table, and then a ticket
    with the whole word still ranks above one with a longer word. A prefix is read from the
    index as every word it starts, several times the cost of the word itself."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM tickets_ticket")
        last_ticket = cursor.fetchone()[0]
    customer_ids = _customers_named(query)
    exact = replace(query, prefix=False)
    passes = [exact, query] if exact.tsquery != query.tsquery else [query]
    whole_word_ids: set[int] = set()
    for number, this in enumerate(passes):
        last_pass = number == len(passes) - 1
        # A customer's own tickets are few: searched whole at once.
        back = SEARCH_FIRST_WINDOW if scope.customer_id is None else None
        while True:
            # A window reaching back past the first rows is the whole table: searched once.
            whole = back is None or last_ticket <= back
            matches = _window_matches(
                tickets,
                this,
                scope=scope,
                filters=filters,
                public_only=public_only,
                ticket_from=0 if whole else last_ticket - back,
                customer_ids=customer_ids,
            )
            if whole_word_ids:
                matches = [(score + (pk in whole_word_ids), pk) for score, pk in matches]
            if len(matches) > SEARCH_RANKED or (whole and last_pass):
                matches.sort(reverse=True)
                return matches[:SEARCH_RANKED], whole and len(matches) <= SEARCH_RANKED
            if whole:
                whole_word_ids = {pk for _score, pk in matches}
                break
            back = _next_window(back, found=len(matches), last_ticket=last_ticket)
    raise AssertionError("the last window of the last pass is the whole table")


def _next_window(back: int, *, found: int, last_ticket: int) -> int | None:
    """How far back the next window reaches: far enough for twice SEARCH_RANKED matches at the
    rate found so far (at least four times as far), or None, the whole table, once that is a
    quarter of it or more."""
    wanted = max(back * 2 * SEARCH_RANKED // max(found, 1), back * 4)
    return None if wanted * 4 >= last_ticket else wanted


def _window_matches(
    tickets,
    query: SearchQuery,
    *,
    scope: SearchScope,
    filters: SearchFilters,
    public_only: bool,
    ticket_from: int,
    customer_ids: tuple[int, ...],
) -> list[tuple[int, int]]:
    """[(score, id)] of the matches among `tickets` from the given ticket id on, unsorted."""
    sql, params = _candidates_sql(
        query,
        scope=scope,
        filters=filters,
        public_only=public_only,
        ticket_from=ticket_from,
        customer_ids=customer_ids,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # Every branch must go through its index as a bitmap (ANDed with the id window):
        # a plan that walks the id range would read every row it passes.
        cursor.execute(
            "SELECT set_config('enable_indexscan', 'off', true),"
            " set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)"
        )
        cursor.execute(sql, params)
        scores = dict(cursor.fetchall())
    if not scores:
        return []
    visible = tickets.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [list(scores)]))
    if query.words:
        # A subject match ranks first: read on the few candidates, not searched for.
        visible = visible.annotate(
            subject_match=RawSQL(
                f"to_tsvector('{CONFIG}'::regconfig, tickets_ticket.subject) @@ {TSQUERY_SQL}",
                query.tsquery_params,
            )
        )
    else:
        visible = visible.annotate(subject_match=Value(False))
    # Recency is the ticket's id: tickets are numbered in the order they were opened (and
    # thousands of timestamps would cost more to read than the search itself).
    return [
        (scores[pk] + (SCORE_SUBJECT if subject else 0), pk)
        for pk, subject in visible.order_by().values_list("pk", "subject_match")
    ]


def _search_postgresql(
    tickets, query: SearchQuery, *, scope, filters, public_only: bool, page: int
) -> SearchPage:
    matches, ranked_all = _scored_matches(
        tickets, query, scope=scope, filters=filters, public_only=public_only
    )
    offset = (page - 1) * SEARCH_PAGE_SIZE
    page_ids = [pk for _score, pk in matches[offset : offset + SEARCH_PAGE_SIZE]]
    has_next = len(matches) > offset + SEARCH_PAGE_SIZE and page < SEARCH_PAGES
    if not page_ids:
        return SearchPage(page=page, ranked_all=ranked_all)
    rows = Ticket.objects.filter(pk__in=page_ids).select_related(
        "customer", "department", "status", "assignee"
    )
    if query.words:
        rows = rows.annotate(
            subject_headline=RawSQL(
                f"ts_headline('{CONFIG}'::regconfig, translate(tickets_ticket.subject, %s, ''),"
                f" {TSQUERY_SQL}, %s)",
                [
                    MARK_START + MARK_STOP,
                    *query.tsquery_params,
                    f"StartSel={MARK_START}, StopSel={MARK_STOP}, HighlightAll=true",
                ],
            )
        )
    by_id = rows.in_bulk()
    found = [by_id[pk] for pk in page_ids if pk in by_id]
    snippets = _snippets_postgresql(found, query, public_only=public_only)
    hits = [
        SearchHit(
            ticket=ticket,
            subject_html=highlighted(getattr(ticket, "subject_headline", ticket.subject)),
            snippet_html=highlighted(snippets.get(ticket.pk, "")),
        )
        for ticket in found
    ]
    return SearchPage(hits=hits, page=page, has_next=has_next, ranked_all=ranked_all)


def _snippets_postgresql(found: list[Ticket], query: SearchQuery, *, public_only: bool) -> dict:
    """Each ticket's best matching message, cut and highlighted by ts_headline: one query."""
    if not found or not query.words:
        return {}
    kinds, kind_params = _message_kinds_sql(public_only)
    tsquery = TSQUERY_SQL
    sql = (
        "SELECT DISTINCT ON (m.ticket_id) m.ticket_id,"
        f" ts_headline('{CONFIG}'::regconfig,"
        f" translate(left(m.body, {SNIPPET_SOURCE_MAX}), %s, ''), {tsquery}, %s)"
        " FROM tickets_message m"
        f" WHERE m.ticket_id = ANY(%s) AND {kinds}"
        f" AND to_tsvector('{CONFIG}'::regconfig, m.body) @@ {tsquery}"
        f" ORDER BY m.ticket_id, ts_rank(to_tsvector('{CONFIG}'::regconfig, m.body), {tsquery})"
        " DESC, m.id DESC"
    )
    params = [
        MARK_START + MARK_STOP,
        *query.tsquery_params,
        _headline_options(),
        [ticket.pk for ticket in found],
        *kind_params,
        *query.tsquery_params,
        *query.tsquery_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# Other databases (the SQLite quickstart) ----------------------------------------------------


def _search_simple(tickets, query: SearchQuery, *, public_only: bool, page: int) -> SearchPage:
    needle = query.text
    messages = Message.objects.filter(ticket=OuterRef("pk"), body__icontains=needle)
    messages = (
        messages.filter(customer_visible_q())
        if public_only
        else messages.exclude(kind=Message.Kind.EVENT)
    )
    customers = Customer.objects.filter(
        Q(name__icontains=needle)
        | Q(company__icontains=needle)
        | Q(phone__icontains=needle)
        | Q(pk__in=CustomerEmail.objects.filter(email__icontains=needle).values("customer"))
    )
    matches = tickets.filter(
        Q(subject__icontains=needle)
        | Q(order_number__icontains=needle)
        | Q(customer__in=customers.values("pk"))
        | Exists(messages)
    )
    offset = (page - 1) * SEARCH_PAGE_SIZE
    found = list(
        matches.select_related("customer", "department", "status", "assignee").order_by(
            "-created_at", "-id"
        )[offset : offset + SEARCH_PAGE_SIZE + 1]
    )
    has_next = len(found) > SEARCH_PAGE_SIZE and page < SEARCH_PAGES
    found = found[:SEARCH_PAGE_SIZE]
    bodies = Message.objects.filter(ticket__in=found, body__icontains=needle)
    bodies = (
        bodies.filter(customer_visible_q())
        if public_only
        else bodies.exclude(kind=Message.Kind.EVENT)
    )
    snippets = {}
    for ticket_id, body in bodies.order_by("-id").values_list("ticket_id", "body"):
        snippets.setdefault(ticket_id, _cut_around(body, needle))
    hits = [
        SearchHit(
            ticket=ticket,
            subject_html=highlighted(_marked(ticket.subject, needle)),
            snippet_html=highlighted(snippets.get(ticket.pk, "")),
        )
        for ticket in found
    ]
    return SearchPage(hits=hits, page=page, has_next=has_next)


def _marked(text: str, needle: str) -> str:
    text = text.replace(MARK_START, "").replace(MARK_STOP, "")
    at = text.lower().find(needle.lower())
    if at < 0:
        return text
    end = at + len(needle)
    return f"{text[:at]}{MARK_START}{text[at:end]}{MARK_STOP}{text[end:]}"


def _cut_around(body: str, needle: str) -> str:
    at = body.lower().find(needle.lower())
    start = max(at - SNIPPET_CONTEXT, 0)
    end = at + len(needle) + SNIPPET_CONTEXT
    cut = body[start:end]
    return ("…" if start else "") + _marked(cut, needle) + ("…" if end < len(body) else "")


def highlighted(marked: str) -> SafeString:
    """Text with highlight markers as safe HTML: everything escaped, then only the markers
    turned into <mark>; a marker left open is closed."""
    escaped = html.escape(" ".join((marked or "").split()))
    opened = escaped.count(MARK_START) - escaped.count(MARK_STOP)
    escaped = escaped.replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>")
    return mark_safe(escaped + "</mark>" * max(opened, 0))  # escaped above
