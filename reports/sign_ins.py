"""The sign-in history report: which techs a viewer may read, and for a period each one's
sessions, failed sign-ins and hours signed in, in total and per day.

Admins read every staff member; a manager the techs of the departments they manage (a tech in
two departments is theirs if they manage either). Everything else is accounts.sign_in_sessions
and accounts.sign_in_hours, asked once for all the techs shown: the page's queries do not grow
with the number of techs, sessions or days."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef
from django.http import Http404

from accounts import sign_in_sessions
from accounts.models import User
from accounts.sign_in_hours import hours_by_day, hours_text, hours_total, period_days
from accounts.sign_in_sessions import (
    FailureList,
    Period,
    SessionPage,
    SignInFailure,
    SignInSession,
)
from departments.models import Membership
from tickets.queues import managed_department_ids


def sign_in_report_techs(*, viewer: User) -> list[User]:
    """The staff whose sign-ins the viewer may read, by name: one query."""
    techs = User.objects.filter(kind=User.Kind.STAFF)
    department_ids = managed_department_ids(viewer)
    if department_ids is not None:
        techs = techs.filter(
            Exists(Membership.objects.filter(user=OuterRef("pk"), department_id__in=department_ids))
        )
    return list(techs.order_by("full_name", "email"))


def sign_in_report_tech(*, techs: list[User], tech_id: str) -> User | None:
    """The tech a `tech` query value names among those the viewer may read: None for an empty
    value (every tech), Http404 for anything else, so a guessed id tells nothing."""
    if not tech_id:
        return None
    if not (tech_id.isascii() and tech_id.isdigit() and len(tech_id) < 19):
        raise Http404
    tech = next((tech for tech in techs if tech.pk == int(tech_id)), None)
    if tech is None:
        raise Http404
    return tech


@dataclass(frozen=True)
class TechSummary:
    tech: User
    sessions: int  # begun in the period
    failures: int
    hours: timedelta

    @property
    def hours_text(self) -> str:
        return hours_text(self.hours)


@dataclass(frozen=True)
class HoursCell:
    hours: timedelta

    @property
    def text(self) -> str:
        return hours_text(self.hours) if self.hours else ""


@dataclass(frozen=True)
class DayRow:
    day: date
    cells: list[HoursCell]  # in the order of the report's techs
    total: HoursCell


@dataclass(frozen=True)
class TechSession:
    tech: User
    session: SignInSession


@dataclass(frozen=True)
class TechFailure:
    tech: User
    failure: SignInFailure


@dataclass(frozen=True)
class SignInReport:
    period: Period
    techs: list[User]  # the techs reported on, in the order of the columns
    summaries: list[TechSummary]
    days: list[DayRow]
    totals: list[HoursCell]  # per tech, over the period
    sessions_page: SessionPage
    sessions: list[TechSession]
    failures_list: FailureList
    failures: list[TechFailure]

    @property
    def total(self) -> HoursCell:
        return HoursCell(sum((cell.hours for cell in self.totals), timedelta(0)))


def sign_in_report(*, techs: list[User], period: Period, cursor: str = "") -> SignInReport:
    """The report on these techs for the period: four queries, however many techs or rows."""
    user_ids = [tech.pk for tech in techs]
    by_id = {tech.pk: tech for tech in techs}
    overlapping = sign_in_sessions.sign_in_sessions_overlapping(user_ids=user_ids, period=period)
    totals = hours_total(sessions=overlapping, user_ids=user_ids, period=period)
    daily = hours_by_day(sessions=overlapping, user_ids=user_ids, period=period)
    begun = dict.fromkeys(user_ids, 0)
    for session in overlapping:
        if session.signed_in_at >= period.start:
            begun[session.user_id] += 1
    failure_counts = sign_in_sessions.sign_in_failure_counts(users=techs, period=period)
    page = sign_in_sessions.sign_in_sessions_page(users=techs, period=period, cursor=cursor)
    failures = sign_in_sessions.sign_in_failures(users=techs, period=period)
    days = []
    for day in period_days(period):
        cells = [HoursCell(daily[user_id][day]) for user_id in user_ids]
        days.append(
            DayRow(
                day=day,
                cells=cells,
                total=HoursCell(sum((cell.hours for cell in cells), timedelta(0))),
            )
        )
    return SignInReport(
        period=period,
        techs=techs,
        summaries=[
            TechSummary(
                tech=tech,
                sessions=begun[tech.pk],
                failures=failure_counts[tech.pk],
                hours=totals[tech.pk],
            )
            for tech in techs
        ],
        days=days,
        totals=[HoursCell(totals[user_id]) for user_id in user_ids],
        sessions_page=page,
        sessions=[
            TechSession(tech=by_id[s.user_id], session=s)
            for s in page.sessions
            if s.user_id in by_id
        ],
        failures_list=failures,
        failures=[
            TechFailure(tech=by_id[f.user_id], failure=f)
            for f in failures.events
            if f.user_id in by_id
        ],
    )
