"""The optional monthly summary mail to managers (SPEC, "Reports"): on the first day of each month
by their own calendar, a manager who asked for it (User.monthly_summary, on the preferences page)
gets last month's key numbers for the departments they manage -- an admin for every department --
each with the change from the month before, and the link to the reports page.

When: the beat runs monthly_summaries_send once a day. A manager is due while their local date is
within the first CATCH_UP_DAYS days of a month, so a manager in Kyiv and one in New York each get
theirs on their own 1st, and a day the beat missed is made up on the next. Later in the month it
waits for the next one: a summary that would arrive weeks late is not sent.

Once: the outbox row is keyed by the manager and the month (`monthly-summary:<id>:<YYYY-MM>`), so
however often it runs, and however many beats run it, each manager gets one mail a month. The
row is written now and rendered when the outbox sends it (broker down: it waits there, never
lost); the numbers are read then, with the reports' own selectors, for the month in the
manager's time zone and the departments they manage at that moment. Someone who stopped
managing, or unticked the summary, before it went out is not sent it: the row is held back."""

import contextlib
import zoneinfo
from datetime import date, datetime, timedelta, tzinfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from departments.selectors import departments_managed_by
from reports.scope import Scope
from reports.summary_numbers import summary_lines, summary_text
from responses.mail_placeholders import MAIL_PLACEHOLDERS
from responses.mail_templates import mail_render, mail_template_for
from responses.models import MailTemplate
from tickets.mail.outbox import MONTHLY_SUMMARY, Held, OutboxEntry, Rendered, outbox_add_many
from tickets.models import OutboundEmail
from tickets.notification_mail import staff_mail

KEY_PREFIX = "monthly-summary"
# A summary is sent from the 1st to this day of the month, by the manager's calendar.
CATCH_UP_DAYS = 7


def summary_key(*, user_id: int, month: date) -> str:
    return f"{KEY_PREFIX}:{user_id}:{month:%Y-%m}"


def summary_key_parts(key: str) -> tuple[int, date] | None:
    """The manager's id and the month of a summary's outbox key; None when it is not one."""
    prefix, _sep, rest = key.partition(":")
    user_text, _sep, month_text = rest.partition(":")
    if prefix != KEY_PREFIX or not user_text.isdigit():
        return None
    try:
        return int(user_text), datetime.strptime(month_text, "%Y-%m").date()
    except ValueError:
        return None


def person_zone(user: User) -> tzinfo:
    """The zone the person's pages are shown in (accounts.middleware): theirs, else the
    helpdesk's default for people."""
    if user.time_zone:
        with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(user.time_zone)
    return zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIME_ZONE)


def month_due(*, zone: tzinfo, now: datetime) -> date | None:
    """The month whose summary is due at `now` in `zone`: last month, during the first
    CATCH_UP_DAYS days of this one; otherwise none."""
    today = timezone.localtime(now, zone).date()
    if today.day > CATCH_UP_DAYS:
        return None
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def summary_recipients() -> QuerySet[User]:
    """Who asked for the summary and may read reports: active admins, and active staff who
    manage an active department (accounts.access.can_read_reports), with an address."""
    return (
        User.objects.filter(is_active=True, monthly_summary=True)
        .exclude(email="")
        .filter(
            Q(is_superuser=True)
            | Q(
                kind=User.Kind.STAFF,
                memberships__is_manager=True,
                memberships__department__is_active=True,
            )
        )
        .distinct()
    )


@transaction.atomic
def monthly_summaries_send(*, now: datetime | None = None) -> int:
    """Write the summary of every recipient whose month has turned by their own calendar and
    who has not had it yet; how many were written. Three queries however many cases there
    are and however many managers: who asked, which of their summaries exist, and the insert."""
    now = now or timezone.now()
    entries = {}
    for user in summary_recipients().only("pk", "email", "time_zone"):
        month = month_due(zone=person_zone(user), now=now)
        if month is not None:
            key = summary_key(user_id=user.pk, month=month)
            entries[key] = OutboxEntry(
                kind=MONTHLY_SUMMARY, ticket_id=None, to=user.email, idempotency_key=key
            )
    if not entries:
        return 0
    written = set(
        OutboundEmail.objects.filter(idempotency_key__in=list(entries)).values_list(
            "idempotency_key", flat=True
        )
    )
    new = [entry for key, entry in entries.items() if key not in written]
    outbox_add_many(new)
    return len(new)


@transaction.atomic
def monthly_summary_add(*, user: User, month: date) -> OutboundEmail:
    """Write one person's summary of `month` (its first day) now, whatever the date; the demo's.
    Written once: a second call returns the row already there."""
    key = summary_key(user_id=user.pk, month=month.replace(day=1))
    return outbox_add_many(
        [OutboxEntry(kind=MONTHLY_SUMMARY, ticket_id=None, to=user.email, idempotency_key=key)]
    )[0]


def report_link() -> str:
    return f"{settings.SITE_URL}{reverse('reports:index')}?period=last_month"


def preferences_link() -> str:
    return f"{settings.SITE_URL}{reverse('accounts:preferences')}#monthly-summary"


def monthly_summary_mails(rows: list[OutboundEmail]) -> list[Rendered]:
    """The outbox's renderer for the summaries: each read for its manager as they are now."""
    wanted = {parts[0] for row in rows if (parts := summary_key_parts(row.idempotency_key))}
    people = User.objects.only(
        "pk", "full_name", "time_zone", "is_active", "kind", "is_superuser", "monthly_summary"
    ).in_bulk(wanted)
    return [_summary_mail(row, people) for row in rows]


def _summary_mail(row: OutboundEmail, people: dict[int, User]) -> Rendered:
    parts = summary_key_parts(row.idempotency_key)
    user = people.get(parts[0]) if parts else None
    if user is None or not user.is_active or not (user.is_tech or user.is_superuser):
        return Held(_("The recipient is no longer an active staff member."))
    if not user.monthly_summary:
        return Held(_("The recipient no longer wants the monthly summary."))
    _user_id, month = parts
    if user.is_superuser:
        departments, scope = [], Scope(department_ids=None)
    else:
        departments = list(departments_managed_by(user).only("pk", "name").order_by("name"))
        if not departments:
            return Held(_("The recipient no longer manages a department."))
        scope = Scope(department_ids=tuple(department.pk for department in departments))
    lines = summary_lines(month=month, zone=person_zone(user), scope=scope)
    subject, body = mail_template_for(
        key=MailTemplate.Key.MONTHLY_SUMMARY,
        department=departments[0] if len(departments) == 1 else None,
    )
    values = dict.fromkeys(MAIL_PLACEHOLDERS, "")
    values.update(
        recipient_name=user.full_name,
        summary_month=month_label(month),
        summary_departments=", ".join(department.name for department in departments)
        or _("every department"),
        summary_numbers=summary_text(lines),
        report_link=report_link(),
        preferences_link=preferences_link(),
    )
    return staff_mail(row, ticket=None, mail=mail_render(subject=subject, body=body, values=values))


def month_label(month: date) -> str:
    """ "October 2026", in the reader's language."""
    return date_format(month, "F Y")
