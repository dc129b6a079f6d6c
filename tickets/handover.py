"""What an absence does to tickets: the hand-over at its start, the tickets a customer reopens
while the owner is away, the end, and taking tickets back (recording absences is
accounts/absences.py).

At the start the absent tech's open pool (new and in-progress tickets) goes to the substitute
where the substitute may own the ticket (tickets/ownership.py), else to the general pool of the
ticket's department. Pending and consultation tickets stay with the tech: they wait for someone
else; when the customer writes back to one during the absence, it is handed over then
(ticket_reopen_if_waiting). Each hand-over is an event in the thread and a HandOver row, which
is what the returning tech is offered to take back.

Start and end are claimed by a conditional update ("...WHERE started_at IS NULL"), so two beat
runs or two workers at once carry each out once: the second waits for the first's row lock,
then finds nothing to claim."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import absences
from accounts.absences import absent_now
from accounts.models import Absence, HandOver, User
from tickets.events import event_add, status_set
from tickets.models import StatusType, Ticket
from tickets.ownership import tech_may_own

# The absent tech's "open pool": what someone must work on while they are away.
HANDED_OVER_TYPES = (StatusType.NEW, StatusType.OPEN)
# A handed-over ticket is offered back while it is not closed.
STILL_OPEN_TYPES = (StatusType.NEW, StatusType.OPEN, StatusType.PENDING, StatusType.CONSULTATION)
# How long after an absence its handed-over tickets are still offered back.
TAKE_BACK_DAYS = 30
BEAT_BATCH = 100


def owners_by_department(
    *, user_ids: Iterable[int], department_ids: Iterable[int]
) -> Callable[[int, int], bool]:
    """may_own(user_id, department_id) for these people and departments, as tech_may_own
    decides it, from one query."""
    user_ids, department_ids = set(user_ids), set(department_ids)
    if not user_ids or not department_ids:
        return lambda user_id, department_id: False
    rows = (
        User.objects.filter(pk__in=user_ids, is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(
                kind=User.Kind.STAFF,
                memberships__department_id__in=department_ids,
                memberships__department__is_active=True,
            )
        )
        .values_list("pk", "is_superuser", "memberships__department_id")
    )
    admins, pairs = set(), set()
    for user_id, is_superuser, department_id in rows:
        if is_superuser:
            admins.add(user_id)
        pairs.add((user_id, department_id))
    return lambda user_id, department_id: user_id in admins or (user_id, department_id) in pairs


@dataclass(frozen=True)
class HandOverTarget:
    absence: Absence
    to_user_id: int | None  # None: the department's general pool


def _targets(tickets: list[Ticket], absences: dict[int, Absence]) -> dict[int, HandOverTarget]:
    """Where each ticket of an absent owner goes: the substitute if they may own it and are
    not away themselves, else the general pool. Two queries whatever the number of tickets."""
    substitutes = {a.substitute_id for a in absences.values() if a.substitute_id}
    away = absent_now(substitutes)
    may_own = owners_by_department(
        user_ids=substitutes - set(away), department_ids={t.department_id for t in tickets}
    )
    targets = {}
    for ticket in tickets:
        absence = absences.get(ticket.assignee_id)
        if absence is None:
            continue
        substitute = absence.substitute_id
        keeps = substitute and substitute not in away and may_own(substitute, ticket.department_id)
        targets[ticket.pk] = HandOverTarget(
            absence=absence, to_user_id=substitute if keeps else None
        )
    return targets


def reopen_targets(tickets: Iterable[Ticket]) -> dict[int, HandOverTarget]:
    """For tickets a customer is about to reopen: those whose owner is away now, and where
    each goes. One query when nobody is away (none when no ticket is waiting with an owner),
    three at most, however many tickets: mail intake asks once a batch."""
    waiting = [
        t
        for t in tickets
        if t.assignee_id and t.status_type in (StatusType.PENDING, StatusType.CLOSED)
    ]
    if not waiting:
        return {}
    absences = absent_now({t.assignee_id for t in waiting})
    if not absences:
        return {}
    return _targets(waiting, absences)


def ticket_hand_over(*, ticket: Ticket, target: HandOverTarget, pool_status: bool) -> None:
    """Move one ticket of an absent tech (the caller holds its row lock and the transaction),
    with the event and the HandOver row. `pool_status`: a ticket put in the general pool is
    "new" again, as a transfer there makes it."""
    absence = target.absence
    to_user = absence.substitute if target.to_user_id else None
    ticket.assignee = to_user
    ticket.save(update_fields=["assignee", "updated_at"])
    if to_user is None and pool_status:
        status_set(ticket=ticket, status_type=StatusType.NEW, author=None)
    event_add(
        ticket=ticket,
        author=None,
        event="handed_over",
        data={
            "from": absence.tech.full_name,
            "to": to_user.full_name if to_user else "",
            # The substitute is told, like anyone a ticket is transferred to (tickets/notifying.py).
            "from_owner_id": absence.tech_id,
            "to_owner_id": to_user.pk if to_user else None,
            "department": ticket.department.name,
            "absence": absence.pk,
            "until": absence.ends_at.isoformat(),
        },
    )
    HandOver.objects.bulk_create(
        [HandOver(absence=absence, ticket=ticket, to_user=to_user)], ignore_conflicts=True
    )


def absence_start(*, absence_id: int) -> bool:
    """Carry out an absence's start once it is due; True only for the one call that did."""
    with transaction.atomic():
        now = timezone.now()
        claimed = Absence.objects.filter(
            pk=absence_id, started_at__isnull=True, cancelled_at__isnull=True, starts_at__lte=now
        ).update(started_at=now)
        if not claimed:
            return False
        absence = Absence.objects.select_related("tech", "substitute").get(pk=absence_id)
        if absence.ends_at <= now:
            # The whole period passed while no worker ran: nothing to hand over any more.
            Absence.objects.filter(pk=absence_id).update(ended_at=now)
            return True
        tickets = list(
            Ticket.objects.select_for_update(of=("self",))
            .filter(assignee=absence.tech, status_type__in=HANDED_OVER_TYPES)
            .select_related("department", "status")
            .order_by("pk")
        )
        targets = _targets(tickets, {absence.tech_id: absence})
        for ticket in tickets:
            ticket_hand_over(ticket=ticket, target=targets[ticket.pk], pool_status=True)
        return True


