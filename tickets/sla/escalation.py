"""Escalation: when a case's SLA clock passes, its department's managers and its owner (the
department's techs while it has none) get the editable escalation mail, and the thread records
it; where the department warns, the same people get the at-risk warning mail first, when a
clock has a fifth of its limit left.

The beat runs `sla_alerts_sweep` every minute. It reads the partial index tickets_sla_alert
(only cases with a mail due are in it, so a sweep that finds nothing is one query on one index
page and never touches closed cases), then takes the due cases in batches, each in one
transaction:
- the rows are locked FOR UPDATE SKIP LOCKED, oldest alert first: two sweeps at once (two beats,
  two workers) share the cases out instead of waiting for, or doubling, each other; a case
  locked by someone answering it right now is left for the next minute;
- under the lock the clocks are asked again what the case still owes (`alerts_due`): a case
  answered, paused or closed since owes nothing;
- the thread's event line ("sla_escalated" / "sla_warning", an activity: the managers' feed and
  the notifications follow), one outbox row per recipient, keyed by case, clock, due time and
  recipient (so no mail is ever written twice), and the Alert bit with the next alert's time
  (`alert_record`) are written together, or not at all.
So each clock of each case is escalated exactly once (a reopened case's new resolution clock
once more), and a broker outage loses nothing: the mails wait in the outbox for its sweep."""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from departments.models import Membership
from tickets.activity import activity_mark, activity_recorded
from tickets.mail import outbox
from tickets.models import ACTIVITY_OF_EVENT, Message, Ticket
from tickets.sla.clocks import (
    CLOCK_FIELDS,
    ESCALATION,
    WARNING,
    Clock,
    alert_record,
    alerts_due,
    clocks_derive,
)
from tickets.sla.policies import policies_for
from tickets.sla.wording import ESCALATED_EVENT, WARNING_EVENT

logger = logging.getLogger(__name__)

BATCH = 200
EVENT_OF_KIND = {ESCALATION: ESCALATED_EVENT, WARNING: WARNING_EVENT}
MAIL_OF_KIND = {ESCALATION: outbox.ESCALATION, WARNING: outbox.SLA_WARNING}


@dataclass(frozen=True)
class Recipient:
    """Who gets a case's SLA mails, and why: "manager", "owner" or "tech" (of the department,
    while the case has no owner)."""

    user_id: int
    email: str
    role: str


@dataclass(frozen=True)
class _Alert:
    ticket: Ticket
    clock: Clock
    kind: str  # ESCALATION or WARNING
    due_at: datetime


def sla_alerts_sweep(*, now: datetime | None = None, batch: int = BATCH) -> int:
    """Send every SLA mail due by `now`: escalations of clocks that passed, warnings of clocks
    at risk. Returns how many alerts (a clock of a case, escalated or warned) were recorded.
    Safe to run twice at once, and again and again: each alert is recorded once."""
    now = now or timezone.now()
    recorded = 0
    handled: set[int] = set()
    while _any_due(now):
        with transaction.atomic():
            tickets = list(
                Ticket.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(sla_alert_at__lte=now)
                .order_by("sla_alert_at")[:batch]
            )
            if not tickets:
                return recorded  # the rest are locked: another sweep or a writer has them
            if {ticket.pk for ticket in tickets} <= handled:
                # Cannot happen while alerts_due and alert_record agree; never loop on it.
                logger.error("sla: cases %s stay due after their alerts", sorted(handled)[:20])
                return recorded
            handled.update(ticket.pk for ticket in tickets)
            recorded += _alerts_send(tickets, now=now)
        if len(tickets) < batch:
            return recorded
    return recorded


def _any_due(now: datetime) -> bool:
    """One query, outside any transaction: the earliest alert time up to now, read from the
    partial index tickets_sla_alert alone. Ordered by the indexed column so the planner walks
    the index even while its statistics still count many cases due (just after a burst of
    escalations, before the next ANALYZE) instead of scanning the table."""
    due = Ticket.objects.filter(sla_alert_at__lte=now).order_by("sla_alert_at")
    return due.values_list("sla_alert_at", flat=True)[:1].first() is not None


