"""Recomputing the clocks of open cases after their department's calendar or limits changed
(departments/sla_changes.py marks the department stale). The beat runs it every minute; the
cases are locked and rewritten in batches, so a department with many open cases never holds a
long transaction, and a case being answered meanwhile waits for its batch (or the batch for it).

The time each clock used up to its last mark stays as counted; the time since is counted on the
new calendar, and the due times follow from the new limits."""

import logging

from django.db import transaction
from django.utils import timezone

from departments.models import Department
from tickets.models import StatusType, Ticket
from tickets.sla.clocks import CLOCK_FIELDS, clocks_update
from tickets.sla.policies import policies_load

logger = logging.getLogger(__name__)

BATCH = 500


def stale_clocks_recompute(*, batch: int = BATCH) -> int:
    """Recompute every stale department's open cases; how many cases were rewritten. A
    department changed again while this ran stays stale for the next run."""
    rewritten = 0
    stale = Department.objects.filter(clocks_stale_since__isnull=False).values_list(
        "pk", "clocks_stale_since"
    )
    for department_id, stale_since in stale:
        rewritten += department_clocks_recompute(department_id=department_id, batch=batch)
        Department.objects.filter(pk=department_id, clocks_stale_since=stale_since).update(
            clocks_stale_since=None
        )
    return rewritten


def department_clocks_recompute(*, department_id: int, batch: int = BATCH) -> int:
    policy = policies_load([department_id]).get(department_id)
    if policy is None:
        return 0
    rewritten, after = 0, 0
    while True:
        with transaction.atomic():
            tickets = list(
                Ticket.objects.select_for_update(of=("self",))
                .filter(department_id=department_id, pk__gt=after)
                .exclude(status_type=StatusType.CLOSED)
                .order_by("pk")[:batch]
            )
            if not tickets:
                return rewritten
            now = timezone.now()
            for ticket in tickets:
                clocks_update(ticket, policy=policy, now=now)
            Ticket.objects.bulk_update(tickets, CLOCK_FIELDS)
        rewritten += len(tickets)
        after = tickets[-1].pk
        logger.info("sla: %d open cases of department %d recomputed", rewritten, department_id)