def absence_end(*, absence_id: int) -> bool:
    """Carry out an absence's end once it is due; True only for the one call that did. The
    tickets stay where they are: the returning tech is offered them (handed_over_waiting)."""
    now = timezone.now()
    return bool(
        Absence.objects.filter(
            pk=absence_id, started_at__isnull=False, ended_at__isnull=True, ends_at__lte=now
        ).update(ended_at=now)
    )


def absences_due_run() -> tuple[int, int]:
    """The beat's minute: start and end every absence whose moment has come. Returns how many
    this run started and ended (another worker may have carried out the rest)."""
    now = timezone.now()
    to_start = Absence.objects.filter(
        started_at__isnull=True, cancelled_at__isnull=True, starts_at__lte=now
    ).order_by("starts_at")
    started = sum(
        absence_start(absence_id=pk) for pk in to_start.values_list("pk", flat=True)[:BEAT_BATCH]
    )
    to_end = Absence.objects.filter(
        started_at__isnull=False, ended_at__isnull=True, ends_at__lte=now
    ).order_by("ends_at")
    ended = sum(
        absence_end(absence_id=pk) for pk in to_end.values_list("pk", flat=True)[:BEAT_BATCH]
    )
    return started, ended


def handed_over_waiting(tech: User) -> QuerySet[HandOver]:
    """The tickets handed over during the tech's absences that ended in the last
    TAKE_BACK_DAYS, not closed and still with the substitute or in the general pool: what they
    may take back. One query, the tickets' rows with it."""
    since = timezone.now() - timedelta(days=TAKE_BACK_DAYS)
    return (
        HandOver.objects.filter(
            absence__tech=tech,
            absence__ended_at__gte=since,
            taken_back_at__isnull=True,
            ticket__status_type__in=STILL_OPEN_TYPES,
        )
        .filter(Q(ticket__assignee_id=F("to_user_id")) | Q(ticket__assignee__isnull=True))
        .select_related(
            "ticket__customer", "ticket__department", "ticket__status", "ticket__assignee"
        )
        .order_by("-ticket__priority", "ticket__created_at", "ticket__id")
    )


