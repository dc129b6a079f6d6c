"""Phone calls logged on a ticket, and their call-back reminders.

A call is a row of the thread (Message of kind PHONE_CALL, its body what was agreed) with its
particulars (PhoneCall). Like an internal note it is staff-only: never emailed, never shown to
the customer (Message.PUBLIC_KINDS leaves it out). A call that reached the customer answers
them: it stops the first-response clock as a first public reply does; one that did not reach
them changes no clock. The questionnaire does not hold a call up: the call already happened,
and refusing to record it would lose it; the questions are still asked at closing.

A call-back reminder is told to the tech who set it at its time, by the beat's sweep
(`call_backs_remind_due`, every minute): the sweep reads the partial index of reminders still to
fire, locks them FOR UPDATE SKIP LOCKED, and writes the thread's event line (activity
CALL_BACK_DUE: the notification follows, tickets/notifying.py) and `reminded_at` together. So a
reminder fires once however many sweeps run, and one missed while the broker or the worker was
down fires at the next sweep."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from tickets.events import event_add, status_set
from tickets.models import ACTIVE_STATUS_TYPES, Message, PhoneCall, StatusType, Ticket
from tickets.sla.clocks import clocks_update

DURATION_MAX_MINUTES = 24 * 60
AGREED_MAX_LENGTH = 10_000
REMINDER_BATCH = 200


@dataclass(frozen=True)
class CallDetails:
    direction: str
    reached: bool
    duration_minutes: int
    agreed: str = ""
    callback_at: datetime | None = None


def call_details_check(details: CallDetails, *, now: datetime) -> None:
    """The rules a call's particulars follow; refused with a message naming the field."""
    errors = {}
    if details.direction not in PhoneCall.Direction.values:
        errors["direction"] = _("Say whether the call was incoming or outgoing.")
    if not isinstance(details.duration_minutes, int) or not (
        0 <= details.duration_minutes <= DURATION_MAX_MINUTES
    ):
        errors["duration_minutes"] = _("The duration is a number of minutes from 0 to %(max)d.") % {
            "max": DURATION_MAX_MINUTES
        }
    if details.reached and not details.agreed.strip():
        errors["agreed"] = _("Write what was agreed with the customer.")
    if len(details.agreed) > AGREED_MAX_LENGTH:
        errors["agreed"] = _("Keep what was agreed under %(max)d characters.") % {
            "max": AGREED_MAX_LENGTH
        }
    if details.callback_at is not None and details.callback_at <= now:
        errors["callback_at"] = _("Choose a call-back time in the future.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def call_log(*, ticket: Ticket, tech: User, details: CallDetails) -> Message:
    """Record a call in the thread. A reached call is the case's first response when none was
    given yet (and, like a reply, takes the case off "back from the customer"); any call takes
    an unowned case into the tech's pool and moves a new one to "in progress", as a note does.
    Bad particulars: nothing is written."""
    now = timezone.now()
    call_details_check(details, now=now)
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("status", "customer", "department")
        .get(pk=ticket.pk)
    )
    message = Message.objects.create(
        ticket=ticket,
        kind=Message.Kind.PHONE_CALL,
        author=tech,
        author_name=tech.full_name,
        body=details.agreed.strip(),
    )
    PhoneCall.objects.create(
        message=message,
        direction=details.direction,
        reached=details.reached,
        duration_minutes=details.duration_minutes,
        callback_at=details.callback_at,
        callback_for=tech if details.callback_at else None,
    )
    changed = ["updated_at"]
    if ticket.assignee_id is None and ticket.status_type in ACTIVE_STATUS_TYPES:
        ticket.assignee = tech
        changed.append("assignee")
        event_add(ticket=ticket, author=tech, event="claimed", data={"how": "called"})
    if details.reached:
        if ticket.first_response_at is None:
            ticket.first_response_at = now
            changed.append("first_response_at")
            changed.extend(clocks_update(ticket, now=now))
        ticket.returned_at = None
        changed.append("returned_at")
    ticket.save(update_fields=changed)
    if ticket.status_type == StatusType.NEW:
        status_set(ticket=ticket, status_type=StatusType.OPEN, author=tech)
    return message


def call_backs_remind_due(*, now: datetime | None = None, batch: int = REMINDER_BATCH) -> int:
    """Fire every call-back reminder due by `now`, each once; how many fired. Safe to run twice
    at once, and again and again."""
    now = now or timezone.now()
    fired = 0
    while True:
        with transaction.atomic():
            due = PhoneCall.objects.filter(
                callback_at__isnull=False, callback_at__lte=now, reminded_at__isnull=True
            ).order_by("callback_at", "pk")
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True, of=("self",))
            calls = list(due.select_related("message__ticket__customer", "callback_for")[:batch])
            for call in calls:
                _remind(call, now=now)
            fired += len(calls)
        if len(calls) < batch:
            return fired


def _remind(call: PhoneCall, *, now: datetime) -> None:
    call.reminded_at = now
    call.save(update_fields=["reminded_at"])
    ticket = call.message.ticket
    tech = call.callback_for
    event_add(
        ticket=ticket,
        author=None,
        event="call_back_due",
        data={
            "call": call.message_id,
            "for_id": tech.pk if tech else None,
            "for": tech.full_name if tech else "",
            "customer": ticket.customer.name,
            "phone": ticket.customer.phone,
            "at": call.callback_at.isoformat(),
        },
    )
