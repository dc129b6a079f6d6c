"""The cases behind a number: the very rows the number counts (reports/definitions.py), newest
first, limited to the tickets the viewer may open on the desk."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from accounts.models import User
from reports.definitions import CLOSINGS, CONSULTATIONS, MAILS, REOPENINGS, Metric
from reports.metrics import MOMENT, SOURCE_ROWS
from reports.periods import ReportPeriod
from reports.scope import Scope
from tickets.access import tickets_visible_to_staff

# Per source: the related rows a line shows (when a row happened: metrics.MOMENT).
RELATED = {
    CLOSINGS: ("ticket", "department", "owner"),
    REOPENINGS: ("ticket", "department", "owner"),
    MAILS: ("ticket", "department", "owner"),
    CONSULTATIONS: ("ticket", "case_department", "case_owner", "department"),
}


@dataclass(frozen=True)
class CaseLine:
    number: int
    subject: str
    department: str
    owner: str
    at: datetime
    deadline: datetime | None
    detail: str


def case_rows(*, metric: Metric, period: ReportPeriod, scope: Scope, viewer: User) -> QuerySet:
    """The rows `metric` counts for the period and scope, newest first; for a viewer who is not
    an admin, only those whose ticket the desk shows them."""
    rows = SOURCE_ROWS[metric.source](period, scope).filter(metric.condition)
    if not viewer.is_superuser:
        rows = rows.filter(ticket__in=tickets_visible_to_staff(viewer))
    moment = MOMENT[metric.source]
    return rows.select_related(*RELATED[metric.source]).order_by(f"-{moment}", "-pk")


def case_line(row, source: str) -> CaseLine:
    ticket = row.ticket
    if source in (CLOSINGS, REOPENINGS):
        department, owner, deadline = row.department, row.owner, row.deadline
        detail = ""
    elif source == CONSULTATIONS:
        department, owner, deadline = row.case_department, row.case_owner, row.deadline_when_asked
        detail = row.department.name
    else:
        department, owner, deadline = row.department, row.owner, None
        detail = row.from_address
    return CaseLine(
        number=ticket.number,
        subject=ticket.subject,
        department=department.name if department else "",
        owner=str(owner) if owner else "",
        at=getattr(row, MOMENT[source]),
        deadline=deadline,
        detail=detail,
    )
