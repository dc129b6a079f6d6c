"""Writes to tickets: creating them from every intake channel and customers' replies.

Each public function is one transaction. Files are written to storage inside it and removed
again if it fails, so a failure leaves neither a ticket without its message nor an orphan file."""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from accounts.customers import customer_match_or_create
from accounts.models import Customer, User
from departments.models import Category, Department, WebForm
from tickets.attachments import (
    InspectedUpload,
    atomic_with_files,
    attachments_copy,
    attachments_save,
)
from tickets.events import event_add, status_set
from tickets.fraud import sender_check
from tickets.models import (
    AnswerPreference,
    Message,
    Priority,
    Source,
    StatusType,
    Ticket,
)
from tickets.numbering import ticket_number_next
from tickets.statuses import status_default
from tickets.tasks import ticket_confirmation_send

SOURCE_OF_AUDIENCE = {
    WebForm.Audience.PUBLIC: Source.PUBLIC_FORM,
    WebForm.Audience.MEMBER: Source.MEMBER_AREA,
    WebForm.Audience.CUSTOMER_AREA: Source.CUSTOMER_AREA,
}


def ticket_route(*, customer: Customer, form: WebForm | None = None) -> User | None:
    """Who owns a new ticket: the customer's account manager, else the channel's default
    tech, else nobody (the department's general pool). Inactive people are passed over."""
    candidates = [customer.account_manager, form.default_tech if form else None]
    for candidate in candidates:
        if candidate is not None and candidate.is_active and candidate.is_tech:
            return candidate
    return None


def _ticket_insert(
    *,
    customer: Customer,
    subject: str,
    body: str,
    department: Department,
    source: str,
    stored_names: list[str],
    priority: int = Priority.MEDIUM,
    category: Category | None = None,
    form: WebForm | None = None,
    assignee: User | None = None,
    author: User | None = None,
    created_by: User | None = None,
    order_number: str = "",
    answer_preference: str = AnswerPreference.ANSWER_BY_EMAIL,
    attachments: Sequence[InspectedUpload] = (),
    ip_address: str | None = None,
    split_from: Message | None = None,
    send_confirmation: bool = True,
    email_message_id: str = "",
    details: dict | None = None,
) -> Ticket:
    now = timezone.now()
    ticket = Ticket.objects.create(
        number=ticket_number_next(),
        subject=subject.strip(),
        customer=customer,
        department=department,
        category=category,
        priority=priority,
        status=status_default(StatusType.NEW),
        status_type=StatusType.NEW,
        source=source,
        form=form,
        assignee=assignee,
        created_by=created_by,
        split_from=split_from,
        order_number=order_number.strip(),
        answer_preference=answer_preference,
        created_at=now,
        due_at=now + department.response_time_limit,
    )
    message = Message.objects.create(
        ticket=ticket,
        kind=Message.Kind.CUSTOMER,
        author=author,
        author_customer=customer,
        author_name=customer.name,
        body=body,
        ip_address=ip_address,
        email_message_id=email_message_id,
        event_data=details or {},
    )
    attachments_save(message=message, inspected=list(attachments), stored_names=stored_names)
    if send_confirmation:
        transaction.on_commit(lambda: ticket_confirmation_send.delay(ticket_id=ticket.pk))
    return ticket


def ticket_submit_from_web(
    *,
    form: WebForm,
    name: str,
    email: str,
    subject: str,
    body: str,
    category: Category | None,
    priority: int,
    attachments: Sequence[InspectedUpload] = (),
    order_number: str = "",
    answer_preference: str = AnswerPreference.ANSWER_BY_EMAIL,
    user: User | None = None,
    ip_address: str | None = None,
) -> Ticket:
    """A visitor's or customer's web form submission becomes a ticket.

    Blocked senders are refused (SenderBlocked) with the attempt recorded and nothing else
    written. The customer is matched by email or created; the ticket goes to the category's
    department (else the form's) and is routed by ticket_route; a confirmation email with the
    secret link follows the commit."""
    source = SOURCE_OF_AUDIENCE[WebForm.Audience(form.audience)]
    sender_check(email=email, ip_address=ip_address, channel=source, subject=subject)
    signed_in = user if user is not None and user.is_authenticated else None
    with atomic_with_files() as stored_names:
        customer = customer_match_or_create(email=email, name=name, user=signed_in)
        return _ticket_insert(
            customer=customer,
            subject=subject,
            body=body,
            department=category.department if category else form.default_department,
            category=category,
            source=source,
            form=form,
            priority=priority,
            assignee=ticket_route(customer=customer, form=form),
            author=signed_in,
            order_number=order_number,
            answer_preference=answer_preference,
            attachments=attachments,
            ip_address=ip_address,
            stored_names=stored_names,
        )


