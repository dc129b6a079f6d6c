"""The reports page's whole content for a period and scope, built by one selector the view, the
CSV exports and the monthly summary share."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils.translation import gettext

from accounts.models import User
from accounts.sign_in_hours import sign_in_hours
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
from reports.metrics import Numbers, ReportNumbers, report_numbers
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


def tech_rows(period: ReportPeriod, scope: Scope, numbers: ReportNumbers) -> list[Row]:
    """Per tech, by name, with the hours they were signed in; a tech of the scope who was signed
    in but counted nothing still has a line. The cases nobody owned last."""
    numbers = numbers.by_tech
    hours = sign_in_hours(user_ids=_scope_tech_ids(scope), period=period.period)
    shown = {key for key in numbers if key is not None} | {
        tech_id for tech_id, signed_in in hours.items() if signed_in
    }
    techs = User.objects.filter(pk__in=shown).only("full_name", "email")
    rows = [
        Row(
            label=str(tech),
            query={"tech": str(tech.pk)},
            numbers=numbers.get(tech.pk) or Numbers(),
            signed_in=hours.get(tech.pk),
        )
        for tech in sorted(techs, key=lambda tech: (str(tech).casefold(), tech.pk))
    ]
    if None in numbers and not numbers[None].is_empty:
        rows.append(Row(label=_nobody(), query={"tech": NOBODY}, numbers=numbers[None]))
    return rows


def _scope_tech_ids(scope: Scope) -> list[int]:
    """The staff whose sign-in hours the scope covers: its tech, or its departments' techs (every
    staff member for an admin's whole helpdesk)."""
    if scope.tech is not None:
        return [scope.tech.pk]
    if scope.unowned:
        return []
    staff = User.objects.filter(kind=User.Kind.STAFF, is_active=True)
    if scope.department_ids is not None:
        staff = staff.filter(memberships__department_id__in=scope.department_ids)
    return list(staff.values_list("pk", flat=True).distinct())


def department_rows(numbers: ReportNumbers) -> list[Row]:
    numbers = numbers.by_department
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
    numbers = report_numbers(period, scope)
    return Report(
        period=period,
        scope=scope,
        total=numbers.total,
        techs=tech_rows(period, scope, numbers),
        departments=department_rows(numbers),
        channels=by_channel(period, scope),
        categories=by_category(period, scope),
        satisfaction=satisfaction_split(period, scope),
        answers=answers(period, scope),
        trend=trend(period, numbers),
    )


def _nobody() -> str:
    return gettext("Nobody (unassigned)")
