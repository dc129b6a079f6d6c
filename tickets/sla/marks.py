"""What every ticket list and the ticket page say about a case's SLA clocks: its *mark*.

A mark has a state, the time left and the words that go with it:

- **overdue**: a running clock passed its due time (`Ticket.due_at <= now`); red clock icon,
  "overdue by 1 h 20 min", and a tinted row;
- **at risk**: a running clock has under a fifth of its limit left (`risk_at <= now < due_at`);
  amber icon, "due soon · 12 min left", and an amber row;
- **running**: "due in 2 h 10 min";
- **paused**: the case waits for the customer; pause icon, "paused · 3 h left" (never overdue
  while paused: the clocks do not run);
- closed cases (and a case with no clock) have no mark.

The *state* is read from the indexed columns (`due_at`, `risk_at`) exactly as the board counts
and the sweeps read them, so a list, the board and the ticket page always agree on which cases
are overdue or at risk. The *amount* is `clock_time_left()` of the nearest clock (an answered
case shows its resolution clock), in business time on the department's calendar; the wording
says "of business time" unless the department counts around the clock (24/7). Where the two
could disagree for a moment (a calendar changed and the recompute has not run yet) the amount
is clamped to the state: an overdue case is never "due in", a running one never "overdue by".

Durations are what people say, truncated to the minute (so "left" never promises more than is
left): under a minute "less than a minute"; under an hour "N min"; under a day "N h M min"
("N h" on the hour); from a day "N days" plus " N h" when there are hours, minutes dropped.
A *day* is 24 hours of counted time: on a 24/7 calendar a calendar day, on an office calendar
24 business hours (three 8-hour working days). This keeps the one unit honest for both kinds
of calendar; "of business time" beside it says which time is counted.

Policies are loaded once for the departments present (`policies_for`: one cache round trip,
the database only on a miss), so marking a list costs no query per row."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from tickets.models import StatusType, Ticket
from tickets.sla.clocks import clock_time_left
from tickets.sla.policies import Policy, policies_for

ZERO = timedelta(0)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(hours=24)

# The ticket fields a mark reads: lists that load a narrow row (`.only()`) include these.
MARK_FIELDS = (
    "department_id",
    "status_type",
    "first_response_at",
    "due_at",
    "risk_at",
    "response_limit",
    "resolution_limit",
    "response_used",
    "resolution_used",
    "sla_mark_at",
)


class MarkState(StrEnum):
    OVERDUE = "overdue"
    AT_RISK = "at_risk"
    RUNNING = "running"
    PAUSED = "paused"


# (icon, text class, row class) per state: an icon and a word always go with the colour.
STYLES = {
    MarkState.OVERDUE: ("bi-clock-fill", "sla-overdue", "row-overdue"),
    MarkState.AT_RISK: ("bi-exclamation-triangle-fill", "sla-at-risk", "row-at-risk"),
    MarkState.RUNNING: ("bi-clock", "sla-running", ""),
    MarkState.PAUSED: ("bi-pause-circle", "sla-paused", ""),
}

# (state, business time?) -> wording; %(time)s is duration_label().
TEXTS = {
    (MarkState.OVERDUE, True): _("overdue by %(time)s of business time"),
    (MarkState.OVERDUE, False): _("overdue by %(time)s"),
    (MarkState.AT_RISK, True): _("due soon · %(time)s of business time left"),
    (MarkState.AT_RISK, False): _("due soon · %(time)s left"),
    (MarkState.RUNNING, True): _("due in %(time)s of business time"),
    (MarkState.RUNNING, False): _("due in %(time)s"),
    (MarkState.PAUSED, True): _("paused · %(time)s of business time left"),
    (MarkState.PAUSED, False): _("paused · %(time)s left"),
}
# A case set pending after its clock had passed: paused, and how far past it was.
PAUSED_PAST_TEXTS = {
    True: _("paused · %(time)s of business time past due"),
    False: _("paused · %(time)s past due"),
}


@dataclass(frozen=True)
class ClockMark:
    state: MarkState
    left: timedelta  # business time left on the nearest clock; negative: overdue by that much
    business: bool  # counted on an office calendar (False: 24/7)
    text: str
    icon: str
    css_class: str
    row_class: str

    @property
    def is_overdue(self) -> bool:
        return self.state == MarkState.OVERDUE

    @property
    def is_at_risk(self) -> bool:
        return self.state == MarkState.AT_RISK


def duration_label(amount: timedelta) -> str:
    """A business-time duration as people say it (its size; the sign is the caller's)."""
    minutes = int(abs(amount) // MINUTE)
    if minutes < 1:
        return gettext("less than a minute")
    if minutes < 60:
        return _minutes(minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{_hours(hours)} {_minutes(minutes)}" if minutes else _hours(hours)
    days, hours = divmod(hours, 24)
    label = ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    return f"{label} {_hours(hours)}" if hours else label


def _minutes(count: int) -> str:
    return ngettext("%(count)d min", "%(count)d min", count) % {"count": count}


def _hours(count: int) -> str:
    return ngettext("%(count)d h", "%(count)d h", count) % {"count": count}


def clock_state(ticket: Ticket, *, now: datetime) -> MarkState | None:
    """The state from the row's indexed columns (what the board and the sweeps query)."""
    if ticket.status_type == StatusType.CLOSED:
        return None
    if ticket.status_type == StatusType.PENDING:
        return MarkState.PAUSED
    if ticket.due_at is None:
        return None
    if ticket.due_at <= now:
        return MarkState.OVERDUE
    if ticket.risk_at is not None and ticket.risk_at <= now:
        return MarkState.AT_RISK
    return MarkState.RUNNING


def clock_mark(ticket: Ticket, *, policy: Policy | None, now: datetime) -> ClockMark | None:
    """The mark of one case, on its department's policy (None: count in real time)."""
    state = clock_state(ticket, now=now)
    if state is None:
        return None
    if policy is not None:
        left = clock_time_left(ticket, policy=policy, now=now)[1]
        business = not policy.is_always_open
    else:
        left = ticket.due_at - now if ticket.due_at else ZERO
        business = False
    if state == MarkState.OVERDUE:
        left = min(left, ZERO)
    elif state != MarkState.PAUSED:
        left = max(left, ZERO)
    if state == MarkState.PAUSED and left < ZERO:
        text = PAUSED_PAST_TEXTS[business]
    else:
        text = TEXTS[(state, business)]
    icon, css_class, row_class = STYLES[state]
    return ClockMark(
        state=state,
        left=left,
        business=business,
        text=text % {"time": duration_label(left)},
        icon=icon,
        css_class=css_class,
        row_class=row_class,
    )


def clock_marks(
    tickets: Iterable[Ticket], *, now: datetime | None = None
) -> dict[int, ClockMark | None]:
    """The marks of these cases by ticket id; their departments' policies are read once."""
    tickets = list(tickets)
    now = now or timezone.now()
    departments = {t.department_id for t in tickets if t.status_type != StatusType.CLOSED}
    policies = policies_for(departments)
    return {
        ticket.pk: clock_mark(ticket, policy=policies.get(ticket.department_id), now=now)
        for ticket in tickets
    }


def clock_marks_attach(tickets: Iterable[Ticket], *, now: datetime | None = None) -> None:
    """Set `ticket.sla_mark` on each of these cases, for the templates (includes/sla.html)."""
    tickets = [ticket for ticket in tickets if ticket is not None]
    marks = clock_marks(tickets, now=now)
    for ticket in tickets:
        ticket.sla_mark = marks[ticket.pk]
