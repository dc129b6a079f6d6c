"""The report's other tables: cases opened by channel and by category, satisfaction by mark,
questionnaire answers by question, and the trend of the key numbers by day, week or month.
One aggregate query each."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Avg, Count
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils.translation import gettext_lazy as _

from departments.models import Category
from reports.metrics import Numbers, ReportNumbers
from reports.periods import (
    BUCKET_NAMES,
    DAY,
    MONTH,
    WEEK,
    ReportPeriod,
    bucket_kind,
    bucket_starts,
)
from reports.scope import Scope
from tickets.models import SatisfactionMark, SatisfactionRating, Source, Ticket
from tickets.questionnaires import AnswerCount, questionnaire_answers

TRUNC = {DAY: TruncDay, WEEK: TruncWeek, MONTH: TruncMonth}


@dataclass(frozen=True)
class CountRow:
    label: str
    count: int
    key: str = ""


@dataclass(frozen=True)
class MarkRow:
    label: str
    score: int
    count: int
    is_active: bool


@dataclass(frozen=True)
class SatisfactionSplit:
    marks: list[MarkRow]
    total: int
    average: float | None


@dataclass(frozen=True)
class Trend:
    """Per bucket: mail received, cases closed on time and past deadline, share within SLA."""

    kind: str
    starts: list[date]
    received: list[int]
    on_time: list[int]
    past_deadline: list[int]
    within_sla: list[float | None]

    @property
    def rows(self) -> list[dict]:
        return [
            {"start": start, "received": a, "on_time": b, "past_deadline": c, "within_sla": d}
            for start, a, b, c, d in zip(
                self.starts,
                self.received,
                self.on_time,
                self.past_deadline,
                self.within_sla,
                strict=True,
            )
        ]

    @property
    def label(self) -> str:
        return str(BUCKET_NAMES[self.kind])

    @property
    def date_format(self) -> str:
        return {DAY: "D j M", WEEK: "j M", MONTH: "M Y"}[self.kind]


def _opened(period: ReportPeriod, scope: Scope):
    rows = Ticket.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
    if scope.department_ids is not None:
        rows = rows.filter(department_id__in=scope.department_ids)
    if scope.tech is not None:
        rows = rows.filter(assignee=scope.tech)
    elif scope.unowned:
        rows = rows.filter(assignee__isnull=True)
    return rows


def by_channel(period: ReportPeriod, scope: Scope) -> list[CountRow]:
    """Cases opened in the period by how they came in (the case's owner now for a tech)."""
    counts = dict(
        _opened(period, scope).order_by().values_list("source").annotate(count=Count("pk"))
    )
    labels = dict(Source.choices)
    return sorted(
        (CountRow(label=str(labels.get(key, key)), count=n, key=key) for key, n in counts.items()),
        key=lambda row: (-row.count, row.label),
    )


def by_category(period: ReportPeriod, scope: Scope) -> list[CountRow]:
    counts = dict(
        _opened(period, scope).order_by().values_list("category_id").annotate(count=Count("pk"))
    )
    names = dict(
        Category.objects.filter(pk__in=[key for key in counts if key]).values_list("pk", "name")
    )
    rows = [
        CountRow(label=names.get(key, "") if key else str(_("No category")), count=n)
        for key, n in counts.items()
    ]
    return sorted(rows, key=lambda row: (-row.count, row.label))


def satisfaction_split(period: ReportPeriod, scope: Scope) -> SatisfactionSplit:
    """Ratings first given in the period, by mark (every mark listed, in the admin's order)."""
    ratings = SatisfactionRating.objects.filter(rated_at__gte=period.start, rated_at__lt=period.end)
    if scope.department_ids is not None:
        ratings = ratings.filter(department_id__in=scope.department_ids)
    if scope.tech is not None:
        ratings = ratings.filter(owner=scope.tech)
    elif scope.unowned:
        ratings = ratings.filter(owner__isnull=True)
    counts = dict(ratings.order_by().values_list("mark_id").annotate(count=Count("pk")))
    average = ratings.aggregate(average=Avg("score"))["average"] if counts else None
    marks = [
        MarkRow(mark.label, mark.score, counts.get(mark.pk, 0), mark.is_active)
        for mark in SatisfactionMark.objects.all()
        if mark.is_active or counts.get(mark.pk)
    ]
    return SatisfactionSplit(marks=marks, total=sum(counts.values()), average=average)


def answers(period: ReportPeriod, scope: Scope) -> list[AnswerCount]:
    return questionnaire_answers(
        start=period.start,
        end=period.end,
        department_ids=scope.department_ids,
        answered_by=scope.tech,
    )


def trend(period: ReportPeriod, numbers: ReportNumbers) -> Trend:
    """The key numbers per bucket of the period (buckets in the viewer's time zone), from the
    report's one pass over each source."""
    kind = bucket_kind(period)
    starts = bucket_starts(period, kind)
    empty = Numbers()
    lines = [numbers.by_bucket.get(day, empty) for day in starts]
    return Trend(
        kind=kind,
        starts=starts,
        received=[line.count("emails_received") for line in lines],
        on_time=[
            line.count("closed_on_time") + line.count("closed_on_time_consulted") for line in lines
        ],
        past_deadline=[
            line.count("closed_late") + line.count("closed_late_consulted") for line in lines
        ],
        within_sla=[line.share("within_sla") for line in lines],
    )
