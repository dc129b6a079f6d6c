"""Waiting for the customer: the pending reminder and the auto-close, per department, both
optional (Department.pending_reminder_days, pending_autoclose_days).

A case pending for the reminder days sends its customer the editable pending reminder, once;
the auto-close days later (counted from the reminder, or from when it started waiting when the
department sends none) with no answer it closes itself, with a line in the thread saying why.
Either step ends when the case stops waiting: the customer writing back, or a tech changing the
status, clears the pending fields (tickets/sla/clocks.py).

The ticket row says when its next step is due (`pending_action_at`, kept by every status
change), so the beat's sweep reads only the due cases from their partial index: one query when
nothing is due. It locks them with SKIP LOCKED and checks again under the lock, so two sweeps,
or a sweep and a tech answering, never act twice on a case: every step taken moves
`pending_action_at` past now or clears it, in the same transaction.

A customer without an email address cannot be reminded: the step is recorded in the thread as
skipped and the auto-close still follows (a case nobody can reach should not wait forever)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.models import CustomerEmail
from tickets.events import event_add, status_set
from tickets.mail import outbox
from tickets.models import Closure, StatusType, Ticket
from tickets.sla.clocks import pending_next
from tickets.sla.policies import Policy, policies_for

logger = logging.getLogger(__name__)

BATCH = 200

REMINDED, SKIPPED, CLOSED, RESCHEDULED = "reminded", "skipped", "closed", "rescheduled"

# Thread events (event_data["event"]); staff-only, like every event line.
REMINDER_SENT = "pending_reminder_sent"
REMINDER_SKIPPED = "pending_reminder_skipped"
AUTO_CLOSED = "auto_closed"


def pending_steps_sweep(*, now: datetime | None = None, batch: int = BATCH) -> dict[str, int]:
    """Take every waiting case's step that is due by `now`: the reminder, or the auto-close.
    How many were reminded, skipped (no address), closed, or found not due after all
    (rescheduled: the department's days changed and the row had not been recomputed yet).

    Cases another sweep holds are passed over; it takes them. Each batch is one transaction."""
    now = now or timezone.now()
    done: Counter[str] = Counter()
    after: tuple[datetime, int] | None = None
    while True:
        due = Ticket.objects.filter(pending_action_at__lte=now)
        if after is not None:
            # Past the cases already seen: those another sweep held stay behind it.
            due = due.filter(
                Q(pending_action_at__gt=after[0]) | Q(pending_action_at=after[0], pk__gt=after[1])
            )
        rows = list(
            due.order_by("pending_action_at", "pk").values_list("pending_action_at", "pk")[:batch]
        )
        if not rows:
            break
        with transaction.atomic():
            done.update(_steps_take([pk for _at, pk in rows], now=now))
        if len(rows) < batch:
            break
        after = rows[-1]
    if done:
        logger.info("sla: pending steps %s", dict(done))
    return {key: done[key] for key in (REMINDED, SKIPPED, CLOSED, RESCHEDULED)}


def _steps_take(ids: list[int], *, now: datetime) -> Iterable[str]:
    tickets = list(
        Ticket.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(pk__in=ids, pending_action_at__lte=now)
        .select_related("status", "customer", "department")
        .order_by("pending_action_at", "pk")
    )
    policies = policies_for({ticket.department_id for ticket in tickets})
    addresses = _customer_addresses({ticket.customer_id for ticket in tickets})
    return [
        _step(ticket, policy=policies[ticket.department_id], now=now, addresses=addresses)
        for ticket in tickets
    ]


def _step(ticket: Ticket, *, policy: Policy, now: datetime, addresses: dict[int, str]) -> str:
    due = pending_next(ticket, policy)
    if due is None or due > now:
        ticket.pending_action_at = due
        ticket.save(update_fields=["pending_action_at"])
        return RESCHEDULED
    if policy.pending_reminder_days and ticket.pending_reminded_at is None:
        return _remind(ticket, policy=policy, now=now, address=addresses.get(ticket.customer_id))
    return _close(ticket, now=now)


def _remind(ticket: Ticket, *, policy: Policy, now: datetime, address: str | None) -> str:
    since = ticket.pending_since
    ticket.pending_reminded_at = now
    ticket.pending_action_at = pending_next(ticket, policy)
    ticket.save(update_fields=["pending_reminded_at", "pending_action_at"])
    data = {"days": policy.pending_reminder_days, "since": since.isoformat()}
    if address is None:
        event_add(
            ticket=ticket,
            author=None,
            event=REMINDER_SKIPPED,
            data={**data, "reason": "no_address"},
        )
        return SKIPPED
    event = event_add(ticket=ticket, author=None, event=REMINDER_SENT, data=data)
    # The mail hangs on its event line, which carries its Message-ID like a reply: the
    # customer's answer to it threads back into the case, and later mail refers to it.
    outbox.outbox_add_many(
        [
            outbox.OutboxEntry(
                kind=outbox.PENDING_REMINDER,
                ticket_id=ticket.pk,
                message_id=event.pk,
                to=address,
                # One reminder per waiting period, whatever else writes to the outbox.
                idempotency_key=f"{outbox.PENDING_REMINDER}:{ticket.pk}:{since.isoformat()}",
            )
        ]
    )
    return REMINDED


def _close(ticket: Ticket, *, now: datetime) -> str:
    days = (now - ticket.pending_since).days
    status_set(
        ticket=ticket,
        author=None,
        status_type=StatusType.CLOSED,
        close_reason=Closure.Reason.AUTO_CLOSED,
    )
    event_add(ticket=ticket, author=None, event=AUTO_CLOSED, data={"days": days})
    return CLOSED


def _customer_addresses(customer_ids: set[int]) -> dict[int, str]:
    """Each customer's address mail goes to (primary first, as customer_address picks)."""
    addresses: dict[int, str] = {}
    rows = (
        CustomerEmail.objects.filter(customer_id__in=customer_ids)
        .order_by("customer_id", "-is_primary", "id")
        .values_list("customer_id", "email")
    )
    for customer_id, email in rows:
        addresses.setdefault(customer_id, email)
    return addresses


def reminder_values(policy: Policy) -> dict[str, str]:
    """What the pending reminder's own placeholders become for a department."""
    days = policy.pending_autoclose_days
    if not days:
        return {"autoclose_days": "", "autoclose_notice": ""}
    notice = ngettext(
        "If we do not hear from you within %(days)d day, we will close the request; "
        "writing to us later opens it again.",
        "If we do not hear from you within %(days)d days, we will close the request; "
        "writing to us later opens it again.",
        days,
    ) % {"days": days}
    return {"autoclose_days": str(days), "autoclose_notice": notice}
