"""The manager board: what waits in each department a person supervises, and in each tech's pool.

Every number is a capped count (COUNT_CAP, shown as "999+"): a count of a department never reads
more than COUNT_CAP + 1 index entries, so the board costs the same at a thousand tickets or a
million. The counts of all departments are one query (one capped subquery per number, each served
by a partial index of tickets_ticket: tickets_department_active, tickets_department_oldest,
tickets_department_due, tickets_department_risk, tickets_general_pool); the pools of all techs
are another (tickets_tech_pool). Overdue and at risk are the SLA clocks' marks (tickets/sla/); the
oldest case of each department carries its mark (tickets/sla/marks.py) at the board's `now`. A
tech's numbers only count their tickets in the departments the viewer supervises: a manager of A
learns nothing of B."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts.absences import absences_around
from accounts.models import Absence, User
from departments.models import Department, Membership
from departments.selectors import departments_managed_by
from tickets.models import Message, OutboundEmail, Ticket
from tickets.queues import COUNT_CAP
from tickets.sla.marks import MARK_FIELDS, clock_marks_attach


@dataclass
class TechRow:
    user: User
    is_manager: bool
    pool: int = 0
    overdue: int = 0
    absence: Absence | None = None  # away now (with their substitute)
    absence_ahead: Absence | None = None  # their next absence still to come
    standing_in_for: list[Absence] = field(default_factory=list)  # current absences they cover

    @property
    def pool_label(self) -> str:
        return count_label(self.pool)

    @property
    def overdue_label(self) -> str:
        return count_label(self.overdue)


@dataclass
class DepartmentRow:
    department: Department
    open: int = 0
    unassigned: int = 0
    pending: int = 0
    consultation: int = 0
    overdue: int = 0
    at_risk: int = 0
    oldest: Ticket | None = None
    techs: list[TechRow] = field(default_factory=list)

    @property
    def labels(self) -> dict[str, str]:
        names = ("open", "unassigned", "pending", "consultation", "overdue", "at_risk")
        return {name: count_label(getattr(self, name)) for name in names}

    @property
    def response_time_limit_label(self) -> str:
        return limit_label(self.department.response_time_limit)


@dataclass
class Board:
    departments: list[DepartmentRow]
    new_activity: int
    held_replies: int
    now: datetime
    held_mails: int = 0

    @property
    def waiting_approval(self) -> int:
        """Everything the approvals queue holds: trainees' replies and the mails they caused."""
        return self.held_replies + self.held_mails

    @property
    def waiting_approval_label(self) -> str:
        return count_label(self.waiting_approval)

    @property
    def new_activity_label(self) -> str:
        return count_label(self.new_activity)


def count_label(count: int) -> str:
    """A capped count as people read it: "999+" past the cap."""
    return f"{COUNT_CAP}+" if count > COUNT_CAP else str(count)