def _alerts_send(tickets: list[Ticket], *, now: datetime) -> int:
    """Under the batch's row locks: the alerts still owed, their event lines, their mails and
    their record on the rows."""
    policies = policies_for({ticket.department_id for ticket in tickets})
    alerts: list[_Alert] = []
    alerted: list[Ticket] = []
    rederived: list[Ticket] = []
    for ticket in tickets:
        policy = policies[ticket.department_id]
        owed = alerts_due(ticket, policy=policy, now=now)
        if owed:
            alerted.append(ticket)
        else:
            # Its next alert moved since the row was written (the department stopped warning,
            # or its calendar changed and the recompute has not reached it yet): derive the
            # clocks again on the policy in force, which may still owe something.
            clocks_derive(ticket, policy=policy, now=now)
            rederived.append(ticket)
            owed = alerts_due(ticket, policy=policy, now=now)
        for clock, kind in _announced(ticket, owed):
            alerts.append(_Alert(ticket, clock, kind, _due_at(ticket, clock)))
        for clock, kind in owed:
            alert_record(ticket, clock=clock, kind=kind, policy=policy)
    if alerts:
        events = _events_write(alerts)
        _mails_write(alerts, events, recipients=escalation_recipients(a.ticket for a in alerts))
    if alerted:
        _alert_fields_save(alerted)
    if rederived:
        Ticket.objects.bulk_update(rederived, CLOCK_FIELDS)  # sla_alerts and sla_alert_at too
    return len(alerts)


def _announced(ticket: Ticket, owed: list[tuple[Clock, str]]) -> list[tuple[Clock, str]]:
    """The alerts of a case that get a mail and a line in this sweep. Two clocks due at the same
    instant (an unanswered case whose limits are equal) would say the same thing twice: one
    escalation, of the first response, goes out; a warning goes only when nothing escalates, and
    only one. The others are recorded with it. Clocks that passed at different times (a sweep
    catching up after an outage) each get their own escalation."""
    escalations, seen = [], set()
    for clock, kind in owed:
        if kind == ESCALATION and _due_at(ticket, clock) not in seen:
            seen.add(_due_at(ticket, clock))
            escalations.append((clock, kind))
    return escalations or [alert for alert in owed if alert[1] != ESCALATION][:1]


def _alert_fields_save(tickets: list[Ticket]) -> None:
    """Save only sla_alerts and sla_alert_at of the batch, in one statement on PostgreSQL.
    (bulk_update builds a CASE expression per row and field, which costs more than the rest of
    a batch; the SQLite quickstart uses it all the same.)"""
    if connection.vendor != "postgresql":
        Ticket.objects.bulk_update(tickets, ["sla_alerts", "sla_alert_at"])
        return
    table = Ticket._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{table}" SET "sla_alerts" = v.alerts, "sla_alert_at" = v.alert_at'
            " FROM unnest(%s::bigint[], %s::integer[], %s::timestamptz[])"
            " AS v(id, alerts, alert_at)"
            f' WHERE "{table}"."id" = v.id',
            [
                [ticket.pk for ticket in tickets],
                [int(ticket.sla_alerts) for ticket in tickets],
                [ticket.sla_alert_at for ticket in tickets],
            ],
        )


def _due_at(ticket: Ticket, clock: Clock) -> datetime:
    return ticket.response_due_at if clock == Clock.RESPONSE else ticket.resolution_due_at


