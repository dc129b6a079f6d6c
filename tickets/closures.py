"""The closings of a case as the reports count them (tickets/models/reporting.py Closure).

status_set (tickets/events.py) calls these under the ticket's row lock, in the transaction of the
status change, so a closing is recorded exactly when the case closes."""

from datetime import datetime

from tickets.models import Closure, Consultation, Ticket


def closure_record(
    *, ticket: Ticket, now: datetime, reason: str = Closure.Reason.CLOSED
) -> Closure:
    """The case just closed: its deadline, first response and clocks as they are now (the
    caller brought the clocks up to `now`), its owner and department, and whether it was ever
    consulted. An earlier closing that was reopened is superseded by this one. A person's
    closing asks the customer how satisfied they are (tickets/satisfaction.py survey_queue)."""
    # The survey writes to the outbox, which needs tickets.events, which imports this module.
    from tickets.satisfaction import survey_queue

    Closure.objects.filter(
        ticket=ticket, superseded_at__isnull=True, reopened_at__isnull=False
    ).update(superseded_at=now)
    closure = Closure.objects.create(
        ticket=ticket,
        department_id=ticket.department_id,
        owner_id=ticket.assignee_id,
        reason=reason,
        closed_at=now,
        deadline=ticket.resolution_due_at,
        response_due_at=ticket.response_due_at,
        first_response_at=ticket.first_response_at,
        response_used=ticket.response_used if ticket.first_response_at else None,
        resolution_used=ticket.resolution_used,
        consulted=Consultation.objects.filter(ticket=ticket, asked_at__lte=now).exists(),
    )
    survey_queue(ticket=ticket, closure=closure)
    return closure


def closure_reopen(*, ticket: Ticket, now: datetime) -> None:
    """The case left the closed status: its last closing was undone at `now`."""
    Closure.objects.filter(
        ticket=ticket, reopened_at__isnull=True, superseded_at__isnull=True
    ).update(reopened_at=now)


def closure_feedback(*, ticket_id: int, at: datetime) -> None:
    """The customer rated the case or wrote after its last closing: that closing had
    feedback (the first one counts; a later one changes nothing)."""
    latest = (
        Closure.objects.filter(ticket_id=ticket_id, closed_at__lte=at)
        .order_by("-closed_at")
        .values("pk")[:1]
    )
    Closure.objects.filter(pk__in=latest, feedback_at__isnull=True).update(feedback_at=at)
