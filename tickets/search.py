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

from dataclasses import dataclass, replace
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from tickets.models import Message, Ticket
from tickets.search_query import (
    FRAGMENT_MIN,
    MARK_START,
    MARK_STOP,
    PERIODS,
    SEARCH_MAX_LENGTH,
    SEARCH_PAGE_SIZE,
    SEARCH_PAGES,
    SearchFilters,
    SearchHit,
    SearchPage,
    SearchQuery,
    highlighted,
    search_query,
    ticket_number_in,
)
from tickets.search_simple import search_simple

# Read from here by the views and tests, defined with the query's text.
__all__ = [
    "FRAGMENT_MIN",
    "SEARCH_MAX_LENGTH",
    "SEARCH_PAGES",
    "SEARCH_PAGE_SIZE",
    "SEARCH_RANKED",
    "SearchFilters",
    "SearchPage",
    "SearchQuery",
    "SearchScope",
    "highlighted",
    "search_query",
    "ticket_number_in",
    "ticket_number_jump",
    "tickets_search",
]

CONFIG = "public.helpdesk_search"
SEARCH_RANKED = 250  # SEARCH_PAGES of SEARCH_PAGE_SIZE
SNIPPET_SOURCE_MAX = 5000  # characters of a message a snippet is cut from
# Every word as a prefix, or the text parsed as the documents were ("SN-3012695" is indexed as
# "sn-3012695", "sn" and "-3012695", which the words alone would not find).
TSQUERY_SQL = (
    f"(to_tsquery('{CONFIG}'::regconfig, %s) || plainto_tsquery('{CONFIG}'::regconfig, %s))"
)


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
    return search_simple(tickets, query, public_only=public_only, page=page)


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


@dataclass(frozen=True)
class _Search:
    """What stays the same through one search's windows and passes."""

    scope: SearchScope
    filters: SearchFilters
    public_only: bool
    customer_ids: tuple[int, ...]  # the customers the query names (_customers_named)


def _candidates_sql(query: SearchQuery, run: _Search, *, ticket_from: int) -> tuple[str, list]:
    """(ticket id, score) of the matches within the scope, from the given ticket id on, as one
    UNION ALL whose branches each use their own index."""
    scope, filters, customer_ids = run.scope, run.filters, run.customer_ids
    branches, params = [], []
    if query.words:
        document = "s.public_document" if run.public_only else "s.staff_document"
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
    run = _Search(
        scope=scope,
        filters=filters,
        public_only=public_only,
        customer_ids=_customers_named(query),
    )
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
                tickets, this, run, ticket_from=0 if whole else last_ticket - back
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
    tickets, query: SearchQuery, run: _Search, *, ticket_from: int
) -> list[tuple[int, int]]:
    """[(score, id)] of the matches among `tickets` from the given ticket id on, unsorted."""
    sql, params = _candidates_sql(query, run, ticket_from=ticket_from)
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
