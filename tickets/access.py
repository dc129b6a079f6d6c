"""Who may see which ticket: the one place these rules live. Every view fetches tickets,
messages, attachments, customers and set-aside mail through these functions, which raise Http404
for anything the person may not see, so a guessed or copied URL reveals nothing, not even that
the record exists."""

import hmac
import re
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Customer, User
from departments.models import Membership
from tickets.models import (
    Attachment,
    InboundEmail,
    Message,
    OutboundEmail,
    Ticket,
    customer_visible_q,
)
from tickets.search import SearchScope

TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)
# The secret link's alphabet (secrets.token_urlsafe).
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]+")


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


def staff_search_scope(user: User) -> SearchScope:
    """tickets_visible_to_staff's rule in the columns the search documents carry (owner and
    department), so the search index reads only what the person may see. A pre-filter: the
    search checks every hit against tickets_visible_to_staff as well."""
    if user.is_superuser:
        return SearchScope(everything=True)
    if not (user.is_active and user.is_tech):
        return SearchScope()
    managed, member = [], []
    for department_id, is_manager in Membership.objects.filter(
        user=user, department__is_active=True
    ).values_list("department_id", "is_manager"):
        # A department they manage is seen whole: its general pool needs no condition of its own.
        (managed if is_manager else member).append(department_id)
    return SearchScope(owner_id=user.pk, managed=tuple(managed), member=tuple(member))


TICKET_PAGE_RELATED = ("status", "department", "category", "customer", "assignee")


def ticket_for_staff(*, user: User, number: int) -> Ticket:
    ticket = (
        tickets_visible_to_staff(user)
        .select_related(*TICKET_PAGE_RELATED, "form", "created_by", "rating__mark")
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
    """The ticket behind a secret emailed link. A "token" of other characters (a NUL byte, which
    PostgreSQL cannot even compare) is not looked up, just not found."""
    if len(token) != TOKEN_LENGTH or not TOKEN_PATTERN.fullmatch(token):
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


def message_of_ticket(*, ticket: Ticket, message_id: int, public_only: bool) -> Message:
    """A message of this ticket; customers reach only public ones."""
    messages = Message.objects.filter(pk=message_id, ticket=ticket)
    if public_only:
        messages = messages.filter(customer_visible_q())
    message = messages.first()
    if message is None:
        raise Http404
    return message


def customer_for_staff(*, user: User, customer_id: int) -> Customer:
    """A customer's page follows their tickets: a staff member sees the customer only while
    they may see at least one of the customer's tickets; admins see every customer. Otherwise
    ids could be counted through to read every name, address and note."""
    customers = Customer.objects.select_related("account_manager", "user").prefetch_related(
        "emails"
    )
    if not user.is_superuser:
        visible = tickets_visible_to_staff(user).filter(customer_id=OuterRef("pk"))
        customers = customers.filter(Exists(visible))
    customer = customers.filter(pk=customer_id).first()
    if customer is None:
        raise Http404
    return customer


def spam_visible_to_staff(user: User) -> QuerySet[InboundEmail]:
    """Mail set aside as spam, for the people whose department it would enter: members of the
    mailbox's department (releasing it opens a ticket there); admins see all of it. Mail that
    came in without a mailbox (a webhook no mailbox claimed) has no department: admins only."""
    mails = InboundEmail.objects.filter(status=InboundEmail.Status.SPAM)
    if user.is_superuser:
        return mails
    if not (user.is_active and user.is_tech):
        return mails.none()
    member_of = Membership.objects.filter(user=user, department__is_active=True).values(
        "department"
    )
    return mails.filter(mailbox__department__in=member_of)


def spam_for_staff(*, user: User, inbound_id: int) -> InboundEmail:
    inbound = spam_visible_to_staff(user).filter(pk=inbound_id).first()
    if inbound is None:
        raise Http404
    return inbound


def ticket_for_supervisor(*, user: User, number: int) -> Ticket:
    """A ticket its supervisor acts on (approving a trainee's reply or mail): 404 for anyone
    else, who may not even learn that there is something to approve."""
    ticket = ticket_for_staff(user=user, number=number)
    if not supervises_ticket(user=user, ticket=ticket):
        raise Http404
    return ticket


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


def tickets_supervised_by(user: User) -> QuerySet[Ticket]:
    """The tickets whose trainees' work this person decides on: every ticket for admins; for a
    manager, the tickets whose department (now, not when the work was held) they manage."""
    tickets = Ticket.objects.all()
    if user.is_superuser:
        return tickets
    if not (user.is_active and user.is_tech):
        return tickets.none()
    managed = Membership.objects.filter(
        user=user, is_manager=True, department__is_active=True
    ).values("department")
    return tickets.filter(department__in=managed)


def reply_for_supervisor(*, user: User, message_id: int) -> Message:
    """A staff reply (held, or decided a moment ago by someone else, so the loser of a race is
    told who decided) of a ticket this person supervises; 404 for anyone else."""
    message = (
        Message.objects.filter(
            pk=message_id,
            kind__in=[Message.Kind.REPLY, Message.Kind.NOTE],
            author__isnull=False,
            ticket__in=tickets_supervised_by(user),
        )
        .select_related("ticket", "author")
        .first()
    )
    if message is None:
        raise Http404
    return message


def held_mail_for_supervisor(*, user: User, outbound_id: int) -> OutboundEmail:
    """A trainee's mail of a ticket this person supervises; 404 for anyone else."""
    outbound = (
        OutboundEmail.objects.filter(pk=outbound_id, ticket__in=tickets_supervised_by(user))
        .select_related("ticket")
        .first()
    )
    if outbound is None:
        raise Http404
    return outbound


def staff_may_see(*, user: User, ticket: Ticket) -> bool:
    return tickets_visible_to_staff(user).filter(pk=ticket.pk).exists()


@dataclass(frozen=True)
class GoneTicket:
    ticket: Ticket
    taken_from_pool: bool  # another tech took it from a general pool this person works


def ticket_gone_from_staff(*, user: User, number: int) -> GoneTicket | None:
    """A ticket this person may no longer open but did have in hand: it was in a general pool
    of a department they work in until another tech took it, or they created it, owned it or
    transferred it. The page then says where it went instead of a bare 404. Anyone else gets
    None (and the 404): a ticket they never could see stays unknown to them."""
    if not (user.is_active and user.is_tech):
        return None
    ticket = (
        Ticket.objects.select_related("department", "assignee")
        .filter(number=number)
        .exclude(pk__in=tickets_visible_to_staff(user).values("pk"))
        .first()
    )
    if ticket is None:
        return None
    events = Message.objects.filter(ticket=ticket, kind=Message.Kind.EVENT)
    if (
        ticket.assignee_id
        and events.filter(event_data__event="claimed", author_id=ticket.assignee_id).exists()
        and Membership.objects.filter(
            user=user, department_id=ticket.department_id, department__is_active=True
        ).exists()
    ):
        return GoneTicket(ticket=ticket, taken_from_pool=True)
    handed_on = events.filter(event_data__event="transferred").filter(
        Q(author=user) | Q(event_data__from_owner_id=user.pk)
    )
    if ticket.created_by_id == user.pk or handed_on.exists():
        return GoneTicket(ticket=ticket, taken_from_pool=False)
    return None


def whereabouts(ticket: Ticket) -> str:
    """Where a ticket is now, in words: "Billing, in Olga Other's pool"."""
    if ticket.assignee_id:
        return _("%(department)s, in %(name)s's pool") % {
            "department": ticket.department.name,
            "name": ticket.assignee.full_name,
        }
    return _("%(department)s, in the general pool") % {"department": ticket.department.name}
