"""The two SLA clocks of a case, kept on the ticket row.

Each clock has a limit (the department's, or its priority's shorter one) and the business time
it has used up to `sla_mark_at`, the last time the clocks were brought up to date. While a clock
runs, its due time is the mark plus the business time it has left; the *first response* clock
runs until the first reply to the customer goes out, the *resolution* clock until the case
closes. Both pause while the case waits for the customer (pending) and carry on with the time
they had left when it leaves that status; they run during a consultation. Reopening a closed
case starts a new resolution clock.

The row also carries what the lists, the board and the sweeps query, so each is one indexed
range: `due_at` (the nearest due time of a running clock; NULL while paused or closed),
`risk_at` (when a running clock has a fifth of its limit left), `sla_alert_at` (when the next
warning or escalation mail is due) and `pending_action_at` (the next pending reminder or
auto-close).

Every write that changes what the clocks depend on calls `clocks_update()` under the ticket's
row lock and saves CLOCK_FIELDS with its other fields. A transfer counts the time so far on the
old department's calendar (`clocks_catch_up`) before deriving on the new one."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import IntFlag, StrEnum

from django.utils import timezone

from departments.business_time import add_business_time, business_time_between
from tickets.models import StatusType, Ticket
from tickets.sla.policies import Policy, policy_for

ZERO = timedelta(0)
# At risk: less than this share of the limit left.
RISK_SHARE = 5

CLOCK_FIELDS = [
    "due_at",
    "risk_at",
    "response_due_at",
    "resolution_due_at",
    "response_limit",
    "resolution_limit",
    "response_used",
    "resolution_used",
    "sla_mark_at",
    "resolution_started_at",
    "sla_alerts",
    "sla_alert_at",
    "pending_since",
    "pending_reminded_at",
    "pending_action_at",
]


class Clock(StrEnum):
    RESPONSE = "response"
    RESOLUTION = "resolution"


class Alert(IntFlag):
    """The SLA mails a case has had (Ticket.sla_alerts), one bit per clock and kind."""

    RESPONSE_WARNED = 1
    RESPONSE_ESCALATED = 2
    RESOLUTION_WARNED = 4
    RESOLUTION_ESCALATED = 8


WARNED = {Clock.RESPONSE: Alert.RESPONSE_WARNED, Clock.RESOLUTION: Alert.RESOLUTION_WARNED}
ESCALATED = {Clock.RESPONSE: Alert.RESPONSE_ESCALATED, Clock.RESOLUTION: Alert.RESOLUTION_ESCALATED}
WARNING, ESCALATION = "warning", "escalation"


def clocks_start(ticket: Ticket, *, policy: Policy | None = None, now: datetime | None = None):
    """A new case: both clocks start now with nothing used."""
    now = now or ticket.created_at or timezone.now()
    ticket.sla_mark_at = now
    ticket.response_used = ticket.resolution_used = ZERO
    ticket.resolution_started_at = now
    ticket.sla_alerts = 0
    clocks_derive(ticket, policy=policy or policy_for(ticket.department_id), now=now)


def clocks_update(
    ticket: Ticket,
    *,
    policy: Policy | None = None,
    now: datetime | None = None,
    reopened: bool = False,
) -> list[str]:
    """Bring the clocks up to `now` and derive the due times from the ticket as it is now
    (status, first response, department, priority). `reopened`: the case just left the closed
    status, so its resolution clock starts again. Returns the fields to save."""
    now = now or timezone.now()
    policy = policy or policy_for(ticket.department_id)
    clocks_catch_up(ticket, policy=policy, now=now)
    if reopened:
        ticket.resolution_used = ZERO
        ticket.resolution_started_at = now
        ticket.sla_alerts &= ~(Alert.RESOLUTION_WARNED | Alert.RESOLUTION_ESCALATED)
    clocks_derive(ticket, policy=policy, now=now)
    return CLOCK_FIELDS


def clocks_catch_up(ticket: Ticket, *, policy: Policy, now: datetime) -> None:
    """Count the business time since the mark into the clocks that were running then, on
    `policy`'s calendar, and move the mark to now. The clocks were running when the row had a
    due time; the first response clock until the first reply."""
    mark = ticket.sla_mark_at
    if mark is None or now <= mark:
        ticket.sla_mark_at = mark or now
        return
    if ticket.due_at is not None:
        calendar = policy.calendar
        ticket.resolution_used += business_time_between(calendar, mark, now)
        answered = ticket.first_response_at
        if answered is None or answered > mark:
            until = min(answered, now) if answered else now
            ticket.response_used += business_time_between(calendar, mark, until)
    ticket.sla_mark_at = now


def clocks_derive(ticket: Ticket, *, policy: Policy, now: datetime) -> None:
    """Limits, due times, the at-risk instant, the next SLA mail and the next pending step,
    from the clocks' used time at the mark."""
    limits = policy.limits_for(ticket.priority)
    ticket.response_limit, ticket.resolution_limit = limits.response, limits.resolution
    mark = ticket.sla_mark_at or now
    calendar = policy.calendar
    if ticket.first_response_at is None:
        ticket.response_due_at = _due(
            calendar, mark, limits.response - ticket.response_used, ticket.response_due_at
        )
    ticket.resolution_due_at = _due(
        calendar, mark, limits.resolution - ticket.resolution_used, ticket.resolution_due_at
    )
    running = clocks_running(ticket)
    if running:
        ticket.due_at = min(_clock_due(ticket, clock) for clock in running)
        ticket.risk_at = min(_risk(ticket, clock, policy) for clock in running)
    else:
        ticket.due_at = ticket.risk_at = None
    ticket.sla_alert_at = _next_alert(ticket, policy, running)
    _pending_derive(ticket, policy, now)


