"""The desk's queues: which tickets each list holds, in what order, a page at a time.

Lists are ranked by priority (emergency first) then age. Pages are keyset pages (a cursor
holding the last row's sort key), so page 200 costs what page 1 costs. Counts are capped: past
COUNT_CAP a badge says "999+" instead of counting a million rows."""

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from departments.models import Department, Membership
from tickets.models import ACTIVE_STATUS_TYPES, Message, StatusType, Ticket
from tickets.sla.marks import clock_marks_attach

PAGE_SIZE = 25
COUNT_CAP = 999
# The largest id a row can have (PostgreSQL bigint).
ID_MAX = 2**63 - 1
CURSOR_MAX_LENGTH = 200

QUEUES = {
    "mine": _("My pool"),
    "general": _("General pool"),
    "pending": _("Pending"),
    "consultation": _("Consultation"),
    "team": _("Every pool"),
}
DEFAULT_QUEUE = "mine"

# (field, descending) in sort order; "returned" lifts tickets the customer wrote back to.
RANK = [("priority", True), ("created_at", False), ("id", False)]
MINE_RANK = [("returned", True), *RANK]


@dataclass(frozen=True)
class QueueFilters:
    department_id: int | None = None
    category_id: int | None = None
    source: str = ""
    form_id: int | None = None
    owner_id: int | None = None  # "team" only; 0 means the general pool


@dataclass
class QueuePage:
    tickets: list[Ticket]
    next_cursor: str | None
    first_page: bool
    filters: QueueFilters = field(default_factory=QueueFilters)


def id_from_query(value: str) -> int | None:
    """A row id (or 0) from a query string, or None when it is not one: only ASCII digits, and
    no larger than a bigint. (str.isdigit() takes "²", which int() refuses; int() takes "٣",
    and refuses 5,000 digits with a ValueError.)"""
    if not value or len(value) > len(str(ID_MAX)) or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= ID_MAX else None


def member_department_ids(user: User) -> list[int]:
    return list(
        Membership.objects.filter(user=user, department__is_active=True).values_list(
            "department_id", flat=True
        )
    )


def queue_departments(user: User) -> QuerySet[Department]:
    """The departments a person's queue and search filters offer: every active one for admins,
    else those they belong to."""
    if user.is_superuser:
        return Department.objects.filter(is_active=True)
    return Department.objects.filter(is_active=True, memberships__user=user).distinct()


def managed_department_ids(user: User) -> list[int] | None:
    """None means every department (admins)."""
    if user.is_superuser:
        return None
    return list(
        Membership.objects.filter(
            user=user, is_manager=True, department__is_active=True
        ).values_list("department_id", flat=True)
    )


def queues_for(user: User) -> list[str]:
    names = ["mine", "general", "pending", "consultation"]
    if user.is_superuser or managed_department_ids(user):
        names.append("team")
    return names


def queue_tickets(*, user: User, queue: str) -> QuerySet[Ticket]:
    """The tickets of a queue as this person may see them; a tech never gets another tech's
    pool (only managers' "team" queue spans every pool of their departments)."""
    tickets = Ticket.objects.all()
    if queue == "mine":
        return tickets.filter(assignee=user, status_type__in=ACTIVE_STATUS_TYPES)
    if queue == "pending":
        return tickets.filter(assignee=user, status_type=StatusType.PENDING)
    if queue == "consultation":
        return tickets.filter(assignee=user, status_type=StatusType.CONSULTATION)
    if queue == "general":
        general = tickets.filter(assignee__isnull=True, status_type__in=ACTIVE_STATUS_TYPES)
        if user.is_superuser:
            return general
        return general.filter(department_id__in=member_department_ids(user))
    if queue == "team":
        managed = managed_department_ids(user)
        team = tickets.filter(status_type__in=ACTIVE_STATUS_TYPES)
        return team if managed is None else team.filter(department_id__in=managed)
    return tickets.none()


def _filtered(tickets: QuerySet[Ticket], filters: QueueFilters) -> QuerySet[Ticket]:
    if filters.department_id:
        tickets = tickets.filter(department_id=filters.department_id)
    if filters.category_id:
        tickets = tickets.filter(category_id=filters.category_id)
    if filters.source:
        tickets = tickets.filter(source=filters.source)
    if filters.form_id:
        tickets = tickets.filter(form_id=filters.form_id)
    if filters.owner_id is not None:
        tickets = tickets.filter(assignee_id=filters.owner_id or None)
    return tickets


