"""Reads of tickets for the pages that show them."""

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import Customer
from tickets.models import Attachment, Message, Ticket


def tickets_of_customer(*, customer: Customer | None) -> QuerySet[Ticket]:
    """A customer's tickets, newest first, with what the list shows."""
    if customer is None:
        return Ticket.objects.none()
    return (
        Ticket.objects.filter(customer=customer)
        .select_related("status", "department")
        .annotate(
            reply_count=Count("messages", filter=Q(messages__kind=Message.Kind.REPLY)),
        )
        .order_by("-created_at")
    )


def ticket_thread(*, ticket: Ticket, public_only: bool) -> QuerySet[Message]:
    """The thread in order, with authors and attachments; customers see only public messages."""
    messages = ticket.messages.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    )
    if public_only:
        messages = messages.filter(kind__in=Message.PUBLIC_KINDS)
    return messages.order_by("created_at", "id")


def ticket_by_number(*, number: int) -> Ticket | None:
    """For pages that already know the ticket is the viewer's (e.g. the one they just opened)."""
    return Ticket.objects.select_related("customer", "status").filter(number=number).first()
