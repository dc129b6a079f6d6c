"""What techs do to tickets: claim, get next, reply, note, transfer, change status, approve.

Ownership changes are conditional updates ("...WHERE assignee IS NULL"), so two techs can never
both take a ticket, on PostgreSQL and on the SQLite quickstart alike. "Get next" also picks its
candidates with FOR UPDATE SKIP LOCKED on PostgreSQL, so simultaneous clicks never wait on each
other's locks and never land on the same ticket."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.absences import absent_now
from accounts.models import User
from departments.models import Department, Membership
from tickets.activity import activity_mark, activity_recorded
from tickets.approvals import reply_approve  # noqa: F401  (its home is tickets.approvals)
from tickets.attachments import InspectedUpload, atomic_with_files, attachments_save
from tickets.events import event_add, status_set
from tickets.mail import outbox
from tickets.mentions import mentions_find
from tickets.models import ACTIVE_STATUS_TYPES, Activity, Message, Status, StatusType, Ticket
from tickets.ownership import owner_check
from tickets.questionnaires import CLOSE, FIRST_RESPONSE, questionnaire_apply
from tickets.sla.clocks import CLOCK_FIELDS, clocks_catch_up, clocks_derive, clocks_update
from tickets.sla.policies import policy_for
from tickets.statuses import status_default

GET_NEXT_ATTEMPTS = 5


@dataclass(frozen=True)
class ClaimResult:
    ticket: Ticket
    claimed: bool  # this call moved it into the tech's pool
    taken_by: User | None  # someone else got there first


def _claim_update(*, ticket_id: int, tech: User) -> bool:
    """Take an unowned open ticket; True only for the one caller that got it."""
    open_status = status_default(StatusType.OPEN)
    return bool(
        Ticket.objects.filter(
            pk=ticket_id, assignee__isnull=True, status_type__in=ACTIVE_STATUS_TYPES
        ).update(
            assignee=tech,
            status=open_status,
            status_type=StatusType.OPEN,
            updated_at=timezone.now(),
        )
    )


def _claim_record(*, ticket: Ticket, tech: User, how: str) -> None:
    event_add(ticket=ticket, author=tech, event="claimed", data={"how": how})


def tech_may_claim(*, tech: User, ticket: Ticket) -> bool:
    """Techs (trainees too) claim general-pool tickets of departments they work in."""
    return (
        tech.is_active
        and tech.is_tech
        and Membership.objects.filter(user=tech, department_id=ticket.department_id).exists()
    )


def ticket_claim_on_open(*, ticket: Ticket, tech: User) -> ClaimResult:
    """Opening a general-pool ticket moves it, atomically, into the tech's pool, "received"
    becoming "in progress". If another tech took it a moment earlier, say who."""
    if ticket.assignee_id is not None or ticket.status_type not in ACTIVE_STATUS_TYPES:
        return ClaimResult(ticket=ticket, claimed=False, taken_by=None)
    if not tech_may_claim(tech=tech, ticket=ticket):
        return ClaimResult(ticket=ticket, claimed=False, taken_by=None)
    with transaction.atomic():
        if _claim_update(ticket_id=ticket.pk, tech=tech):
            ticket.refresh_from_db()
            _claim_record(ticket=ticket, tech=tech, how="opened")
            return ClaimResult(ticket=ticket, claimed=True, taken_by=None)
    ticket.refresh_from_db()
    return ClaimResult(ticket=ticket, claimed=False, taken_by=ticket.assignee)


def ticket_next_for(*, tech: User) -> Ticket | None:
    """Hand the tech the next case from the general pools of their departments.

    Rule: the highest priority wins; among equal priorities, the ticket whose waiting time
    multiplied by its department's retrieval priority (the tech's membership weight) is the
    largest. So a department weighted 3 has its tickets taken as if they had waited three
    times as long. Returns None when every pool is empty, and for a tech recorded as away
    now (accounts/absences.py): their work is someone else's until they are back."""
    weights = dict(
        Membership.objects.filter(user=tech, department__is_active=True).values_list(
            "department_id", "retrieval_priority"
        )
    )
    if not weights or not (tech.is_active and tech.is_tech) or absent_now([tech.pk]):
        return None
    for _attempt in range(GET_NEXT_ATTEMPTS):
        with transaction.atomic():
            candidates = _next_candidates(department_weights=weights)
            if not candidates:
                return None
            now = timezone.now()
            best = max(
                candidates,
                key=lambda t: (t.priority, (now - t.created_at) * weights[t.department_id], -t.pk),
            )
            if _claim_update(ticket_id=best.pk, tech=tech):
                best.refresh_from_db()
                _claim_record(ticket=best, tech=tech, how="get_next")
                return best
        # Someone took it between our look and our update (SQLite); look again.
    return None


