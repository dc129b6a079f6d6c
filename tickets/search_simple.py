"""The search on databases other than PostgreSQL (the SQLite quickstart): a plain `icontains`
over the same fields as tickets/search.py, newest first, the snippet cut around the first
occurrence. SQLite ignores the case of ASCII letters only and keeps accents significant (the
README says so)."""

from django.db.models import Exists, OuterRef, Q

from accounts.models import Customer, CustomerEmail
from tickets.models import Message, customer_visible_q
from tickets.search_query import (
    MARK_START,
    MARK_STOP,
    SEARCH_PAGE_SIZE,
    SEARCH_PAGES,
    SearchHit,
    SearchPage,
    SearchQuery,
    highlighted,
)

SNIPPET_CONTEXT = 80  # characters either side of the first occurrence (SQLite)


def search_simple(tickets, query: SearchQuery, *, public_only: bool, page: int) -> SearchPage:
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