def limit_label(limit: timedelta) -> str:
    """A response time limit as people say it: "8 hours", "1 day", "4 h 30 min", "45 min"
    (not timedelta's "8:00:00")."""
    minutes = int(limit.total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days and not rest:
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    hours += days * 24
    if not minutes:
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    if not hours:
        return gettext("%(minutes)d min") % {"minutes": minutes}
    return gettext("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}


def _capped(where: str) -> str:
    """A capped count of tickets matching `where` (SQL with %s placeholders)."""
    return f"(SELECT COUNT(*) FROM (SELECT 1 FROM tickets_ticket t WHERE {where} LIMIT %s) capped)"


# One row per department: (department id, open, unassigned, pending, consultation, overdue,
# at risk, oldest open ticket id). Each subquery names the department by a parameter so the
# planner seeks its partial index.
_DEPARTMENT_SQL = "SELECT %s, " + ", ".join(
    [
        _capped("t.department_id = %s AND t.status_type IN ('new', 'open')"),
        _capped(
            "t.department_id = %s AND t.status_type IN ('new', 'open') AND t.assignee_id IS NULL"
        ),
        _capped("t.department_id = %s AND t.status_type = 'pending'"),
        _capped("t.department_id = %s AND t.status_type = 'consultation'"),
        _capped("t.department_id = %s AND t.due_at IS NOT NULL AND t.due_at <= %s"),
        _capped(
            "t.department_id = %s AND t.due_at IS NOT NULL AND t.risk_at <= %s AND t.due_at > %s"
        ),
        "(SELECT t.id FROM tickets_ticket t WHERE t.department_id = %s "
        "AND t.status_type IN ('new', 'open') ORDER BY t.created_at, t.id LIMIT 1)",
    ]
)

# One row per (tech, department): (tech id, department id, pool, overdue).
_TECH_SQL = "SELECT %s, %s, " + ", ".join(
    [
        _capped("t.assignee_id = %s AND t.department_id = %s AND t.status_type IN ('new', 'open')"),
        _capped(
            "t.assignee_id = %s AND t.department_id = %s AND t.status_type <> 'closed' "
            "AND t.due_at IS NOT NULL AND t.due_at <= %s"
        ),
    ]
)


def _department_params(department: Department, now: datetime) -> list:
    adapt = connection.ops.adapt_datetimefield_value
    pk, cap = department.pk, COUNT_CAP + 1
    return [
        pk,
        *(pk, cap),
        *(pk, cap),
        *(pk, cap),
        *(pk, cap),
        *(pk, adapt(now), cap),
        *(pk, adapt(now), adapt(now), cap),
        pk,
    ]


def _tech_params(user_id: int, department_id: int, now: datetime) -> list:
    pair, cap = (user_id, department_id), COUNT_CAP + 1
    return [*pair, *pair, cap, *pair, connection.ops.adapt_datetimefield_value(now), cap]


def _union_rows(sql: str, params_per_row: list[list]) -> list[tuple]:
    if not params_per_row:
        return []
    query = " UNION ALL ".join([sql] * len(params_per_row))
    with connection.cursor() as cursor:
        cursor.execute(query, [value for params in params_per_row for value in params])
        return cursor.fetchall()


def board_for(user: User, *, now: datetime | None = None) -> Board:
    """The board of the departments `user` supervises (admins: every active one)."""
    now = now or timezone.now()
    departments = list(departments_managed_by(user).order_by("name"))
    rows = {department.pk: DepartmentRow(department=department) for department in departments}
    oldest_ids = {}
    for pk, *counts, oldest_id in _union_rows(
        _DEPARTMENT_SQL, [_department_params(department, now) for department in departments]
    ):
        row = rows[pk]
        (row.open, row.unassigned, row.pending, row.consultation, row.overdue, row.at_risk) = counts
        if oldest_id:
            oldest_ids[pk] = oldest_id
    oldest = Ticket.objects.only(
        "id", "number", "subject", "created_at", "priority", *MARK_FIELDS
    ).in_bulk(oldest_ids.values())
    # Marked at the board's `now`, as its overdue and at-risk counts are.
    clock_marks_attach(oldest.values(), now=now)
    for pk, ticket_id in oldest_ids.items():
        rows[pk].oldest = oldest.get(ticket_id)

    memberships = list(
        Membership.objects.filter(department__in=rows, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user_id")
    )
    # One query for every tech on the board: away now, away soon, standing in for someone.
    absences = absences_around(membership.user_id for membership in memberships)
    techs = {}
    for membership in memberships:
        tech = TechRow(
            user=membership.user,
            is_manager=membership.is_manager,
            absence=absences.now.get(membership.user_id),
            absence_ahead=absences.ahead.get(membership.user_id),
            standing_in_for=absences.standing_in.get(membership.user_id, []),
        )
        techs[(membership.user_id, membership.department_id)] = tech
        rows[membership.department_id].techs.append(tech)
    for user_id, department_id, pool, overdue in _union_rows(
        _TECH_SQL,
        [_tech_params(user_id, department_id, now) for user_id, department_id in techs],
    ):
        techs[(user_id, department_id)].pool = pool
        techs[(user_id, department_id)].overdue = overdue

    department_ids = list(rows)
    new_activity, held_replies, held_mails = _capped_counts(
        new_activity_rows(user=user, department_ids=department_ids),
        held_reply_rows(department_ids=department_ids),
        held_mail_rows(department_ids=department_ids),
    )
    return Board(
        departments=list(rows.values()),
        new_activity=new_activity,
        held_replies=held_replies,
        held_mails=held_mails,
        now=now,
    )


def new_activity_rows(*, user: User, department_ids: list[int]) -> QuerySet:
    """Activity rows in these departments newer than the person's watermark."""
    return Message.objects.filter(
        department_id__in=department_ids, id__gt=user.activity_seen_up_to
    ).exclude(activity="")


def held_reply_rows(*, department_ids: list[int]) -> QuerySet:
    """Trainees' replies waiting for approval in these departments (tickets_held_replies)."""
    return Message.objects.filter(awaiting_approval=True, ticket__department_id__in=department_ids)


def held_mail_rows(*, department_ids: list[int]) -> QuerySet:
    """Mails trainees caused (a ticket's confirmation) waiting for approval in these
    departments (tickets_outbound_approval: the few rows with status "approval")."""
    return OutboundEmail.objects.filter(
        status=OutboundEmail.Status.AWAITING_APPROVAL, ticket__department_id__in=department_ids
    )


def _capped_counts(*querysets: QuerySet) -> list[int]:
    """Capped counts of several querysets in one round trip: SELECT (count of the first
    COUNT_CAP + 1 ids), (…), …"""
    parts, params = [], []
    for rows in querysets:
        try:
            sql, part_params = rows.order_by().values("id")[: COUNT_CAP + 1].query.sql_with_params()
        except EmptyResultSet:  # e.g. no departments: nothing to count
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) capped)")
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return list(cursor.fetchone())