def _next_candidates(*, department_weights: dict[int, int]) -> list[Ticket]:
    """The top ticket of each department's general pool. On PostgreSQL each is locked with
    SKIP LOCKED: a ticket another click is looking at is passed over, not waited for."""
    candidates = []
    for department_id in department_weights:
        pool = Ticket.objects.filter(
            department_id=department_id,
            assignee__isnull=True,
            status_type__in=ACTIVE_STATUS_TYPES,
        ).order_by("-priority", "created_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            pool = pool.select_for_update(skip_locked=True)
        top = pool.only("id", "priority", "created_at", "department_id").first()
        if top is not None:
            candidates.append(top)
    return candidates


def _locked(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("status", "customer", "department")
        .get(pk=ticket.pk)
    )


def ticket_reply(
    *,
    ticket: Ticket,
    tech: User,
    body: str,
    internal: bool,
    attachments: Sequence[InspectedUpload] = (),
    then_status: str = "",
    answers: Mapping[int, object] | None = None,
) -> Message:
    """A tech writes in the thread: an internal note (never emailed, never shown to the
    customer) or a public reply, emailed after commit. A trainee's public reply waits for a
    manager's approval first. `then_status` ("pending" or "closed") moves the ticket after
    sending. Replying to an unowned ticket takes it. Closing, or the first public reply,
    first needs the questionnaire's required answers (`answers`, stored with the reply):
    without them nothing is written (tickets/questionnaires.py). Staff named with `@name` who
    may see the ticket are recorded on the row (tickets/mentions.py) and notified: a note or
    reply that mentions someone is activity `mentioned` (a held reply stays `reply_held`)."""
    if not body.strip():
        raise ValidationError(_("Write something before sending."))
    with atomic_with_files() as stored_names:
        ticket = _locked(ticket)
        questionnaire_apply(
            ticket=ticket,
            by=tech,
            moment=_questionnaire_moment(ticket=ticket, internal=internal, then_status=then_status),
            values=answers,
        )
        held = not internal and tech.is_trainee
        message = Message(
            ticket=ticket,
            kind=Message.Kind.NOTE if internal else Message.Kind.REPLY,
            author=tech,
            author_name=tech.full_name,
            body=body,
            awaiting_approval=held,
        )
        mentioned = mentions_find(ticket=ticket, body=body)
        if mentioned:
            message.event_data = {"mentions": mentioned}
        if held:
            activity_mark(message, ticket=ticket, activity=Activity.REPLY_HELD)
        elif mentioned:
            activity_mark(message, ticket=ticket, activity=Activity.MENTIONED)
        message.save(force_insert=True)
        activity_recorded([message])
        attachments_save(message=message, inspected=list(attachments), stored_names=stored_names)
        changed = ["updated_at"]
        if ticket.assignee_id is None and ticket.status_type in ACTIVE_STATUS_TYPES:
            ticket.assignee = tech
            changed.append("assignee")
            _claim_record(ticket=ticket, tech=tech, how="replied")
        if not internal and not held:
            if ticket.first_response_at is None:
                ticket.first_response_at = timezone.now()
                changed.append("first_response_at")
                changed.extend(clocks_update(ticket, now=ticket.first_response_at))
            ticket.returned_at = None
            changed.append("returned_at")
        ticket.save(update_fields=changed)
        if then_status in (StatusType.PENDING, StatusType.CLOSED):
            status_set(ticket=ticket, status_type=then_status, author=tech)
        elif ticket.status_type == StatusType.NEW:
            status_set(ticket=ticket, status_type=StatusType.OPEN, author=tech)
        if not internal and not held:
            outbox.outbox_add(kind=outbox.REPLY, ticket=ticket, message=message)
        return message


def _questionnaire_moment(*, ticket: Ticket, internal: bool, then_status: str) -> str | None:
    if then_status == StatusType.CLOSED and not ticket.is_closed:
        return CLOSE
    if not internal and ticket.first_response_at is None:
        return FIRST_RESPONSE
    return None


def ticket_transfer(
    *,
    ticket: Ticket,
    by: User,
    to_department: Department | None = None,
    to_tech: User | None = None,
    note: str = "",
) -> Ticket:
    """Back to the general pool (neither target), to another department's pool, or to a named
    tech, who must be allowed to own it in the ticket's (new) department (tickets/ownership.py).
    A ticket put in a general pool is "new" again, so it shows in that pool whatever its status
    was. Recorded as an event, with the optional note as an internal note."""
    with transaction.atomic():
        ticket = _locked(ticket)
        department = to_department or ticket.department
        if to_tech is not None:
            owner_check(tech=to_tech, department=department)
            _not_absent_check(to_tech)
        previous = {
            "department": ticket.department.name,
            "owner": _name(ticket.assignee),
            "owner_id": ticket.assignee_id,
        }
        fields = ["department", "category", "assignee", "updated_at"]
        if department.pk != ticket.department_id:
            ticket.category = None  # the category routed to the old department
            # The time so far counts on the old calendar, what is left on the new one's.
            now = timezone.now()
            clocks_catch_up(ticket, policy=policy_for(ticket.department_id), now=now)
            clocks_derive(ticket, policy=policy_for(department.pk), now=now)
            fields += CLOCK_FIELDS
        ticket.department = department
        ticket.assignee = to_tech
        ticket.save(update_fields=fields)
        if to_tech is None:
            # Back in a general pool: waiting to be received again, whatever it was before.
            status_set(ticket=ticket, status_type=StatusType.NEW, author=by)
        elif ticket.status_type == StatusType.NEW and to_tech is not None:
            status_set(ticket=ticket, status_type=StatusType.OPEN, author=by)
        event_add(
            ticket=ticket,
            author=by,
            event="transferred",
            data={
                "from_department": previous["department"],
                "from_owner": previous["owner"],
                "to_department": department.name,
                "to_owner": _name(to_tech),
                # Who to tell (tickets/notifying.py): names change, ids do not.
                "from_owner_id": previous["owner_id"],
                "to_owner_id": to_tech.pk if to_tech else None,
            },
        )
        if note.strip():
            Message.objects.create(
                ticket=ticket,
                kind=Message.Kind.NOTE,
                author=by,
                author_name=by.full_name,
                body=note,
            )
        return ticket


def ticket_status_change(
    *,
    ticket: Ticket,
    author: User | None,
    status: Status | None = None,
    status_type: str = "",
    answers: Mapping[int, object] | None = None,
) -> Ticket:
    """Move a ticket into an admin-defined status (or a type's default), with an event. A
    person closing the case answers the questionnaire's required questions first (`answers`,
    stored in the same transaction); refused, nothing changes. The system's closes are not
    held up."""
    with transaction.atomic():
        ticket = _locked(ticket)
        new = status or status_default(status_type)
        closing = new.type == StatusType.CLOSED and not ticket.is_closed
        questionnaire_apply(
            ticket=ticket, by=author, moment=CLOSE if closing else None, values=answers
        )
        status_set(ticket=ticket, author=author, status=new)
        return ticket


def _not_absent_check(tech: User) -> None:
    """A ticket is never transferred to someone away: it would wait unseen until they return."""
    absence = absent_now([tech.pk]).get(tech.pk)
    if absence is None:
        return
    until = date_format(timezone.localtime(absence.ends_at), "DATETIME_FORMAT")
    if absence.substitute is not None:
        raise ValidationError(
            _("%(name)s is absent until %(until)s; %(substitute)s stands in for them.")
            % {"name": tech.full_name, "until": until, "substitute": absence.substitute.full_name}
        )
    raise ValidationError(
        _("%(name)s is absent until %(until)s.") % {"name": tech.full_name, "until": until}
    )


def _name(user: User | None) -> str:
    return user.full_name if user else ""


def ticket_consult(*, ticket: Ticket, tech: User, department: Department, question: str) -> Message:
    """Refer the case to another department by email. The ticket is "under consultation" until
    the department's mailed answer comes back into the thread (tickets/mail/intake.py)."""
    from tickets.models import Consultation

    if not department.consultation_email:
        raise ValidationError(
            _("%(department)s has no consultation address.") % {"department": department.name}
        )
    if not question.strip():
        raise ValidationError(
            _("Write the question for %(department)s.") % {"department": department.name}
        )
    with transaction.atomic():
        ticket = _locked(ticket)
        if Consultation.objects.filter(ticket=ticket, answered_at__isnull=True).exists():
            raise ValidationError(_("This ticket already waits for a consultation answer."))
        message = Message.objects.create(
            ticket=ticket,
            kind=Message.Kind.CONSULTATION_OUT,
            author=tech,
            author_name=tech.full_name,
            body=question,
            event_data={"department": department.name, "to": department.consultation_email},
        )
        Consultation.objects.create(
            ticket=ticket,
            department=department,
            asked_by=tech,
            question=message,
            due_at_when_asked=ticket.due_at,
            deadline_when_asked=ticket.resolution_due_at,
            first_of_case=not Consultation.objects.filter(ticket=ticket).exists(),
            case_department_id=ticket.department_id,
            case_owner_id=ticket.assignee_id or tech.pk,
        )
        if ticket.assignee_id is None:
            ticket.assignee = tech
            ticket.save(update_fields=["assignee", "updated_at"])
        status_set(ticket=ticket, status_type=StatusType.CONSULTATION, author=tech)
        outbox.outbox_add(kind=outbox.CONSULTATION, ticket=ticket, message=message)
        return message
