"""The daily counts (reports/models.py): counting the days that have ended, and reading them.

A report reads a UTC day from its counts when the day lies whole inside the period and inside
one bucket of the trend, and has been counted; every other stretch of the period (its edges in
the viewer's zone, a day a bucket boundary cuts, today, a day changed since it was counted) is
read from the rows themselves (reports/metrics.py), so the numbers are the same either way.
Which days are counted and their sums come from one statement, so a day counted or forgotten
while the report runs is read once, one way or the other.

Counting runs in the background (reports.tasks.days_count_task, every few minutes) and needs
PostgreSQL: the quickstart's SQLite reads the rows."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import F, Min, Q, QuerySet
from django.utils import timezone

from accounts.sign_in_sessions import Period
from reports.definitions import (
    ACCEPTED_MAIL,
    CLOSINGS,
    CONSULTATIONS,
    DEPARTMENT_FIELD,
    MAILS,
    METRICS,
    MOMENT,
    OWNER_FIELD,
    count_aggregates,
)
from reports.models import CountedDay, DailyCount
from reports.periods import ReportPeriod, bucket_starts
from reports.scope import Scope
from tickets.models import Closure, Consultation, InboundEmail

COUNTED_SOURCES = (CLOSINGS, MAILS, CONSULTATIONS)
# The numbers kept per day: every counting number of those sources (the table's columns).
COLUMNS = [key for key, metric in METRICS.items() if metric.source in COUNTED_SOURCES]

LOCK_CLASS = 7351  # pg_advisory_xact_lock(7351, day number): the triggers of migration 0001
EPOCH = date(2000, 1, 1)
DAY = timedelta(days=1)

Range = tuple[datetime, datetime]


def counting_enabled() -> bool:
    return connection.vendor == "postgresql"


def _utc_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def counted_rows(source: str, start: datetime, end: datetime) -> QuerySet:
    """The rows of a source a day's counts are made of: as the report counts them, except that
    closings later superseded by another closing are left out (the report adds those that still
    count for its period from their own rows)."""
    moment = MOMENT[source]
    dated = {f"{moment}__gte": start, f"{moment}__lt": end}
    if source == CLOSINGS:
        return Closure.objects.filter(**dated, superseded_at__isnull=True).exclude(
            reason=Closure.Reason.SPAM
        )
    if source == MAILS:
        return InboundEmail.objects.filter(**dated, status__in=ACCEPTED_MAIL)
    return Consultation.objects.filter(**dated, first_of_case=True)


def day_count(day: date) -> bool:
    """Count one UTC day that has ended, replacing its counts. False, counting nothing, when a
    transaction is changing a row of that day right now (the next run counts it)."""
    if not counting_enabled() or _utc_start(day) + DAY > timezone.now():
        return False
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_CLASS, (day - EPOCH).days]
            )
            if not cursor.fetchone()[0]:
                return False
        # Read after the lock: every change to this day committed before it is seen, and any
        # change after it waits for this transaction, then forgets what it wrote.
        lines: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
        start = _utc_start(day)
        for source in COUNTED_SOURCES:
            aggregates = count_aggregates(source)
            groups = (
                counted_rows(source, start, start + DAY)
                .order_by()
                .values(
                    count_department=F(DEPARTMENT_FIELD[source]),
                    count_owner=F(OWNER_FIELD[source]),
                )
                .annotate(**aggregates)
            )
            for group in groups:
                line = lines[(group["count_department"], group["count_owner"])]
                for key in aggregates:
                    line[key] += group[key]
        DailyCount.objects.filter(day=day).delete()
        DailyCount.objects.bulk_create(
            DailyCount(day=day, department_id=department, owner_id=owner, **counts)
            for (department, owner), counts in lines.items()
            if any(counts.values())
        )
        CountedDay.objects.update_or_create(day=day, defaults={"counted_at": timezone.now()})
    return True


def days_uncounted(*, limit: int, now: datetime | None = None) -> list[date]:
    """Days that have ended and hold rows to count but are not counted, newest first (the
    periods people look at most), at most `limit`."""
    if not counting_enabled():
        return []
    now = now or timezone.now()
    yesterday = now.astimezone(UTC).date() - DAY
    # The first row each source counts, each read from the head of its index.
    firsts = [
        Closure.objects.aggregate(first=Min("closed_at"))["first"],
        InboundEmail.objects.filter(status__in=ACCEPTED_MAIL).aggregate(first=Min("received_at"))[
            "first"
        ],
        Consultation.objects.filter(first_of_case=True).aggregate(first=Min("asked_at"))["first"],
    ]
    firsts = [moment.astimezone(UTC).date() for moment in firsts if moment is not None]
    if not firsts or min(firsts) > yesterday:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d::date FROM generate_series(%s::date, %s::date, interval '-1 day') AS d"
            " WHERE NOT EXISTS (SELECT 1 FROM reports_countedday c WHERE c.day = d::date)"
            " LIMIT %s",
            [yesterday, min(firsts), limit],
        )
        return [row[0] for row in cursor.fetchall()]


def days_count(days: Iterable[date]) -> int:
    """Count these days, each in its own short transaction; how many were counted."""
    return sum(1 for day in days if day_count(day))


@dataclass
class CountPlan:
    """How a period is read: the days its counts may give (UTC dates), the bucket each of them
    falls in, and, once the counts are read, the stretches to read from the rows."""

    period: ReportPeriod
    candidates: list[date] = field(default_factory=list)
    bucket_of: dict[date, date] = field(default_factory=dict)
    counted: list[date] = field(default_factory=list)

    @property
    def raw_ranges(self) -> list[Range]:
        """The period without its counted days, as ranges of time."""
        return _ranges_without(self.period.start, self.period.end, self.counted)

    @property
    def counted_ranges(self) -> list[Range]:
        return _runs(self.counted)


def count_plan(period: ReportPeriod, kind: str, *, now: datetime | None = None) -> CountPlan:
    """The UTC days wholly inside the period and inside one bucket of its trend, ended by now."""
    plan = CountPlan(period=period)
    if not counting_enabled():
        return plan
    starts = bucket_starts(period, kind)
    # Each bucket's first instant (the first one at the period's start) as UTC.
    edges = [period.start.astimezone(UTC)] + [
        Period(first_day=day, last_day=day, zone=period.zone).start.astimezone(UTC)
        for day in starts[1:]
    ]
    end = min(period.end, now or timezone.now()).astimezone(UTC)
    for index, bucket_start in enumerate(edges):
        bucket_end = edges[index + 1] if index + 1 < len(edges) else end
        day = _ceil_day(bucket_start)
        while _utc_start(day) + DAY <= min(bucket_end, end):
            plan.candidates.append(day)
            plan.bucket_of[day] = starts[index]
            day += DAY
    return plan


def _ceil_day(moment: datetime) -> date:
    day = moment.astimezone(UTC).date()
    return day if _utc_start(day) == moment else day + DAY


def _runs(days: list[date]) -> list[Range]:
    """Consecutive days as ranges of time."""
    ranges: list[Range] = []
    for day in sorted(days):
        start = _utc_start(day)
        if ranges and ranges[-1][1] == start:
            ranges[-1] = (ranges[-1][0], start + DAY)
        else:
            ranges.append((start, start + DAY))
    return ranges


def _ranges_without(start: datetime, end: datetime, days: list[date]) -> list[Range]:
    ranges, cursor = [], start
    for run_start, run_end in _runs(days):
        if run_start > cursor:
            ranges.append((cursor, run_start))
        cursor = max(cursor, run_end)
    if cursor < end:
        ranges.append((cursor, end))
    return ranges


def within(rows: QuerySet, moment: str, ranges: list[Range]) -> QuerySet:
    """Rows dated inside any of the ranges (none: no rows)."""
    condition = Q(pk__in=[])
    for start, end in ranges:
        condition |= Q(**{f"{moment}__gte": start, f"{moment}__lt": end})
    return rows.filter(condition)


def counts_read(plan: CountPlan, scope: Scope) -> list[dict]:
    """The counts of the plan's candidate days that are counted, summed by bucket, owner and
    department (dicts as metrics' grouped passes give them, with the bucket as a local date);
    fills `plan.counted`. One statement: the sums and the days they cover agree."""
    if not plan.candidates:
        return []
    days = sorted(plan.candidates)
    labels = sorted(set(plan.bucket_of.values()))
    # Bucket k begins on the first candidate day of that bucket: width_bucket numbers the days.
    firsts = [min(day for day in days if plan.bucket_of[day] == label) for label in labels]
    conditions, params = ["dc.day = ANY(%(days)s)"], {"days": days, "firsts": firsts[1:]}
    if scope.department_ids is not None:
        conditions.append("dc.department_id = ANY(%(departments)s)")
        params["departments"] = list(scope.department_ids)
    if scope.tech is not None:
        conditions.append("dc.owner_id = %(tech)s")
        params["tech"] = scope.tech.pk
    elif scope.unowned:
        conditions.append("dc.owner_id IS NULL")
    sums = ", ".join(f"sum(dc.{column})::int" for column in COLUMNS)
    blanks = ", ".join("NULL" for _ in COLUMNS)
    bucket = "width_bucket(dc.day, %(firsts)s::date[])" if firsts[1:] else "0"
    sql = (
        f"SELECT NULL::date, {bucket}, dc.owner_id, dc.department_id, {sums}"
        f" FROM reports_dailycount AS dc WHERE {' AND '.join(conditions)}"
        " GROUP BY 2, 3, 4"
        f" UNION ALL SELECT c.day, NULL, NULL, NULL, {blanks}"
        " FROM reports_countedday AS c WHERE c.day = ANY(%(days)s)"
    )
    groups = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for day, index, owner, department, *counts in cursor.fetchall():
            if day is not None:
                plan.counted.append(day)
                continue
            group = dict(zip(COLUMNS, counts, strict=True))
            group.update(group_owner=owner, group_department=department)
            group["group_bucket"] = labels[index]
            groups.append(group)
    return groups
