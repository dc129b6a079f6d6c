"""A manager's decisions on a trainee's held work: approve a held reply (as written, or after
editing it), reject it with a reason, or let a held mail go.

Everything a trainee would send a customer waits for one of these:
- public replies (tickets.workflow.ticket_reply), also when sent with "then pending/close": the
  status changes at once, the reply waits (Message.awaiting_approval, no outbox row at all);
- the confirmation of a ticket they enter for a customer or split from a message
  (tickets.services.ticket_create_for_customer / ticket_create_from_message): its outbox row is
  written with status "approval" and sent by outbox_approve (tickets.mail.outbox).
Not held, by decision: a consultation goes to another department's address, not the customer;
the automatic acknowledgement of a mail a trainee releases from spam is the mailbox's own, the
one the mail would have had on arrival, with nothing of the trainee's in it. A phone call is
logged as a ticket (its confirmation is held, above); the product sends no other mail for it.

Each decision locks the ticket, then the message, and acts only while the reply still waits:
of two managers deciding at once exactly one wins; the other gets AlreadyDecided, saying who
decided what. A rejected reply becomes an internal note and never gets an outbox row, before or
after."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from tickets.events import event_add, status_set
from tickets.mail import outbox
from tickets.models import Message, OutboundEmail, StatusType, Ticket
from tickets.sla.clocks import clocks_update

REASON_MAX_LENGTH = 2000


class AlreadyDecided(ValidationError):
    """The reply (or mail) no longer waits: someone approved or rejected it meanwhile."""


def _decided_message(message: Message) -> str:
    if message.rejected_at is not None:
        return _("%(name)s already rejected this reply.") % {"name": _name(message.rejected_by)}
    if message.approved_by_id is not None:
        return _("%(name)s already approved this reply.") % {"name": _name(message.approved_by)}
    return _("This reply no longer waits for approval.")


def _name(user: User | None) -> str:
    return user.full_name if user is not None else _("Someone")


def _held_locked(message: Message) -> tuple[Ticket, Message]:
    """The ticket and the held reply, locked in that order (the order every ticket write takes),
    or AlreadyDecided when the reply no longer waits."""
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("status")
        .get(pk=message.ticket_id)
    )
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("approved_by", "rejected_by")
        .get(pk=message.pk)
    )
    if not message.awaiting_approval:
        raise AlreadyDecided(_decided_message(message))
    return ticket, message


def reply_approve(*, message: Message, manager: User, edited_body: str | None = None) -> Message:
    """A manager lets a trainee's held reply go to the customer, as written or with their
    edited text (`edited_body`, not empty). An edit keeps the trainee's draft in the message's
    and the event's data, so the trainee can see what was changed and by whom."""
    edited = edited_body is not None
    if edited and not edited_body.strip():
        raise ValidationError(_("The reply cannot be empty. Write the text the customer gets."))
    with transaction.atomic():
        ticket, message = _held_locked(message)
        fields = ["awaiting_approval", "approved_by"]
        data: dict = {"message": message.pk}
        if edited and edited_body != message.body:
            data.update(edited=True, original_body=message.body)
            message.event_data = {
                **message.event_data,
                "edited_by": manager.full_name,
                "original_body": message.body,
            }
            message.body = edited_body
            fields += ["body", "event_data"]
        message.awaiting_approval = False
        message.approved_by = manager
        message.save(update_fields=fields)
        fields = ["returned_at", "updated_at"]
        if ticket.first_response_at is None:
            ticket.first_response_at = timezone.now()
            fields += ["first_response_at", *clocks_update(ticket, now=ticket.first_response_at)]
        ticket.returned_at = None  # the customer now has an answer
        ticket.save(update_fields=fields)
        event_add(ticket=ticket, author=manager, event="reply_approved", data=data)
        outbox.outbox_add(kind=outbox.REPLY, ticket=ticket, message=message)
        return message


def reply_reject(*, message: Message, manager: User, reason: str) -> Message:
    """A manager turns a trainee's held reply down, saying why. The text stays in the thread as
    an internal note with the reason, which the trainee reads there (and is told of by the
    reply_rejected activity); the customer gets nothing. The customer still has no answer, so a
    ticket the trainee set pending or closed with that reply is open again."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the reply is rejected: the trainee learns from it."))
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            _("Keep the reason under %(limit)d characters.") % {"limit": REASON_MAX_LENGTH}
        )
    with transaction.atomic():
        ticket, message = _held_locked(message)
        message.kind = Message.Kind.NOTE
        message.awaiting_approval = False
        message.rejected_by = manager
        message.rejected_at = timezone.now()
        message.rejection_reason = reason
        message.save(
            update_fields=[
                "kind",
                "awaiting_approval",
                "rejected_by",
                "rejected_at",
                "rejection_reason",
            ]
        )
        event_add(
            ticket=ticket,
            author=manager,
            event="reply_rejected",
            data={"message": message.pk, "reason": reason},
        )
        if ticket.status_type in (StatusType.PENDING, StatusType.CLOSED):
            reopened = StatusType.OPEN if ticket.assignee_id else StatusType.NEW
            status_set(ticket=ticket, status_type=reopened, author=manager)
        else:
            ticket.save(update_fields=["updated_at"])
        return message


def mail_approve(*, outbound: OutboundEmail, manager: User) -> OutboundEmail:
    """A manager lets a trainee's held mail (a ticket's confirmation) go, sent after commit;
    AlreadyDecided when it no longer waits (another manager approved it meanwhile)."""
    with transaction.atomic():
        locked = OutboundEmail.objects.select_for_update().get(pk=outbound.pk)
        if locked.status != OutboundEmail.Status.AWAITING_APPROVAL:
            raise AlreadyDecided(
                _("This mail no longer waits for approval: someone approved it meanwhile.")
            )
        return outbox.outbox_approve(outbound=locked, manager=manager)
