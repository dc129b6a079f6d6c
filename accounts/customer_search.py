"""Finding customers on the desk: the list of the customers a staff member may see, and the
search over every field a tech might have at hand (name, any address, phone, company, an order
number of their tickets, the notes).

Who sees which customer follows the ticket rules, as the customer page does
(tickets/access.py, customer_for_staff): admins see every customer, those without a ticket
included; a tech or manager sees a customer only while they may see at least one of the
customer's tickets, so a search cannot reveal a customer known only to another department's
tickets or another tech's pool. The counts and the last contact shown next to a customer are
of those visible tickets too, and an order number finds a customer only through a ticket the
viewer may see.

On PostgreSQL every field is matched as a fragment through a pg_trgm GIN index
(accounts/migrations/0010_customer_search.py): names, companies and notes lower-cased and
without accents (Cyrillic included: "ОЛЬГА" finds "Ольга", "Chloe" finds "Chloé"); addresses
and order numbers lower-cased; phones by their digits ("+49 30-1234" finds "0049 (30) 1234…").
The results come ranked: an exact address or phone number first, then by the name's similarity
to the query, then by name. The SQLite quickstart matches with icontains (ASCII letters only
case-insensitive, accents significant) and ranks exact addresses first, then by name.

Each page costs the same few queries however many customers and tickets there are: one for the
customers, one for their ticket counts, one for their last contact."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower, Replace

from accounts.models import Customer, CustomerEmail, User
from tickets.access import tickets_visible_to_staff
from tickets.models import Message, StatusType, Ticket, customer_visible_q

MAX_QUERY_LENGTH = 100
SEARCH_LIMIT = 50  # results on the customers page; refine the search to see others
PAGE_SIZE = 25  # customers per page of the list without a search
# A query of these characters alone is a phone number, compared by its digits.
PHONE_LIKE = re.compile(r"[\d\s+\-().\/]+")
PHONE_MIN_DIGITS = 3
PHONE_PUNCTUATION = " -+()./"


@dataclass
class CustomerRow:
    """A customer as the list shows them: the counts and the last contact are of the tickets
    the viewer may see."""

    customer: Customer
    primary_email: str
    tickets: int = 0
    open_tickets: int = 0
    last_contact: datetime | None = None

    @property
    def pk(self) -> int:
        return self.customer.pk


@dataclass
class CustomerPage:
    rows: list[CustomerRow]
    next_cursor: str  # empty on the last page
    first_page: bool


def customers_visible_to_staff(viewer: User) -> QuerySet[Customer]:
    """The customers this person may look up, by the customer page's rule (see the module
    docstring)."""
    customers = Customer.objects.all()
    if viewer.is_superuser:
        return customers
    if not (viewer.is_active and viewer.is_tech):
        return customers.none()
    visible = tickets_visible_to_staff(viewer).filter(customer_id=OuterRef("pk"))
    return customers.filter(Exists(visible))


def clean_query(query: str) -> str:
    """The query as searched: surrounding and repeated spaces dropped."""
    return " ".join((query or "").split())


def _like_escape(text: str) -> str:
    """A LIKE pattern's special characters taken literally (backslash is the escape)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _phone_digits(query: str) -> str:
    """The digits of a query that looks like a phone number, else ""."""
    if not PHONE_LIKE.fullmatch(query):
        return ""
    digits = re.sub(r"\D", "", query)
    return digits if len(digits) >= PHONE_MIN_DIGITS else ""


def _primary_email() -> Subquery:
    return Subquery(
        CustomerEmail.objects.filter(customer=OuterRef("pk"))
        .order_by("-is_primary", "email")
        .values("email")[:1]
    )


# Fragment matches on PostgreSQL, each served by one trigram index of migration 0010. The
# pattern is folded in SQL the same way as the indexed column, so the two always agree.
_FOLD = "lower(accounts_immutable_unaccent({}))"
_PATTERN = "('%%' || lower(accounts_immutable_unaccent(%s)) || '%%')"
_CUSTOMER_MATCHES = f"""
SELECT id FROM accounts_customer WHERE {_FOLD.format("name")} LIKE {_PATTERN}
UNION SELECT id FROM accounts_customer
    WHERE company <> '' AND {_FOLD.format("company")} LIKE {_PATTERN}
UNION SELECT id FROM accounts_customer
    WHERE notes <> '' AND {_FOLD.format("notes")} LIKE {_PATTERN}
UNION SELECT customer_id FROM accounts_customeremail WHERE lower(email) LIKE %s
"""
_PHONE_MATCHES = """
UNION SELECT id FROM accounts_customer
    WHERE phone <> '' AND regexp_replace(phone, '[^0-9]', '', 'g') LIKE %s
"""


def _order_number_matches(viewer: User, query: str) -> QuerySet[Ticket]:
    """The customers of the tickets the viewer may see whose order number holds the query."""
    return (
        tickets_visible_to_staff(viewer)
        .exclude(order_number="")
        .annotate(order_number_lower=Lower("order_number"))
        .filter(order_number_lower__contains=query.lower())
        .order_by()
        .values("customer_id")
    )


