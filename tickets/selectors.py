"""Reads of tickets for the pages that show them."""

from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q, QuerySet

from accounts.models import Customer, User
from departments.models import Membership
from tickets.access import tickets_visible_to_staff
from tickets.models import Attachment, Message, Ticket, customer_visible_q
from tickets.sla.marks import clock_marks_attach

OTHER_TICKETS_SHOWN = 5


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


def tickets_searchable_by_customer(*, customer: Customer | None) -> QuerySet[Ticket]:
    """What a customer's search on /my/ runs over: their own tickets, nothing else."""
    if customer is None:
        return Ticket.objects.none()
    return Ticket.objects.filter(customer=customer)


def ticket_thread(*, ticket: Ticket, public_only: bool) -> QuerySet[Message]:
    """The thread in order, with authors and attachments (`has_html` on each, its HTML left
    unread); customers see only public messages."""
    messages = (
        ticket.messages.select_related("author", "rejected_by", "phone_call")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        # A mail's HTML is read by its frame's own request; the page only needs to know of it.
        .defer("body_html")
        .annotate(has_html=ExpressionWrapper(~Q(body_html=""), output_field=BooleanField()))
    )
    if public_only:
        messages = messages.filter(customer_visible_q())
    return messages.order_by("created_at", "id")


def ticket_by_number(*, number: int) -> Ticket | None:
    """For pages that already know the ticket is the viewer's (e.g. the one they just opened)."""
    return Ticket.objects.select_related("customer", "status").filter(number=number).first()


def customer_other_tickets(*, ticket: Ticket, user: User) -> list[Ticket]:
    """The customer's latest other tickets that this person may open."""
    return list(
        tickets_visible_to_staff(user)
        .filter(customer_id=ticket.customer_id)
        .exclude(pk=ticket.pk)
        .select_related("status")
        .order_by("-created_at")[:OTHER_TICKETS_SHOWN]
    )


def customer_tickets_for_staff(*, customer: Customer, user: User) -> tuple[list[Ticket], int]:
    """Every ticket of the customer this person may open (each with its SLA mark), and how many
    others exist (in other techs' pools or other departments) without saying anything more
    about them."""
    visible = list(
        tickets_visible_to_staff(user)
        .filter(customer=customer)
        .select_related("status", "department", "assignee")
        .order_by("-created_at")
    )
    clock_marks_attach(visible)
    hidden = Ticket.objects.filter(customer=customer).count() - len(visible)
    return visible, hidden


def team_owners(*, user: User) -> list[User]:
    """The techs whose pools a manager may look into: members of the departments they manage."""
    memberships = Membership.objects.filter(department__is_active=True, user__is_active=True)
    if not user.is_superuser:
        managed = Membership.objects.filter(user=user, is_manager=True).values("department")
        memberships = memberships.filter(department__in=managed)
    ids = memberships.values("user")
    return list(User.objects.filter(pk__in=ids).order_by("full_name"))
