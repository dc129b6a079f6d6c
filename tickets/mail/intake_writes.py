"""Writing a batch of planned mails: a few statements for the whole batch, in the caller's
transaction. The mails' records are inserted last, so a mail another worker recorded meanwhile
(its unique hash or content fingerprint) fails the insert and undoes the whole batch, which the
caller then takes in again one mail at a time."""

from django.core.files.base import ContentFile
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from departments.models import Department, Mailbox
from tickets.activity import activity_mark, activity_recorded
from tickets.attachments import attachments_save
from tickets.events import status_set
from tickets.fraud import refused_attempt_fields
from tickets.mail import intake_tickets, outbox
from tickets.mail.intake_plans import Plan, TicketRef
from tickets.models import (
    Activity,
    InboundEmail,
    Message,
    RefusedAttempt,
    Source,
    StatusType,
    Ticket,
)

Status = InboundEmail.Status
RECORD_OUTCOME_FIELDS = [
    "status",
    "error",
    "spam_score",
    "ticket",
    "message",
    "processed_at",
]


def plans_write(
    plans: list[Plan],
    *,
    channel: str,
    mailbox: Mailbox | None,
    department: Department | None,
    stored_names: list[str],
) -> None:
    """Carry out the plans (not the duplicates): tickets, replies, consultation answers, refused
    attempts, and every mail's record with its raw bytes. Sets `inbound` on each plan."""
    writing = [plan for plan in plans if plan.duplicate_of is None]
    _refused_record(writing)
    _tickets_open(writing, mailbox=mailbox, department=department, stored_names=stored_names)
    _replies_add(writing, stored_names=stored_names)
    for plan in writing:
        if plan.status == Status.CONSULTATION:
            _consultation_answer(plan, stored_names=stored_names)
    _records_write(writing, channel=channel, mailbox=mailbox, stored_names=stored_names)
    # The auto-responses go into the outbox with the records: sent after the commit, or by the
    # sweep when the broker is unreachable right now (the batch still counts as taken in).
    outbox.outbox_add_many(
        [
            outbox.OutboxEntry(
                kind=outbox.AUTO_RESPONSE,
                ticket_id=plan.inbound.ticket_id,
                inbound_id=plan.inbound.pk,
                to=plan.inbound.from_address,
            )
            for plan in writing
            if plan.auto_response
        ]
    )


def _records_write(
    plans: list[Plan], *, channel: str, mailbox: Mailbox | None, stored_names: list[str]
) -> None:
    """Each mail's record, with its outcome: new ones in one statement (their raw bytes stored
    first), a reprocessed one updated."""
    now = timezone.now()
    storage = InboundEmail._meta.get_field("raw").storage
    records = []
    for plan in plans:
        inbound = plan.arrival.inbound
        if inbound is None:
            digest, parsed = plan.arrival.digest, plan.parsed
            name = storage.save(f"inbound/{now:%Y/%m}/{digest}.eml", ContentFile(plan.arrival.raw))
            stored_names.append(name)
            inbound = InboundEmail(
                mailbox=mailbox,
                channel=channel,
                server_uid=plan.arrival.server_uid[:255],
                message_id_header=parsed.message_id if parsed else "",
                content_fingerprint=plan.arrival.fingerprint,
                raw_sha256=digest,
                raw=name,
                size=len(plan.arrival.raw),
                from_address=(parsed.from_address if parsed else "")[:320],
                subject=(parsed.subject if parsed else "")[:998],
                received_at=now,
            )
            records.append(inbound)
        inbound.status = plan.status
        inbound.error = plan.error[:5000]
        inbound.spam_score = plan.spam_score
        inbound.ticket_id = plan.ticket.pk if plan.ticket else None
        inbound.message = plan.message
        inbound.processed_at = now
        plan.inbound = inbound
        if plan.arrival.inbound is not None:
            inbound.save(update_fields=RECORD_OUTCOME_FIELDS)
    InboundEmail.objects.bulk_create(records)
    _records_attribute([plan.inbound.pk for plan in plans if plan.inbound.ticket_id])


