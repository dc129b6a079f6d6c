"""The building blocks every ticket write shares: one-line events in the thread, and status
changes (which keep the copied status type true). Callers hold the transaction and row lock."""

from django.utils import timezone

from accounts.models import User
from tickets.activity import activity_mark, activity_recorded
from tickets.closures import closure_record, closure_reopen
from tickets.models import ACTIVITY_OF_EVENT, Closure, Message, Status, StatusType, Ticket
from tickets.sla.clocks import clocks_update
from tickets.statuses import status_default


def event_add(
    *, ticket: Ticket, author: User | None, event: str, data: dict | None = None
) -> Message:
    """A one-line event in the thread; events that are activity (ACTIVITY_OF_EVENT) are
    recorded as such."""
    message = Message(
        ticket=ticket,
        kind=Message.Kind.EVENT,
        author=author,
        author_name=author.full_name if author else "",
        event_data={"event": event, **(data or {})},
    )
    activity = ACTIVITY_OF_EVENT.get(event)
    if activity:
        activity_mark(message, ticket=ticket, activity=activity)
    message.save(force_insert=True)
    if activity:
        activity_recorded([message])
    return message


def status_set(
    *,
    ticket: Ticket,
    author: User | None,
    status_type: str = "",
    status: Status | None = None,
    close_reason: str = Closure.Reason.CLOSED,
) -> bool:
    """Move the ticket into `status`, or the default status of `status_type`; returns whether
    anything changed. Closing stamps closed_at; any other status clears it. The SLA clocks
    follow (tickets/sla/clocks.py): pending pauses them, reopening restarts resolution. Each
    closing, and its undoing, is recorded for the reports (tickets/closures.py) with
    `close_reason`."""
    new = status or status_default(status_type)
    if new.pk == ticket.status_id:
        return False
    old_name = ticket.status.name
    was_closed = ticket.status_type == StatusType.CLOSED
    reopened = was_closed and new.type != StatusType.CLOSED
    now = timezone.now()
    ticket.status = new
    ticket.status_type = new.type
    ticket.closed_at = now if new.type == StatusType.CLOSED else None
    clock_fields = clocks_update(ticket, now=now, reopened=reopened)
    ticket.save(update_fields=["status", "status_type", "closed_at", "updated_at", *clock_fields])
    if reopened:
        closure_reopen(ticket=ticket, now=now)
    elif new.type == StatusType.CLOSED and not was_closed:
        closure_record(ticket=ticket, now=now, reason=close_reason)
    event_add(
        ticket=ticket,
        author=author,
        event="status_changed",
        data={"from": old_name, "to": new.name},
    )
    return True
