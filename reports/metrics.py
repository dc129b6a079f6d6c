"""The report's numbers for a period and scope: the seed's eight, the closings' response and
resolution times, the share within SLA and the reopenings, for the whole scope, per tech, per
department and per bucket of the trend. Each source is read once, in one SQL aggregate over an
indexed range (a closing's `closed_at`, a mail's `received_at`, a first consultation's
`asked_at`, a reopening's `reopened_at`) grouped by bucket, owner and department, so the number
of queries is fixed however many cases there are, and every breakdown adds up to the total."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import Aggregate, Count, DurationField, F, Q, QuerySet
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from reports import daily_counts
from reports.definitions import (
    ACCEPTED_MAIL,
    CLOSINGS,
    CONSULTATIONS,
    DEPARTMENT_FIELD,
    MAILS,
    MOMENT,
    OWNER_FIELD,
    REOPENINGS,
    count_aggregates,
)
from reports.periods import DAY, MONTH, WEEK, ReportPeriod, bucket_kind
from reports.scope import Scope
from tickets.models import Closure, Consultation, InboundEmail

TECH, DEPARTMENT = "tech", "department"
ALL = "all"

PERCENTILES = {"p50": 0.5, "p90": 0.9}


class Percentiles(Aggregate):
    """PostgreSQL's continuous percentiles of a column (interpolated, as a spreadsheet's), all
    from one sort: PERCENTILE_CONT(ARRAY[…]) returns them as an array."""

    function = "PERCENTILE_CONT"
    name = "Percentiles"
    template = "%(function)s(ARRAY[%(fractions)s]) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, *, fractions: list[float], **extra):
        super().__init__(
            expression,
            fractions=", ".join(f"{fraction:g}" for fraction in fractions),
            output_field=ArrayField(DurationField()),
            **extra,
        )


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

    def count(self, *keys: str) -> int:
        return sum(self.counts.get(key, 0) for key in keys)

    def share(self, key: str, of: str = "closed") -> float | None:
        """`key` as a percentage of `of` (None when there is nothing to share)."""
        whole = self.count(of)
        return 100.0 * self.count(key) / whole if whole else None

    @property
    def is_empty(self) -> bool:
        return not any(self.counts.values())


@dataclass
class ReportNumbers:
    """Every count of a period and scope at once: the whole scope (with the times' percentiles),
    per tech (None: nobody owned it), per department, and per bucket of the trend."""

    total: Numbers
    by_tech: dict[int | None, Numbers]
    by_department: dict[int | None, Numbers]
    by_bucket: dict[date, Numbers]


TRUNC = {DAY: TruncDay, WEEK: TruncWeek, MONTH: TruncMonth}


def report_numbers(period: ReportPeriod, scope: Scope) -> ReportNumbers:
    """One pass over each source, grouped by bucket, owner and department; the total, the
    breakdowns and the trend are sums of its groups, so they always add up. The days the daily
    counts hold (reports/daily_counts.py) are read from them, the rest of the period from the
    rows. Then one pass over the closings for the business times' median and 90th percentile."""
    numbers = ReportNumbers(
        total=Numbers(),
        by_tech=defaultdict(Numbers),
        by_department=defaultdict(Numbers),
        by_bucket=defaultdict(Numbers),
    )
    kind = bucket_kind(period)
    plan = daily_counts.count_plan(period, kind)
    _add_groups(numbers, daily_counts.counts_read(plan, scope), daily_counts.COLUMNS)
    raw_ranges = plan.raw_ranges
    for source, rows_of in SOURCE_ROWS.items():
        rows = rows_of(period, scope)
        if source != REOPENINGS and plan.counted:
            if not raw_ranges:
                continue
            rows = daily_counts.within(rows, MOMENT[source], raw_ranges)
        _add_groups(numbers, _grouped(rows, source, kind, period), count_aggregates(source))
    if plan.counted:
        # Closings of the counted days superseded by a later closing after the period ended:
        # they still count here, and the daily counts leave them out.
        superseded = daily_counts.within(
            closings(period, scope).filter(superseded_at__isnull=False),
            MOMENT[CLOSINGS],
            plan.counted_ranges,
        )
        _add_groups(
            numbers, _grouped(superseded, CLOSINGS, kind, period), count_aggregates(CLOSINGS)
        )
    for line in numbers.by_department.values():
        for key, value in line.counts.items():
            numbers.total.counts[key] += value
    # Reopened cases: a case reopened twice counts once per line, and once in the total.
    numbers.total.counts["reopened"] = (
        reopenings(period, scope).aggregate(n=Count("ticket_id", distinct=True))["n"]
        if numbers.total.counts.get("reopened")
        else 0
    )
    numbers.total.times.update(_times(closings(period, scope)))
    numbers.by_tech = dict(numbers.by_tech)
    numbers.by_department = dict(numbers.by_department)
    numbers.by_bucket = dict(numbers.by_bucket)
    return numbers


def _grouped(rows: QuerySet, source: str, kind: str, period: ReportPeriod) -> Iterable[dict]:
    """A source's rows counted by owner, department and (but for reopenings) bucket."""
    keys = {
        "group_owner": F(OWNER_FIELD[source]),
        "group_department": F(DEPARTMENT_FIELD[source]),
    }
    # A case reopened twice in the period counts once in each line it falls in; the trend has
    # no reopenings.
    if source != REOPENINGS:
        keys["group_bucket"] = TRUNC[kind](MOMENT[source], tzinfo=period.zone)
    for group in rows.order_by().values(**keys).annotate(**count_aggregates(source)):
        if "group_bucket" in group:
            group["group_bucket"] = _local_day(group["group_bucket"], period)
        yield group


def _add_groups(numbers: ReportNumbers, groups: Iterable[dict], keys: Iterable[str]) -> None:
    keys = list(keys)
    for group in groups:
        lines = [
            numbers.by_tech[group["group_owner"]],
            numbers.by_department[group["group_department"]],
        ]
        if "group_bucket" in group:
            lines.append(numbers.by_bucket[group["group_bucket"]])
        for key in keys:
            for line in lines:
                line.counts[key] += group[key]


def _local_day(bucket, period: ReportPeriod) -> date:
    """A truncated instant as its local date (aware on PostgreSQL, naive on some backends)."""
    if isinstance(bucket, datetime):
        if bucket.tzinfo is not None:
            return timezone.localtime(bucket, period.zone).date()
        return bucket.date()
    return bucket


def _times(rows: QuerySet[Closure]) -> dict[str, timedelta | None]:
    """The median and 90th percentile of the business time to the first response and to the
    resolution of the cases closed in the period: one pass on PostgreSQL, from the values
    elsewhere (the SQLite quickstart)."""
    columns = {"response": "response_used", "resolution": "resolution_used"}
    if connection.vendor == "postgresql":
        found = rows.aggregate(
            **{
                prefix: Percentiles(column, fractions=list(PERCENTILES.values()))
                for prefix, column in columns.items()
            }
        )
        return {
            f"{prefix}_{name}": (found[prefix] or [None] * len(PERCENTILES))[index]
            for prefix in columns
            for index, name in enumerate(PERCENTILES)
        }
    values = {prefix: [] for prefix in columns}
    for response, resolution in rows.values_list("response_used", "resolution_used"):
        for prefix, value in (("response", response), ("resolution", resolution)):
            if value is not None:
                values[prefix].append(value)
    return {
        f"{prefix}_{name}": percentile_of(sorted(values[prefix]), fraction)
        for prefix in columns
        for name, fraction in PERCENTILES.items()
    }


def percentile_of(ordered: list[timedelta], fraction: float) -> timedelta | None:
    """PERCENTILE_CONT over sorted values: interpolated between the two nearest ranks."""
    if not ordered:
        return None
    rank = fraction * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def numbers_by(
    period: ReportPeriod, scope: Scope, *, grouping: str | None = None
) -> dict[object, Numbers]:
    """One line (grouping None: key ALL) or one per tech / department (keys: their ids; None
    for cases nobody owned)."""
    numbers = report_numbers(period, scope)
    if grouping == TECH:
        return numbers.by_tech
    if grouping == DEPARTMENT:
        return numbers.by_department
    return {ALL: numbers.total}


def numbers_total(period: ReportPeriod, scope: Scope) -> Numbers:
    return report_numbers(period, scope).total
