"""Who may see which ticket: the one place these rules live. Every view fetches tickets,
messages and attachments through these functions, which raise Http404 for anything the person
may not see, so a guessed or copied URL reveals nothing, not even that the ticket exists."""

import hmac

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from departments.models import Membership
from tickets.models import Attachment, Message, OutboundEmail, Ticket, customer_visible_q

TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)


def tickets_visible_to_staff(user: User) -> QuerySet[Ticket]:
    """Admins see every ticket; managers every ticket of their departments; a tech the general
    pool of their departments and their own pool, never another tech's pool."""
    tickets = Ticket.objects.all()
    if user.is_superuser:
        return tickets
    if not (user.is_active and user.is_tech):
        return tickets.none()
    memberships = Membership.objects.filter(user=user, department__is_active=True)
    managed = memberships.filter(is_manager=True).values("department")
    member_of = memberships.values("department")
    return tickets.filter(
        Q(assignee=user)
        | Q(department__in=managed)
        | Q(assignee__isnull=True, department__in=member_of)
    )


TICKET_PAGE_RELATED = ("status", "department", "category", "customer", "assignee")


def ticket_for_staff(*, user: User, number: int) -> Ticket:
    ticket = (
        tickets_visible_to_staff(user)
        .select_related(*TICKET_PAGE_RELATED, "form", "created_by")
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def ticket_for_customer(*, user: User, number: int) -> Ticket:
    """A signed-in customer's own ticket."""
    if not (user.is_authenticated and user.is_active and user.is_customer):
        raise Http404
    ticket = (
        Ticket.objects.select_related(*TICKET_PAGE_RELATED)
        .filter(number=number, customer__user=user)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def ticket_for_token(*, token: str) -> Ticket:
    """The ticket behind a secret emailed link."""
    if len(token) != TOKEN_LENGTH:
        raise Http404
    ticket = Ticket.objects.select_related(*TICKET_PAGE_RELATED).filter(access_token=token).first()
    # The index finds the row; the constant-time comparison keeps the check itself honest.
    if ticket is None or not hmac.compare_digest(ticket.access_token, token):
        raise Http404
    return ticket


def message_for_staff(*, user: User, message_id: int) -> Message:
    message = (
        Message.objects.filter(pk=message_id, ticket__in=tickets_visible_to_staff(user))
        .select_related("ticket", "ticket__customer")
        .first()
    )
    if message is None:
        raise Http404
    return message


def attachment_of_ticket(*, ticket: Ticket, attachment_id: int, public_only: bool) -> Attachment:
    """An attachment on this ticket; customers reach only those on public messages."""
    attachments = Attachment.objects.filter(pk=attachment_id, message__ticket=ticket)
    if public_only:
        attachments = attachments.filter(customer_visible_q("message__"))
    attachment = attachments.first()
    if attachment is None:
        raise Http404
    return attachment


def supervises_ticket(*, user: User, ticket: Ticket) -> bool:
    """Admins and managers of the ticket's department: they approve trainees' replies and may
    look at a general-pool ticket without taking it."""
    return (
        user.is_superuser
        or Membership.objects.filter(
            user=user, department_id=ticket.department_id, is_manager=True
        ).exists()
    )


def outbound_of_ticket(*, ticket: Ticket, outbound_id: int) -> OutboundEmail:
    """A mail of this ticket's outbox (a held confirmation a manager approves)."""
    outbound = OutboundEmail.objects.filter(pk=outbound_id, ticket=ticket).first()
    if outbound is None:
        raise Http404
    return outbound