def _matches_postgresql(viewer: User, query: str) -> QuerySet[Customer]:
    escaped = _like_escape(query)
    sql = _CUSTOMER_MATCHES
    params: list = [escaped, escaped, escaped, f"%{_like_escape(query.lower())}%"]
    digits = _phone_digits(query)
    if digits:
        sql += _PHONE_MATCHES
        params.append(f"%{digits}%")
    orders_sql, orders_params = _order_number_matches(viewer, query).query.sql_with_params()
    sql += f" UNION {orders_sql}"
    params += list(orders_params)
    # Ranking only, so the name is compared lower-cased but with its accents: unaccent on
    # every match (thousands for a common name) would cost more than the search itself.
    similarity = RawSQL(
        "similarity(lower(accounts_customer.name), lower(%s))", [query], output_field=FloatField()
    )
    exact_phone = (
        RawSQL(
            "regexp_replace(accounts_customer.phone, '[^0-9]', '', 'g') = %s",
            [digits],
            output_field=BooleanField(),
        )
        if digits
        else Value(False)
    )
    return (
        customers_visible_to_staff(viewer)
        .filter(pk__in=RawSQL(sql, params))
        .annotate(similarity=similarity, exact_phone=exact_phone)
    )


def _matches_sqlite(viewer: User, query: str) -> QuerySet[Customer]:
    """The quickstart's plain search: icontains on each field, phones by digits."""
    digits = _phone_digits(query)
    match = (
        Q(name__icontains=query)
        | Q(company__icontains=query)
        | Q(notes__icontains=query)
        | Q(Exists(CustomerEmail.objects.filter(customer=OuterRef("pk"), email__icontains=query)))
        | Q(pk__in=_order_number_matches(viewer, query))
    )
    customers = customers_visible_to_staff(viewer)
    phone = F("phone")
    for character in PHONE_PUNCTUATION:
        phone = Replace(phone, Value(character), Value(""))
    customers = customers.annotate(phone_digits=phone)
    if digits:
        match |= Q(phone_digits__contains=digits)
    exact_phone = (
        ExpressionWrapper(Q(phone_digits=digits), output_field=BooleanField())
        if digits
        else Value(False)
    )
    return customers.filter(match).annotate(
        similarity=Value(0.0, output_field=FloatField()), exact_phone=exact_phone
    )


def customers_search(*, viewer: User, query: str, limit: int = SEARCH_LIMIT) -> list[CustomerRow]:
    """The customers this person may see who match the query in any field, best first: an
    exact address or phone number, then by similarity, then by name. At most `limit` of them.
    An empty query (or one longer than MAX_QUERY_LENGTH, which the form refuses) finds no one;
    `%`, `_` and `\\` are taken literally."""
    query = clean_query(query)
    if not query or len(query) > MAX_QUERY_LENGTH or limit <= 0:
        return []
    if not (viewer.is_superuser or (viewer.is_active and viewer.is_tech)):
        return []  # sees no ticket, so no customer
    if connection.vendor == "postgresql":
        customers = _matches_postgresql(viewer, query)
    else:
        customers = _matches_sqlite(viewer, query)
    # Not correlated, so the address's unique index on lower(email) is read once.
    exact_email = ExpressionWrapper(
        Q(
            pk__in=CustomerEmail.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower=query.lower())
            .values("customer_id")
        ),
        output_field=BooleanField(),
    )
    customers = (
        customers.annotate(exact_email=exact_email, primary_email=_primary_email())
        .order_by(
            F("exact_email").desc(),
            F("exact_phone").desc(),
            F("similarity").desc(),
            Lower("name"),
            "pk",
        )
        .select_related(None)[:limit]
    )
    return _rows(viewer, list(customers))


def customers_page(*, viewer: User, cursor: str = "") -> CustomerPage:
    """Every customer this person may see, by name, a page at a time. The cursor is the id of
    the last customer of the previous page (one the viewer may see; any other starts over), so
    page 100 costs what page 1 costs."""
    customers = customers_visible_to_staff(viewer).annotate(
        name_lower=Lower("name"), primary_email=_primary_email()
    )
    after = None
    if cursor.isdigit() and len(cursor) < 19:
        after = (
            customers_visible_to_staff(viewer)
            .filter(pk=int(cursor))
            .annotate(name_lower=Lower("name"))
            .values_list("name_lower", "pk")
            .first()
        )
    if after is not None:
        name_lower, pk = after
        customers = customers.filter(
            Q(name_lower__gt=name_lower) | Q(name_lower=name_lower, pk__gt=pk)
        )
    found = list(customers.order_by("name_lower", "pk")[: PAGE_SIZE + 1])
    rows = _rows(viewer, found[:PAGE_SIZE])
    next_cursor = str(rows[-1].pk) if len(found) > PAGE_SIZE else ""
    return CustomerPage(rows=rows, next_cursor=next_cursor, first_page=after is None)


def _rows(viewer: User, customers: list[Customer]) -> list[CustomerRow]:
    """The customers with their ticket counts and last contact, two queries for them all."""
    rows = {c.pk: CustomerRow(customer=c, primary_email=c.primary_email or "") for c in customers}
    if not rows:
        return []
    visible = tickets_visible_to_staff(viewer).filter(customer_id__in=rows)
    counts = (
        visible.order_by()
        .values("customer_id")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=~Q(status_type=StatusType.CLOSED)),
        )
    )
    for count in counts:
        row = rows[count["customer_id"]]
        row.tickets, row.open_tickets = count["total"], count["open"]
    # The last contact: the last message the customer wrote or was sent, or a phone call, on
    # a ticket the viewer may see. Internal notes and events are not contact.
    contacts = (
        Message.objects.filter(ticket__in=visible.values("pk"))
        .filter(customer_visible_q() | Q(kind=Message.Kind.PHONE_CALL))
        .order_by()
        .values("ticket__customer_id")
        .annotate(last=Max("created_at"))
    )
    for contact in contacts:
        rows[contact["ticket__customer_id"]].last_contact = contact["last"]
    return list(rows.values())