def ticket_take_back(*, tech: User, ticket_id: int) -> Ticket:
    """The returning tech takes a handed-over ticket back into their pool. Only a ticket handed
    over from them, not closed, and still with the one it was handed to (or unowned): a ticket
    someone has since taken or transferred is theirs now and is never taken from them.
    Raises ValidationError saying why otherwise, changing nothing."""
    with transaction.atomic():
        hand_over = (
            HandOver.objects.select_for_update(of=("self",))
            .filter(absence__tech=tech, ticket_id=ticket_id, absence__ended_at__isnull=False)
            .select_related("ticket__department", "to_user")
            .order_by("-handed_at")
            .first()
        )
        if hand_over is None:
            raise ValidationError(_("This ticket was not handed over from your pool."))
        ticket = hand_over.ticket
        if hand_over.taken_back_at is not None:
            raise ValidationError(_("You have already taken %(tag)s back.") % {"tag": ticket.tag})
        if not tech_may_own(tech=tech, department=ticket.department):
            raise ValidationError(
                _("You no longer work in %(department)s.") % {"department": ticket.department}
            )
        moved = (
            Ticket.objects.filter(pk=ticket_id, status_type__in=STILL_OPEN_TYPES)
            .filter(Q(assignee_id=hand_over.to_user_id) | Q(assignee__isnull=True))
            .update(assignee=tech, updated_at=timezone.now())
        )
        ticket = Ticket.objects.select_related("assignee", "status").get(pk=ticket_id)
        if not moved:
            if ticket.status_type == StatusType.CLOSED:
                raise ValidationError(_("%(tag)s is closed.") % {"tag": ticket.tag})
            raise ValidationError(
                _("%(tag)s is with %(name)s now; ask them if you want it back.")
                % {"tag": ticket.tag, "name": ticket.assignee.full_name if ticket.assignee else ""}
            )
        if ticket.status_type == StatusType.NEW:
            status_set(ticket=ticket, status_type=StatusType.OPEN, author=tech)
        event_add(
            ticket=ticket,
            author=tech,
            event="taken_back",
            data={
                "from": hand_over.to_user.full_name if hand_over.to_user else "",
                "from_owner_id": hand_over.to_user_id,
                "to_owner_id": tech.pk,
            },
        )
        hand_over.taken_back_at = timezone.now()
        hand_over.save(update_fields=["taken_back_at"])
        return ticket


def tickets_take_back_all(*, tech: User) -> tuple[int, int]:
    """Take back every ticket handed_over_waiting offers; returns (taken, refused). Each is
    its own transaction: one someone takes meanwhile does not undo the others."""
    taken = refused = 0
    for ticket_id in list(handed_over_waiting(tech).values_list("ticket_id", flat=True)):
        try:
            ticket_take_back(tech=tech, ticket_id=ticket_id)
        except ValidationError:
            refused += 1
        else:
            taken += 1
    return taken, refused


def absence_stop(*, absence: Absence) -> Absence:
    """Cancel an absence not begun, or end a current one now and carry the end out at once,
    so the tech is back (and offered their tickets) without waiting for the beat."""
    absence = absences.absence_stop(absence=absence)
    if absence.started_at is not None and absence.ended_at is None:
        absence_end(absence_id=absence.pk)
        absence.refresh_from_db()
    return absence
