"""The report's numbers for a period and scope: the seed's eight, the closings' response and
resolution times, the share within SLA and the reopenings, for the whole scope and broken down
per tech and per department. Each is an SQL aggregate over an indexed range (a closing's
`closed_at`, a mail's `received_at`, a first consultation's `asked_at`, a first response's
`first_response_at`), so the number of queries is fixed however many cases there are."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, F, Q, QuerySet

from reports.definitions import (
    ACCEPTED_MAIL,
    CLOSINGS,
    CONSULTATIONS,
    MAILS,
    METRICS,
    REOPENINGS,
)
from reports.periods import ReportPeriod
from reports.scope import Scope
from tickets.models import Closure, Consultation, InboundEmail, Ticket

FIRST_RESPONSES = "first_responses"
TECH, DEPARTMENT = "tech", "department"
ALL = "all"

# The field that says whose / which department's a row of each source is.
OWNER_FIELD = {
    CLOSINGS: "owner_id",
    REOPENINGS: "owner_id",
    MAILS: "ticket__assignee_id",
    CONSULTATIONS: "ticket__assignee_id",
    FIRST_RESPONSES: "assignee_id",
}
DEPARTMENT_FIELD = {
    CLOSINGS: "department_id",
    REOPENINGS: "department_id",
    MAILS: "ticket__department_id",
    CONSULTATIONS: "ticket__department_id",
    FIRST_RESPONSES: "department_id",
}
GROUP_FIELD = {TECH: OWNER_FIELD, DEPARTMENT: DEPARTMENT_FIELD}

PERCENTILES = {"p50": 0.5, "p90": 0.9}


class Percentile(Aggregate):
    """PostgreSQL's continuous percentile of a column (interpolated, as a spreadsheet's)."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, *, fraction: float, **extra):
        super().__init__(expression, fraction=fraction, output_field=DurationField(), **extra)


def _scoped(rows: QuerySet, source: str, scope: Scope) -> QuerySet:
    if scope.department_ids is not None:
        rows = rows.filter(**{f"{DEPARTMENT_FIELD[source]}__in": scope.department_ids})
    if scope.tech is not None:
        rows = rows.filter(**{OWNER_FIELD[source]: scope.tech.pk})
    elif scope.unowned:
        rows = rows.filter(**{f"{OWNER_FIELD[source]}__isnull": True})
    return rows


def closings(period: ReportPeriod, scope: Scope) -> QuerySet[Closure]:
    """The cases closed in the period, each once: its last closing in the period (a closing
    superseded by another before the period ended is left out); spam closings never count."""
    rows = Closure.objects.filter(closed_at__gte=period.start, closed_at__lt=period.end).filter(
        Q(superseded_at__isnull=True) | Q(superseded_at__gte=period.end)
    )
    return _scoped(rows.exclude(reason=Closure.Reason.SPAM), CLOSINGS, scope)


def reopenings(period: ReportPeriod, scope: Scope) -> QuerySet[Closure]:
    rows = Closure.objects.filter(reopened_at__gte=period.start, reopened_at__lt=period.end)
    return _scoped(rows.exclude(reason=Closure.Reason.SPAM), REOPENINGS, scope)


def mails(period: ReportPeriod, scope: Scope) -> QuerySet[InboundEmail]:
    rows = InboundEmail.objects.filter(
        status__in=ACCEPTED_MAIL, received_at__gte=period.start, received_at__lt=period.end
    )
    return _scoped(rows, MAILS, scope)


def consultations(period: ReportPeriod, scope: Scope) -> QuerySet[Consultation]:
    """Each case's first consultation, when it was sent in the period."""
    rows = Consultation.objects.filter(
        first_of_case=True, asked_at__gte=period.start, asked_at__lt=period.end
    )
    return _scoped(rows, CONSULTATIONS, scope)


def first_responses(period: ReportPeriod, scope: Scope) -> QuerySet[Ticket]:
    rows = Ticket.objects.filter(
        first_response_at__gte=period.start, first_response_at__lt=period.end
    )
    return _scoped(rows, FIRST_RESPONSES, scope)


SOURCE_ROWS = {
    CLOSINGS: closings,
    MAILS: mails,
    CONSULTATIONS: consultations,
    REOPENINGS: reopenings,
}