def ticket_create_from_email(
    *,
    customer: Customer,
    subject: str,
    body: str,
    department: Department,
    category: Category | None,
    attachments: Sequence[InspectedUpload],
    email_message_id: str,
    stored_names: list[str],
    details: dict | None = None,
) -> Ticket:
    """A new mail opens a ticket: routed like any other (account manager, else the general
    pool), acknowledged by the auto-response rather than the web confirmation. The caller
    (mail intake) holds the transaction."""
    return _ticket_insert(
        customer=customer,
        subject=subject or "(no subject)",
        body=body,
        department=department,
        category=category,
        source=Source.EMAIL,
        assignee=ticket_route(customer=customer),
        attachments=attachments,
        email_message_id=email_message_id,
        details=details,
        send_confirmation=False,
        stored_names=stored_names,
    )


def ticket_create_for_customer(
    *,
    staff: User,
    email: str,
    name: str,
    phone: str,
    subject: str,
    body: str,
    category: Category | None,
    department: Department,
    priority: int,
    source: str,
    assign_to_me: bool,
    send_confirmation: bool,
    attachments: Sequence[InspectedUpload] = (),
) -> Ticket:
    """A tech enters a ticket on a customer's behalf (phone, walk-in), finding or creating the
    customer record. It goes to the tech's own pool, or to the usual routing."""
    with atomic_with_files() as stored_names:
        customer = customer_match_or_create(email=email, name=name, phone=phone)
        if phone and not customer.phone:
            Customer.objects.filter(pk=customer.pk).update(phone=phone)
        ticket = _ticket_insert(
            customer=customer,
            subject=subject,
            body=body,
            department=category.department if category else department,
            category=category,
            source=source,
            priority=priority,
            assignee=staff if assign_to_me else ticket_route(customer=customer),
            created_by=staff,
            attachments=attachments,
            send_confirmation=send_confirmation,
            stored_names=stored_names,
        )
        event_add(ticket=ticket, author=staff, event="entered_by_staff", data={"source": source})
        return ticket


def ticket_create_from_message(
    *,
    staff: User,
    message: Message,
    subject: str,
    department: Department,
    priority: int,
    send_confirmation: bool,
) -> Ticket:
    """A new ticket for the same customer, starting from a message of another ticket (its
    text and files). Both threads record the link."""
    origin = message.ticket
    with atomic_with_files() as stored_names:
        ticket = _ticket_insert(
            customer=origin.customer,
            subject=subject,
            body=message.body,
            department=department,
            source=Source.STAFF,
            priority=priority,
            assignee=staff,
            created_by=staff,
            split_from=message,
            send_confirmation=send_confirmation,
            stored_names=stored_names,
        )
        first = ticket.messages.get()
        attachments_copy(source=message, target=first, stored_names=stored_names)
        link = {"message": message.pk}
        event_add(
            ticket=ticket, author=staff, event="split_from", data={"ticket": origin.number, **link}
        )
        event_add(
            ticket=origin, author=staff, event="split_to", data={"ticket": ticket.number, **link}
        )
        return ticket


def ticket_reply_from_customer(
    *,
    ticket: Ticket,
    body: str,
    attachments: Sequence[InspectedUpload] = (),
    author: User | None = None,
    ip_address: str | None = None,
    email_message_id: str = "",
    details: dict | None = None,
) -> Message:
    """The customer writes in their ticket. A ticket waiting for them, or closed, is reopened:
    back into its owner's pool, or the general pool when it has no owner."""
    with atomic_with_files() as stored_names:
        ticket = Ticket.objects.select_for_update().select_related("customer").get(pk=ticket.pk)
        message = Message.objects.create(
            ticket=ticket,
            kind=Message.Kind.CUSTOMER,
            author=author,
            author_customer=ticket.customer,
            author_name=ticket.customer.name,
            body=body,
            ip_address=ip_address,
            email_message_id=email_message_id,
            event_data=details or {},
        )
        attachments_save(message=message, inspected=list(attachments), stored_names=stored_names)
        if ticket.status_type in (StatusType.PENDING, StatusType.CLOSED):
            new_type = StatusType.OPEN if ticket.assignee_id else StatusType.NEW
            status_set(ticket=ticket, status_type=new_type, author=None)
            # Back at the top of its owner's pool until they answer.
            ticket.returned_at = timezone.now()
        ticket.save(update_fields=["returned_at", "updated_at"])
        return message