def queue_page(
    *,
    user: User,
    queue: str,
    filters: QueueFilters | None = None,
    cursor: str = "",
    size: int = PAGE_SIZE,
) -> QueuePage:
    """One page of a queue. The page's ids are found on the tickets table alone (the ranked
    partial indexes serve it), then its rows are fetched with everything a row shows, each
    with its SLA mark (`ticket.sla_mark`)."""
    filters = filters or QueueFilters()
    mine = queue == "mine"
    rank = MINE_RANK if mine else RANK
    tickets = _filtered(queue_tickets(user=user, queue=queue), filters)
    after = _cursor_decode(cursor, rank)
    if mine:
        # A tech's own pool is small; lifting the tickets the customer wrote back to needs an
        # annotation no index holds, and costs nothing at this size.
        tickets = tickets.annotate(
            returned=Case(
                When(returned_at__isnull=False, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        if after is not None:
            tickets = tickets.filter(_after(rank, after))
        ordering = ["-returned", "-priority", "created_at", "id"]
    else:
        if after is not None:
            tickets = tickets.filter(_after_rank(after))
        ordering = [(F("priority") * -1).asc(), "created_at", "id"]
    ids = list(tickets.order_by(*ordering).values_list("id", flat=True)[: size + 1])
    more = len(ids) > size
    ids = ids[:size]
    rows = (
        Ticket.objects.select_related("customer", "department", "status", "category", "assignee")
        .annotate(has_held_reply=_held_reply_exists())
        .in_bulk(ids)
    )
    page = [rows[pk] for pk in ids]
    for ticket in page:
        ticket.returned = int(ticket.returned_at is not None)
    clock_marks_attach(page)
    next_cursor = _cursor_encode(page[-1], rank) if more and page else None
    return QueuePage(
        tickets=page, next_cursor=next_cursor, first_page=after is None, filters=filters
    )


def _held_reply_exists() -> Exists:
    """Whether a trainee's reply on the ticket waits for approval: for a page's rows only, each
    one probe of the small partial index tickets_held_by_ticket."""
    return Exists(Message.objects.filter(ticket=OuterRef("pk"), awaiting_approval=True))


def queue_counts(*, user: User) -> dict[str, int]:
    """How many tickets each of the person's queues holds, counted up to COUNT_CAP."""
    return {
        name: queue_tickets(user=user, queue=name).order_by()[: COUNT_CAP + 1].count()
        for name in queues_for(user)
    }


def _after(rank: list[tuple[str, bool]], values: list) -> Q:
    """Rows strictly after `values` in the lexicographic order `rank`."""
    condition = Q()
    for index, (name, descending) in enumerate(rank):
        equal = {rank[i][0]: values[i] for i in range(index)}
        step = {f"{name}__{'lt' if descending else 'gt'}": values[index]}
        condition |= Q(**equal, **step)
    return condition


def _after_rank(values: list) -> RawSQL:
    """Rows after (priority, created_at, id) in the ranked order, as one row comparison on the
    same expressions the ranked indexes hold, so PostgreSQL seeks straight to the page."""
    priority, created_at, ticket_id = values
    return RawSQL(
        '(("tickets_ticket"."priority" * -1), "tickets_ticket"."created_at", '
        '"tickets_ticket"."id") > (%s, %s, %s)',
        (-priority, connection.ops.adapt_datetimefield_value(created_at), ticket_id),
        output_field=BooleanField(),
    )


def _cursor_encode(ticket: Ticket, rank: list[tuple[str, bool]]) -> str:
    values = []
    for name, _descending in rank:
        value = getattr(ticket, name)
        values.append(value.isoformat() if isinstance(value, datetime) else value)
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _cursor_decode(cursor: str, rank: list[tuple[str, bool]]) -> list | None:
    """The sort key a cursor holds; a malformed cursor means the first page."""
    # A real cursor is a few dozen characters; a long one could nest JSON past the recursion limit.
    if not cursor or len(cursor) > CURSOR_MAX_LENGTH:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError, RecursionError):
        return None
    if not isinstance(values, list) or len(values) != len(rank):
        return None
    decoded = []
    for (name, _descending), value in zip(rank, values, strict=True):
        if name == "created_at":
            try:
                value = parse_datetime(value) if isinstance(value, str) else None
            except ValueError:
                value = None
            if value is None:
                return None
        elif not isinstance(value, int) or isinstance(value, bool) or abs(value) > ID_MAX:
            return None
        decoded.append(value)
    return decoded
