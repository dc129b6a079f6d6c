"""Writes to tickets: creating them from every intake channel and customers' replies.

Each public function is one transaction. Files are written to storage inside it and removed
again if it fails, so a failure leaves neither a ticket without its message nor an orphan file.
Mail taken in a batch at a time is written by tickets/mail/intake_tickets.py, on the builders
and rules here (ticket_build, customer_message_build, ticket_route, ticket_reopen_if_waiting)."""

from collections.abc import Sequence

from django.utils import timezone

from accounts.absences import absent_now
from accounts.customers import customer_match_or_create
from accounts.models import Customer, User
from departments.models import Category, Department, WebForm
from tickets import handover
from tickets.activity import activity_mark, activity_recorded
from tickets.attachments import (
    InspectedUpload,
    atomic_with_files,
    attachments_copy,
    attachments_save,
)
from tickets.closures import closure_feedback
from tickets.events import event_add, status_set
from tickets.fraud import sender_check
from tickets.mail import outbox
from tickets.models import (
    Activity,
    AnswerPreference,
    Message,
    Priority,
    Source,
    StatusType,
    Ticket,
)
from tickets.numbering import ticket_number_next
from tickets.ownership import owner_check, tech_may_own
from tickets.sla.clocks import clocks_start
from tickets.sla.policies import Policy, policy_for
from tickets.statuses import status_default

SOURCE_OF_AUDIENCE = {
    WebForm.Audience.PUBLIC: Source.PUBLIC_FORM,
    WebForm.Audience.MEMBER: Source.MEMBER_AREA,
    WebForm.Audience.CUSTOMER_AREA: Source.CUSTOMER_AREA,
}


def ticket_build(
    *,
    number: int,
    status,
    subject: str,
    department: Department,
    policy: Policy | None = None,
    **fields,
) -> Ticket:
    """A new ticket, not saved yet: in the NEW status, its SLA clocks started on the
    department's `policy` (looked up when not given)."""
    now = timezone.now()
    fields["order_number"] = fields.get("order_number", "").strip()
    ticket = Ticket(
        number=number,
        subject=subject.strip(),
        department=department,
        status=status,
        status_type=StatusType.NEW,
        created_at=now,
        **fields,
    )
    clocks_start(ticket, policy=policy or policy_for(department.pk), now=now)
    return ticket


