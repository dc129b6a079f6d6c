"""Tickets and replies from a batch of mail: the intake's writes (tickets/mail/intake_writes.py)
to tickets, a statement per table for the whole batch rather than per mail. The rules are the
ones every intake channel shares (tickets/services.py): routing, reopening a waiting ticket."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from accounts.absences import absent_now
from accounts.customers import customers_create
from accounts.models import Customer, User, normalize_email_address
from departments.models import Category, Department
from tickets.activity import activity_recorded
from tickets.attachments import InspectedUpload, attachments_save
from tickets.handover import reopen_targets
from tickets.models import Activity, Message, Source, StatusType, Ticket
from tickets.numbering import ticket_numbers_next
from tickets.ownership import owners_among
from tickets.services import (
    customer_message_build,
    ticket_build,
    ticket_reopen_if_waiting,
    ticket_route,
)
from tickets.sla.policies import policy_for
from tickets.statuses import status_default


@dataclass(frozen=True)
class EmailRequest:
    """A new mail that opens a ticket. `customer` is None for an address nobody has used yet:
    a customer is created for it."""

    address: str
    name: str
    customer: Customer | None
    subject: str
    body: str
    attachments: Sequence[InspectedUpload]
    email_message_id: str
    details: dict
    linked_from: int | None = None  # the number of a ticket the mail named but may not join
    body_html: str = ""  # the mail's sanitised HTML, shown beside `body` (its text)


def tickets_create_from_emails(
    *,
    requests: Sequence[EmailRequest],
    department: Department,
    category: Category | None,
    stored_names: list[str],
    default_tech: User | None = None,
) -> list[tuple[Ticket, Message]]:
    """New mails open tickets: routed like any other (account manager, else the mailbox's
    default tech, else the general pool: ticket_route),
    acknowledged by the auto-response rather than the web confirmation. A batch of mail takes
    a statement per table, not per mail; mails from one new address make one customer. The
    caller (mail intake) holds the transaction."""
    if not requests:
        return []
    new_people: dict[str, str] = {}
    for request in requests:  # the first mail names a new customer, as it would alone
        if request.customer is None:
            new_people.setdefault(normalize_email_address(request.address), request.name)
    created = customers_create(names_by_email=new_people) if new_people else {}
    numbers = ticket_numbers_next(len(requests))
    status = status_default(StatusType.NEW)
    managers = {r.customer.account_manager_id for r in requests if r.customer is not None}
    candidates = {*managers, default_tech.pk if default_tech else None} - {None}
    owners = owners_among(user_ids=candidates, department=department)
    absent = set(absent_now(owners))
    policy = policy_for(department.pk)
    tickets, messages = [], []
    for request, number in zip(requests, numbers, strict=True):
        customer = request.customer or created[normalize_email_address(request.address)]
        ticket = ticket_build(
            number=number,
            status=status,
            subject=request.subject or "(no subject)",
            customer=customer,
            department=department,
            policy=policy,
            category=category,
            source=Source.EMAIL,
            assignee=ticket_route(
                customer=customer,
                department=department,
                default_tech=default_tech,
                owners=owners,
                absent=absent,
            ),
        )
        tickets.append(ticket)
        message = customer_message_build(
            ticket=ticket,
            customer=customer,
            body=request.body,
            email_message_id=request.email_message_id,
            details=request.details,
            activity=Activity.TICKET_CREATED,
        )
        message.body_html = request.body_html
        messages.append(message)
    Ticket.objects.bulk_create(tickets)
    events = [
        Message(
            ticket=ticket,
            kind=Message.Kind.EVENT,
            event_data={"event": "linked_from", "ticket": request.linked_from},
        )
        for ticket, request in zip(tickets, requests, strict=True)
        if request.linked_from is not None
    ]
    Message.objects.bulk_create([*messages, *events])
    activity_recorded(messages)
    for message, request in zip(messages, requests, strict=True):
        if request.attachments:
            attachments_save(
                message=message, inspected=list(request.attachments), stored_names=stored_names
            )
    return list(zip(tickets, messages, strict=True))


@dataclass(frozen=True)
class EmailReply:
    """A customer's mail that joins their ticket."""

    ticket_id: int
    body: str
    attachments: Sequence[InspectedUpload]
    email_message_id: str
    details: dict
    body_html: str = ""


def ticket_replies_from_email(
    *, replies: Sequence[EmailReply], stored_names: list[str]
) -> list[Message]:
    """Customers' mails join their tickets, as ticket_reply_from_customer does for one: a
    ticket waiting for its customer, or closed, is reopened. The tickets are locked in id
    order, so two batches never deadlock. The caller (mail intake) holds the transaction."""
    if not replies:
        return []
    ids = sorted({reply.ticket_id for reply in replies})
    tickets = {
        ticket.pk: ticket
        for ticket in Ticket.objects.select_for_update(of=("self",))
        .select_related("customer", "status")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    messages = [
        customer_message_build(
            ticket=tickets[reply.ticket_id],
            customer=tickets[reply.ticket_id].customer,
            body=reply.body,
            email_message_id=reply.email_message_id,
            details=reply.details,
        )
        for reply in replies
    ]
    for message, reply in zip(messages, replies, strict=True):
        message.body_html = reply.body_html
    Message.objects.bulk_create(messages)
    activity_recorded(messages)
    for message, reply in zip(messages, replies, strict=True):
        if reply.attachments:
            attachments_save(
                message=message, inspected=list(reply.attachments), stored_names=stored_names
            )
    absent_owners = reopen_targets(tickets.values())  # once for the batch
    reopened = [
        ticket
        for ticket in tickets.values()
        if ticket_reopen_if_waiting(ticket, absent_owners=absent_owners)
    ]
    for ticket in reopened:
        ticket.save(update_fields=["returned_at", "updated_at"])
    untouched = [pk for pk in ids if pk not in {ticket.pk for ticket in reopened}]
    if untouched:
        Ticket.objects.filter(pk__in=untouched).update(updated_at=timezone.now())
    return messages