def _events_write(alerts: list[_Alert]) -> list[Message]:
    """The thread's event lines, one per alert, as tickets.events.event_add writes them (with
    their activity, so the feed and the notifications follow), in one insert."""
    events = []
    for alert in alerts:
        event = EVENT_OF_KIND[alert.kind]
        message = Message(
            ticket=alert.ticket,
            kind=Message.Kind.EVENT,
            author=None,
            author_name="",
            event_data={"event": event, "clock": str(alert.clock), "due": alert.due_at.isoformat()},
        )
        activity_mark(message, ticket=alert.ticket, activity=ACTIVITY_OF_EVENT[event])
        events.append(message)
    Message.objects.bulk_create(events)
    activity_recorded(events)
    return events


def sla_mail_key(*, kind: str, ticket_id: int, clock: str, due_at: datetime, user_id: int) -> str:
    """One mail per case, clock, due time and recipient (a reopened case's new resolution clock
    has a new due time). The recipient's id comes last: the renderer reads it back."""
    return f"{kind}:{ticket_id}:{clock}:{due_at.astimezone(UTC).isoformat()}:{user_id}"


def recipient_id_of_key(key: str) -> int | None:
    try:
        return int(key.rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return None


def _mails_write(
    alerts: list[_Alert], events: list[Message], *, recipients: dict[int, list[Recipient]]
) -> None:
    entries = []
    for alert, event in zip(alerts, events, strict=True):
        kind = MAIL_OF_KIND[alert.kind]
        for recipient in recipients.get(alert.ticket.pk, ()):
            entries.append(
                outbox.OutboxEntry(
                    kind=kind,
                    ticket_id=alert.ticket.pk,
                    message_id=event.pk,
                    to=recipient.email,
                    idempotency_key=sla_mail_key(
                        kind=kind,
                        ticket_id=alert.ticket.pk,
                        clock=alert.clock,
                        due_at=alert.due_at,
                        user_id=recipient.user_id,
                    ),
                )
            )
        if not recipients.get(alert.ticket.pk):
            logger.warning("sla: nobody to tell of case %s (%s)", alert.ticket.pk, alert.kind)
    outbox.outbox_add_many(entries)


def escalation_recipients(tickets: Iterable[Ticket]) -> dict[int, list[Recipient]]:
    """Per case: its department's managers and its owner; while it has no owner (or its owner
    is no longer an active staff member), every tech of its department. Active staff with an
    address only, each person once. Two queries, however many cases."""
    tickets = {ticket.pk: ticket for ticket in tickets}
    departments = {ticket.department_id for ticket in tickets.values()}
    staff = Q(user__is_active=True) & (Q(user__kind=User.Kind.STAFF) | Q(user__is_superuser=True))
    members: dict[int, list[tuple[int, str, bool]]] = defaultdict(list)
    for department_id, user_id, email, is_manager in (
        Membership.objects.filter(staff, department_id__in=departments)
        .exclude(user__email="")
        .order_by("user_id")
        .values_list("department_id", "user_id", "user__email", "is_manager")
    ):
        members[department_id].append((user_id, email, is_manager))
    owner_ids = {ticket.assignee_id for ticket in tickets.values() if ticket.assignee_id}
    owners = dict(
        User.objects.filter(pk__in=owner_ids, is_active=True)
        .filter(Q(kind=User.Kind.STAFF) | Q(is_superuser=True))
        .exclude(email="")
        .values_list("pk", "email")
    )
    found: dict[int, list[Recipient]] = {}
    for pk, ticket in tickets.items():
        chosen: dict[int, Recipient] = {}
        for user_id, email, is_manager in members.get(ticket.department_id, ()):
            if is_manager:
                chosen[user_id] = Recipient(user_id, email, "manager")
        owner = ticket.assignee_id
        if owner in owners:
            chosen.setdefault(owner, Recipient(owner, owners[owner], "owner"))
        else:
            for user_id, email, _is_manager in members.get(ticket.department_id, ()):
                chosen.setdefault(user_id, Recipient(user_id, email, "tech"))
        found[pk] = sorted(chosen.values(), key=lambda recipient: recipient.user_id)
    return found
