"""The reports page's whole content for a period and scope, built by one selector the view, the
CSV exports and the monthly summary share."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils.translation import gettext

from accounts.models import User
from departments.models import Department
from reports.breakdowns import (
    CountRow,
    SatisfactionSplit,
    Trend,
    answers,
    by_category,
    by_channel,
    satisfaction_split,
    trend,
)
from reports.metrics import ALL, DEPARTMENT, TECH, Numbers, numbers_by
from reports.periods import ReportPeriod
from reports.scope import NOBODY, Scope
from tickets.questionnaires import AnswerCount


@dataclass
class Row:
    """One line of a breakdown: whose numbers, and the query that narrows the report to them."""

    label: str
    query: dict[str, str]
    numbers: Numbers
    signed_in: timedelta | None = None


@dataclass
class Report:
    period: ReportPeriod
    scope: Scope
    total: Numbers
    techs: list[Row]
    departments: list[Row]
    channels: list[CountRow]
    categories: list[CountRow]
    satisfaction: SatisfactionSplit
    answers: list[AnswerCount]
    trend: Trend


def tech_rows(period: ReportPeriod, scope: Scope) -> list[Row]:
    """Per tech, by name; the cases nobody owned last."""
    numbers = numbers_by(period, scope, grouping=TECH)
    techs = User.objects.filter(pk__in=[key for key in numbers if key is not None]).only(
        "full_name", "email"
    )
    rows = [
        Row(label=str(tech), query={"tech": str(tech.pk)}, numbers=numbers[tech.pk])
        for tech in sorted(techs, key=lambda tech: (str(tech).casefold(), tech.pk))
    ]
    if None in numbers and not numbers[None].is_empty:
        rows.append(Row(label=_nobody(), query={"tech": NOBODY}, numbers=numbers[None]))
    return rows


def department_rows(period: ReportPeriod, scope: Scope) -> list[Row]:
    numbers = numbers_by(period, scope, grouping=DEPARTMENT)
    departments = Department.objects.filter(pk__in=[key for key in numbers if key]).only("name")
    return [
        Row(
            label=department.name,
            query={"department": str(department.pk)},
            numbers=numbers[department.pk],
        )
        for department in sorted(departments, key=lambda department: department.name.casefold())
    ]


def report_build(*, period: ReportPeriod, scope: Scope) -> Report:
    return Report(
        period=period,
        scope=scope,
        total=numbers_by(period, scope)[ALL],
        techs=tech_rows(period, scope),
        departments=department_rows(period, scope),
        channels=by_channel(period, scope),
        categories=by_category(period, scope),
        satisfaction=satisfaction_split(period, scope),
        answers=answers(period, scope),
        trend=trend(period, scope),
    )


def _nobody() -> str:
    return gettext("Nobody (unassigned)")