def customer_message_build(
    *,
    ticket: Ticket,
    customer: Customer,
    body: str,
    author: User | None = None,
    ip_address: str | None = None,
    email_message_id: str = "",
    details: dict | None = None,
    activity: str = Activity.CUSTOMER_MESSAGE,
) -> Message:
    """A customer's message, not saved yet; the caller hands it to activity_recorded once
    saved. `activity` is TICKET_CREATED for the message that opens a ticket."""
    message = Message(
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
    return activity_mark(message, ticket=ticket, activity=activity)


def ticket_route(
    *,
    customer: Customer,
    department: Department,
    form: WebForm | None = None,
    default_tech: User | None = None,
    owners: set[int] | None = None,
    absent: set[int] | None = None,
) -> User | None:
    """Who owns a new ticket: the customer's account manager, else the channel's default
    tech (the web form's, or `default_tech`: the mailbox's), else nobody (the department's
    general pool). Only someone who may own a ticket in its department (tickets/ownership.py)
    is chosen; inactive people and people away now (accounts/absences.py) are passed over.
    `owners`, the ids of the candidates known to work there, and `absent`, those of them away
    now, save a batch a query per ticket."""
    channel_tech = form.default_tech if form else default_tech
    candidates = [customer.account_manager, channel_tech]
    if absent is None:
        absent = set(absent_now(c.pk for c in candidates if c is not None))
    for candidate in candidates:
        if candidate is None or not (candidate.is_active and candidate.is_tech):
            continue
        if candidate.pk in absent:
            continue
        if owners is not None:
            if candidate.pk in owners:
                return candidate
        elif tech_may_own(tech=candidate, department=department):
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
    ticket = ticket_build(
        number=ticket_number_next(),
        status=status_default(StatusType.NEW),
        subject=subject,
        customer=customer,
        department=department,
        category=category,
        priority=priority,
        source=source,
        form=form,
        assignee=assignee,
        created_by=created_by,
        split_from=split_from,
        order_number=order_number,
        answer_preference=answer_preference,
    )
    ticket.save(force_insert=True)
    message = customer_message_build(
        ticket=ticket,
        customer=customer,
        author=author,
        body=body,
        ip_address=ip_address,
        email_message_id=email_message_id,
        details=details,
        activity=Activity.TICKET_CREATED,
    )
    message.save(force_insert=True)
    activity_recorded([message])
    attachments_save(message=message, inspected=list(attachments), stored_names=stored_names)
    if send_confirmation:
        # Written with the ticket, sent after the commit (or by the sweep). What a trainee
        # entered waits for a manager's approval, like their replies.
        outbox.outbox_add(
            kind=outbox.CONFIRMATION,
            ticket=ticket,
            awaiting_approval=created_by is not None and created_by.is_trainee,
        )
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
        department = category.department if category else form.default_department
        return _ticket_insert(
            customer=customer,
            subject=subject,
            body=body,
            department=department,
            category=category,
            source=source,
            form=form,
            priority=priority,
            assignee=ticket_route(customer=customer, department=department, form=form),
            author=signed_in,
            order_number=order_number,
            answer_preference=answer_preference,
            attachments=attachments,
            ip_address=ip_address,
            stored_names=stored_names,
        )


def ticket_reopen_if_waiting(
    ticket: Ticket, *, absent_owners: dict[int, handover.HandOverTarget] | None = None
) -> bool:
    """A ticket waiting for its customer, or closed, goes back into its owner's pool (the
    general pool when it has none), at the top until they answer. The caller saves it.

    An owner who is away now does not get it: it is handed over to their substitute, or the
    general pool (tickets/handover.py). `absent_owners` (handover.reopen_targets, asked once
    for a batch) saves a batch the query per ticket."""
    if ticket.status_type not in (StatusType.PENDING, StatusType.CLOSED):
        return False
    if ticket.assignee_id:
        if absent_owners is None:
            absent_owners = handover.reopen_targets([ticket])
        target = absent_owners.get(ticket.pk)
        if target is not None:
            handover.ticket_hand_over(ticket=ticket, target=target, pool_status=False)
    if ticket.status_type == StatusType.CLOSED:  # the customer wrote after the closing
        closure_feedback(ticket_id=ticket.pk, at=timezone.now())
    new_type = StatusType.OPEN if ticket.assignee_id else StatusType.NEW
    status_set(ticket=ticket, status_type=new_type, author=None)
    ticket.returned_at = timezone.now()
    return True


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
    department = category.department if category else department
    if assign_to_me:  # only in a department the tech works in (tickets/ownership.py)
        owner_check(tech=staff, department=department)
    with atomic_with_files() as stored_names:
        customer = customer_match_or_create(email=email, name=name, phone=phone)
        if phone and not customer.phone:
            Customer.objects.filter(pk=customer.pk).update(phone=phone)
        ticket = _ticket_insert(
            customer=customer,
            subject=subject,
            body=body,
            department=department,
            category=category,
            source=source,
            priority=priority,
            assignee=(
                staff if assign_to_me else ticket_route(customer=customer, department=department)
            ),
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
    owner_check(tech=staff, department=department)  # the new ticket is the tech's (ownership.py)
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
        message = customer_message_build(
            ticket=ticket,
            customer=ticket.customer,
            author=author,
            body=body,
            ip_address=ip_address,
            email_message_id=email_message_id,
            details=details,
        )
        message.save(force_insert=True)
        activity_recorded([message])
        attachments_save(message=message, inspected=list(attachments), stored_names=stored_names)
        ticket_reopen_if_waiting(ticket)
        ticket.save(update_fields=["returned_at", "updated_at"])
        return message