def _records_attribute(inbound_ids: list[int]) -> None:
    """The reports count each mail for its case's department and owner as they are now, after
    the batch's tickets were opened and reopened: one statement for the batch."""
    if not inbound_ids:
        return
    case = Ticket.objects.filter(pk=OuterRef("ticket_id"))
    InboundEmail.objects.filter(pk__in=inbound_ids).update(
        department_id=Subquery(case.values("department_id")[:1]),
        owner_id=Subquery(case.values("assignee_id")[:1]),
    )


def _refused_record(plans: list[Plan]) -> None:
    RefusedAttempt.objects.bulk_create(
        RefusedAttempt(
            **refused_attempt_fields(
                email=plan.parsed.from_address,
                ip_address=None,
                channel=Source.EMAIL,
                subject=plan.parsed.subject,
            ),
            blocked_by_id=plan.block_id,
        )
        for plan in plans
        if plan.status == Status.REFUSED
    )


def _tickets_open(
    plans: list[Plan], *, mailbox: Mailbox | None, department: Department | None, stored_names
) -> None:
    opening = [plan for plan in plans if plan.status == Status.TICKET]
    if not opening:
        return
    requests = [
        intake_tickets.EmailRequest(
            address=plan.parsed.from_address,
            name=plan.parsed.from_name,
            customer=plan.customer,
            subject=plan.parsed.subject[:200],
            body=plan.body,
            body_html=plan.parsed.html,
            attachments=plan.attachments,
            email_message_id=plan.parsed.message_id,
            details=plan.details,
            linked_from=plan.ticket.number if plan.ticket else None,
        )
        for plan in opening
    ]
    created = intake_tickets.tickets_create_from_emails(
        requests=requests,
        department=department,
        category=mailbox.default_category if mailbox else None,
        default_tech=mailbox.default_tech if mailbox else None,
        stored_names=stored_names,
    )
    for plan, (ticket, message) in zip(opening, created, strict=True):
        plan.ticket = _ref(ticket)
        plan.message = message


def _replies_add(plans: list[Plan], *, stored_names) -> None:
    joining = [plan for plan in plans if plan.status == Status.REPLY]
    messages = intake_tickets.ticket_replies_from_email(
        replies=[
            intake_tickets.EmailReply(
                ticket_id=plan.ticket.pk,
                body=plan.body,
                body_html=plan.parsed.html,
                attachments=plan.attachments,
                email_message_id=plan.parsed.message_id,
                details=plan.details,
            )
            for plan in joining
        ],
        stored_names=stored_names,
    )
    for plan, message in zip(joining, messages, strict=True):
        plan.message = message


def _consultation_answer(plan: Plan, *, stored_names) -> None:
    """The consulted department's answer joins the thread; the case goes back, open, to the top
    of its tech's pool."""
    consultation = plan.consultation
    ticket = Ticket.objects.select_for_update().get(pk=consultation.ticket_id)
    message = Message(
        ticket=ticket,
        kind=Message.Kind.CONSULTATION_IN,
        author_name=consultation.department.name,
        body=plan.body,
        body_html=plan.parsed.html,
        email_message_id=plan.parsed.message_id,
        event_data=plan.details,
    )
    activity_mark(message, ticket=ticket, activity=Activity.CONSULTATION_ANSWER)
    message.save(force_insert=True)
    activity_recorded([message])
    attachments_save(message=message, inspected=plan.attachments, stored_names=stored_names)
    consultation.answer, consultation.answered_at = message, timezone.now()
    consultation.save(update_fields=["answer", "answered_at"])
    if ticket.status_type == StatusType.CONSULTATION:
        status_set(ticket=ticket, status_type=StatusType.OPEN, author=None)
    ticket.returned_at = timezone.now()  # back at the top of the tech's pool
    ticket.save(update_fields=["returned_at", "updated_at"])
    plan.ticket, plan.message = _ref(ticket), message


def _ref(ticket: Ticket) -> TicketRef:
    return TicketRef(pk=ticket.pk, number=ticket.number, customer_id=ticket.customer_id)