def clocks_running(ticket: Ticket) -> list[Clock]:
    """The clocks counting now: none while the case waits for the customer or is closed."""
    if ticket.status_type in (StatusType.PENDING, StatusType.CLOSED):
        return []
    if ticket.first_response_at is None:
        return [Clock.RESPONSE, Clock.RESOLUTION]
    return [Clock.RESOLUTION]


def clock_time_left(
    ticket: Ticket, *, policy: Policy, now: datetime
) -> tuple[Clock, timedelta] | None:
    """The clock nearest its limit and the business time it has left now (negative: overdue
    by that much). Paused clocks have what they had when they stopped. None when closed."""
    if ticket.status_type == StatusType.CLOSED:
        return None
    owed = [Clock.RESOLUTION] if ticket.first_response_at else [Clock.RESPONSE, Clock.RESOLUTION]
    running = bool(clocks_running(ticket))
    since_mark = ZERO
    if running and ticket.sla_mark_at is not None and now > ticket.sla_mark_at:
        since_mark = business_time_between(policy.calendar, ticket.sla_mark_at, now)
    return min(
        ((clock, _limit(ticket, clock) - _used(ticket, clock) - since_mark) for clock in owed),
        key=lambda pair: pair[1],
    )


def alerts_due(ticket: Ticket, *, policy: Policy, now: datetime) -> list[tuple[Clock, str]]:
    """The SLA mails this case should have sent by now and has not: (clock, ESCALATION) for a
    running clock past its due time, else (clock, WARNING) for one at risk when the department
    warns. A clock is escalated at most once (per resolution clock after a reopen)."""
    due = []
    for clock in clocks_running(ticket):
        if ticket.sla_alerts & ESCALATED[clock]:
            continue
        if _clock_due(ticket, clock) <= now:
            due.append((clock, ESCALATION))
        elif (
            policy.warning_enabled
            and not ticket.sla_alerts & WARNED[clock]
            and _risk(ticket, clock, policy) <= now
        ):
            due.append((clock, WARNING))
    return due


def alert_record(ticket: Ticket, *, clock: Clock, kind: str, policy: Policy) -> None:
    """Note that the mail went out (an escalation counts as the warning too) and move
    sla_alert_at to the next one."""
    flag = WARNED[clock] | ESCALATED[clock] if kind == ESCALATION else WARNED[clock]
    ticket.sla_alerts |= flag
    ticket.sla_alert_at = _next_alert(ticket, policy, clocks_running(ticket))


def pending_next(ticket: Ticket, policy: Policy) -> datetime | None:
    """When the waiting case's next step is due: the reminder, then the auto-close."""
    if ticket.status_type != StatusType.PENDING or ticket.pending_since is None:
        return None
    if policy.pending_reminder_days and ticket.pending_reminded_at is None:
        return ticket.pending_since + timedelta(days=policy.pending_reminder_days)
    if policy.pending_autoclose_days:
        start = ticket.pending_reminded_at or ticket.pending_since
        return start + timedelta(days=policy.pending_autoclose_days)
    return None


def _pending_derive(ticket: Ticket, policy: Policy, now: datetime) -> None:
    if ticket.status_type == StatusType.PENDING:
        if ticket.pending_since is None:
            ticket.pending_since = now
            ticket.pending_reminded_at = None
    else:
        ticket.pending_since = ticket.pending_reminded_at = None
    ticket.pending_action_at = pending_next(ticket, policy)


def _next_alert(ticket: Ticket, policy: Policy, running: list[Clock]) -> datetime | None:
    moments = []
    for clock in running:
        if ticket.sla_alerts & ESCALATED[clock]:
            continue
        moments.append(_clock_due(ticket, clock))
        if policy.warning_enabled and not ticket.sla_alerts & WARNED[clock]:
            moments.append(_risk(ticket, clock, policy))
    return min(moments, default=None)


def _limit(ticket: Ticket, clock: Clock) -> timedelta:
    limit = ticket.response_limit if clock == Clock.RESPONSE else ticket.resolution_limit
    return limit or ZERO


def _used(ticket: Ticket, clock: Clock) -> timedelta:
    return ticket.response_used if clock == Clock.RESPONSE else ticket.resolution_used


def _clock_due(ticket: Ticket, clock: Clock) -> datetime:
    return ticket.response_due_at if clock == Clock.RESPONSE else ticket.resolution_due_at


def _due(calendar, mark: datetime, left: timedelta, previous: datetime | None) -> datetime:
    """Due when the time left is used up from the mark; a clock already spent keeps the due
    time it passed (or is due at the mark if it never had one that early)."""
    if left > ZERO:
        return add_business_time(calendar, mark, left)
    if previous is not None and previous <= mark:
        return previous
    return mark


def _risk(ticket: Ticket, clock: Clock, policy: Policy) -> datetime:
    """When the clock has a fifth of its limit left (the mark, if it already has less)."""
    limit = _limit(ticket, clock)
    before_risk = limit - _used(ticket, clock) - limit / RISK_SHARE
    mark = ticket.sla_mark_at
    if before_risk > ZERO:
        return add_business_time(policy.calendar, mark, before_risk)
    return min(mark, _clock_due(ticket, clock))