@dataclass
class Numbers:
    """One row of numbers: counts by metric key, and the times' percentiles."""

    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    times: dict[str, timedelta | None] = field(default_factory=dict)

    def count(self, key: str) -> int:
        return self.counts.get(key, 0)

    def share(self, key: str, of: str = "closed") -> float | None:
        """`key` as a percentage of `of` (None when there is nothing to share)."""
        whole = self.count(of)
        return 100.0 * self.count(key) / whole if whole else None

    @property
    def is_empty(self) -> bool:
        return not any(self.counts.values())


def _count_aggregates(source: str) -> dict[str, Aggregate]:
    if source == REOPENINGS:
        return {"reopened": Count("ticket_id", distinct=True)}
    if source == FIRST_RESPONSES:
        return {"first_responses": Count("pk")}
    return {
        metric.key: Count("pk", filter=metric.condition if metric.condition else None)
        for metric in METRICS.values()
        if metric.source == source
    }


def _grouped(rows: QuerySet, group_field: str | None, aggregates: dict) -> dict:
    """{group value: {name: value}} in one query; `group_field` None: one group, ALL."""
    if group_field is None:
        return {ALL: rows.aggregate(**aggregates)}
    return {
        values.pop("group"): values
        for values in rows.order_by().values(group=F(group_field)).annotate(**aggregates)
    }


def _percentiles(rows: QuerySet, group_field: str | None, column: str, prefix: str) -> dict:
    """{group: {f"{prefix}_p50": …, f"{prefix}_p90": …}} from the values, where the database
    has no percentile function (the SQLite quickstart)."""
    values = defaultdict(list)
    fields = [column] if group_field is None else [group_field, column]
    for row in rows.filter(**{f"{column}__isnull": False}).order_by().values_list(*fields):
        values[ALL if group_field is None else row[0]].append(row[-1])
    return {
        group: {
            f"{prefix}_{name}": percentile_of(sorted(durations), fraction)
            for name, fraction in PERCENTILES.items()
        }
        for group, durations in values.items()
    }


def percentile_of(ordered: list[timedelta], fraction: float) -> timedelta | None:
    """PERCENTILE_CONT over sorted values: interpolated between the two nearest ranks."""
    if not ordered:
        return None
    rank = fraction * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


# The business times whose median and 90th percentile the reports show, by source.
TIMED = {
    CLOSINGS: ("resolution_used", "resolution"),
    FIRST_RESPONSES: ("response_used", "response"),
}


def numbers_by(
    period: ReportPeriod, scope: Scope, *, grouping: str | None = None
) -> dict[object, Numbers]:
    """Every number for the scope, in one row (grouping None: key ALL) or one row per tech /
    department (keys: their ids; None for cases nobody owned). One query per source; on
    PostgreSQL the percentiles come in the same pass as the counts."""
    rows: dict[object, Numbers] = defaultdict(Numbers)
    in_database = connection.vendor == "postgresql"
    sources = {**SOURCE_ROWS, FIRST_RESPONSES: first_responses}
    for source, rows_of in sources.items():
        source_rows = rows_of(period, scope)
        group_field = GROUP_FIELD[grouping][source] if grouping else None
        aggregates = _count_aggregates(source)
        timed = TIMED.get(source)
        if timed and in_database:
            aggregates.update(_percentile_aggregates(*timed))
        elif timed:
            for group, values in _percentiles(source_rows, group_field, *timed).items():
                rows[group].times.update(values)
        for group, values in _grouped(source_rows, group_field, aggregates).items():
            for name, value in values.items():
                if name in aggregates and isinstance(aggregates[name], Percentile):
                    rows[group].times[name] = value
                else:
                    rows[group].counts[name] = value
    if grouping is None:
        rows.setdefault(ALL, Numbers())  # an empty period still has its one row
    return dict(rows)


def _percentile_aggregates(column: str, prefix: str) -> dict[str, Percentile]:
    return {
        f"{prefix}_{name}": Percentile(column, fraction=fraction)
        for name, fraction in PERCENTILES.items()
    }


def numbers_total(period: ReportPeriod, scope: Scope) -> Numbers:
    return numbers_by(period, scope)[ALL]


def group_ids(numbers: dict[object, Numbers]) -> Iterable[int]:
    return [key for key in numbers if isinstance(key, int)]
