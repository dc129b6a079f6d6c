"""Mail in: one email becomes a ticket, joins one, answers a consultation, or is set aside.

`inbound_receive` is the one door for polled mail and inbound webhooks alike. It records the
raw mail first; the unique SHA-256 of the bytes and the unique Message-ID make a second copy of
the same mail impossible to record, so a re-poll, a killed worker or two overlapping polls never
create a duplicate. Mail it cannot parse, and mail whose processing fails, is quarantined with
its raw bytes (admins see it and can reprocess it) and never stops the mail after it."""

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.customers import customer_match_or_create
from accounts.models import normalize_email_address
from departments.models import Mailbox
from tickets import services
from tickets.attachments import InspectedUpload, atomic_with_files, attachment_inspect
from tickets.events import event_add, status_set
from tickets.fraud import SenderBlocked, sender_check
from tickets.mail import spam
from tickets.mail.automatic import automatic_reasons, spam_flagged_upstream
from tickets.mail.parsing import ParsedEmail, UnparseableEmail, extract_ticket_tag, parse_email
from tickets.mail.quoting import split_quoted_history
from tickets.models import (
    Consultation,
    InboundEmail,
    Message,
    OutboundEmail,
    Source,
    StatusType,
    Ticket,
)

logger = logging.getLogger(__name__)

Status = InboundEmail.Status


@dataclass(frozen=True)
class IntakeResult:
    inbound: InboundEmail
    duplicate: bool


def raw_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def inbound_receive(
    *, raw: bytes, channel: str, mailbox: Mailbox | None, server_uid: str = ""
) -> IntakeResult:
    """Record one raw mail and act on it, in one transaction. The same mail again (by bytes or
    by Message-ID) returns the first record and changes nothing."""
    digest = raw_digest(raw)
    parsed, parse_error = _parse(raw)
    seen = Q(raw_sha256=digest)
    if parsed is not None and parsed.message_id:
        seen |= Q(message_id_header=parsed.message_id)
    existing = InboundEmail.objects.filter(seen).first()
    if existing is not None:
        return IntakeResult(inbound=existing, duplicate=True)
    try:
        with atomic_with_files() as stored_names:
            inbound = _record(
                raw=raw,
                digest=digest,
                parsed=parsed,
                channel=channel,
                mailbox=mailbox,
                server_uid=server_uid,
                stored_names=stored_names,
            )
            if parsed is None:
                _quarantine(inbound, parse_error)
            else:
                _process_guarded(inbound=inbound, parsed=parsed)
    except IntegrityError:
        # Another worker recorded the same mail between our look and our insert.
        existing = (
            InboundEmail.objects.filter(raw_sha256=digest).first()
            or InboundEmail.objects.filter(message_id_header=parsed.message_id).first()
        )
        if existing is None:
            raise
        return IntakeResult(inbound=existing, duplicate=True)
    return IntakeResult(inbound=inbound, duplicate=False)


def inbound_reprocess(*, inbound: InboundEmail) -> InboundEmail:
    """Try a quarantined (or spam) mail again, e.g. after a fix or a "not spam" verdict."""
    with transaction.atomic():
        inbound = InboundEmail.objects.select_for_update().get(pk=inbound.pk)
        if inbound.status not in (Status.QUARANTINED, Status.SPAM):
            return inbound
        with inbound.raw.open("rb") as handle:
            raw = handle.read()
        parsed, parse_error = _parse(raw)
        if parsed is None:
            _quarantine(inbound, parse_error)
            return inbound
        inbound.status, inbound.error = Status.RECEIVED, ""
        _process_guarded(inbound=inbound, parsed=parsed, spam_checked=True)
        return inbound


def inbound_record_oversized(
    *, mailbox: Mailbox, server_uid: str, size: int, uidvalidity: int | None = None
) -> InboundEmail:
    """Mail over the size limit is not downloaded: it is noted and left on the server."""
    marker = f"oversized:{mailbox.pk}:{uidvalidity}:{server_uid}".encode()
    inbound, _ = InboundEmail.objects.get_or_create(
        raw_sha256=raw_digest(marker),
        defaults={
            "mailbox": mailbox,
            "channel": mailbox.protocol,
            "server_uid": server_uid,
            "size": size,
            "status": Status.OVERSIZED,
            "error": f"{size} bytes; the limit is {settings.MAIL_MAX_SIZE}.",
            "processed_at": timezone.now(),
        },
    )
    return inbound


def _parse(raw: bytes) -> tuple[ParsedEmail | None, str]:
    try:
        return parse_email(raw), ""
    except UnparseableEmail as error:
        return None, str(error)


def _record(*, raw, digest, parsed, channel, mailbox, server_uid, stored_names) -> InboundEmail:
    now = timezone.now()
    storage = InboundEmail._meta.get_field("raw").storage
    name = storage.save(f"inbound/{now:%Y/%m}/{digest}.eml", ContentFile(raw))
    stored_names.append(name)
    return InboundEmail.objects.create(
        mailbox=mailbox,
        channel=channel,
        server_uid=server_uid[:255],
        message_id_header=parsed.message_id if parsed else "",
        raw_sha256=digest,
        raw=name,
        size=len(raw),
        from_address=(parsed.from_address if parsed else "")[:320],
        subject=(parsed.subject if parsed else "")[:998],
        received_at=now,
    )


def _quarantine(inbound: InboundEmail, reason: str) -> None:
    inbound.status = Status.QUARANTINED
    inbound.error = reason[:5000]
    inbound.processed_at = timezone.now()
    inbound.save(update_fields=["status", "error", "processed_at"])


def _process_guarded(*, inbound: InboundEmail, parsed: ParsedEmail, spam_checked=False) -> None:
    """Process in a savepoint: a failure undoes only the processing and quarantines the mail,
    which stays recorded, so the poller moves on to the next one."""
    try:
        with atomic_with_files() as stored_names:
            _process(
                inbound=inbound,
                parsed=parsed,
                stored_names=stored_names,
                spam_checked=spam_checked,
            )
    except Exception as error:
        logger.exception("mail %s could not be processed", inbound.pk)
        _quarantine(inbound, f"{type(error).__name__}: {error}")
        return
    inbound.processed_at = timezone.now()
    inbound.save(
        update_fields=["status", "error", "spam_score", "ticket", "message", "processed_at"]
    )


OWN_ADDRESSES_CACHE_KEY = "tickets:mail:own-addresses"


def own_addresses() -> set[str]:
    """The product's own addresses (a mail from one is never answered), cached for a minute:
    every mail asks, and mailboxes change rarely."""
    addresses = cache.get(OWN_ADDRESSES_CACHE_KEY)
    if addresses is None:
        addresses = set(Mailbox.objects.values_list("email_address", flat=True))
        from_address = settings.DEFAULT_FROM_EMAIL.split("<")[-1].strip(">")
        addresses.add(normalize_email_address(from_address))
        cache.set(OWN_ADDRESSES_CACHE_KEY, addresses, 60)
    return addresses


def _process(*, inbound, parsed: ParsedEmail, stored_names, spam_checked: bool) -> None:
    try:
        sender_check(
            email=parsed.from_address,
            ip_address=None,
            channel=Source.EMAIL,
            subject=parsed.subject,
        )
    except SenderBlocked:
        inbound.status = Status.REFUSED
        return
    automatic = automatic_reasons(parsed, own_addresses=own_addresses())
    if not spam_checked and _is_spam(inbound, parsed):
        inbound.status = Status.SPAM
        return
    consultation = _consultation_answered(parsed)
    if consultation is not None:
        _consultation_answer(inbound, parsed, consultation, stored_names)
        return
    ticket = _thread_target(parsed)
    if ticket is not None and automatic:
        # An out-of-office or bounce to our own mail: kept raw, never reopens a ticket.
        inbound.status, inbound.ticket = Status.IGNORED, ticket
        inbound.error = ", ".join(automatic)
        return
    new_text, history = split_quoted_history(parsed.text)
    attachments, refused = _inspected_attachments(parsed)
    details = {"email": True}
    if history:
        details["quoted"] = history
    if refused:
        details["refused_attachments"] = refused
    if ticket is not None and _sender_belongs_to(ticket, parsed.from_address):
        message = services.ticket_reply_from_customer(
            ticket=ticket,
            body=new_text,
            attachments=attachments,
            email_message_id=parsed.message_id,
            details=details,
        )
        inbound.status, inbound.ticket, inbound.message = Status.REPLY, ticket, message
        return
    mailbox = inbound.mailbox
    customer = customer_match_or_create(email=parsed.from_address, name=parsed.from_name)
    new_ticket = services.ticket_create_from_email(
        customer=customer,
        subject=parsed.subject[:200],
        body=new_text,
        department=_department(mailbox),
        category=mailbox.default_category if mailbox else None,
        attachments=attachments,
        email_message_id=parsed.message_id,
        stored_names=stored_names,
        details=details,
    )
    if ticket is not None:
        # A tag or reference to a ticket that is not this sender's: never append to it.
        event_add(
            ticket=new_ticket, author=None, event="linked_from", data={"ticket": ticket.number}
        )
    inbound.status, inbound.ticket = Status.TICKET, new_ticket
    inbound.message = new_ticket.messages.get(kind=Message.Kind.CUSTOMER)
    if not automatic and _auto_response_wanted(mailbox, new_ticket):
        from tickets.tasks import inbound_auto_response_send

        inbound_id = inbound.pk
        transaction.on_commit(lambda: inbound_auto_response_send.delay(inbound_id=inbound_id))


def _is_spam(inbound: InboundEmail, parsed: ParsedEmail) -> bool:
    if spam_flagged_upstream(parsed):
        inbound.spam_score = 1.0
        return True
    score = spam.spam_score(tokens=spam_message_tokens(parsed))
    inbound.spam_score = score
    return spam.is_spam(score)


def spam_message_tokens(parsed: ParsedEmail) -> set[str]:
    return spam.spam_tokens(
        subject=parsed.subject, text=parsed.text, from_address=parsed.from_address
    )


def _department(mailbox: Mailbox | None):
    if mailbox is not None:
        return mailbox.department
    from departments.models import Department

    return Department.objects.filter(is_active=True).order_by("pk").first()


def _sent_by_us(message_ids: list[str]) -> bool:
    return (
        bool(message_ids)
        and OutboundEmail.objects.filter(message_id_header__in=message_ids).exists()
    )


def _thread_target(parsed: ParsedEmail) -> Ticket | None:
    """The ticket a mail refers to: by References / In-Reply-To of mail the product sent, else
    by the [#number] tag in the subject."""
    references = [*parsed.in_reply_to, *parsed.references]
    if references:
        sent = (
            OutboundEmail.objects.filter(message_id_header__in=references, ticket__isnull=False)
            .select_related("ticket")
            .order_by("-created_at")
            .first()
        )
        if sent is not None:
            return sent.ticket
    number = extract_ticket_tag(parsed.subject)
    if number is not None:
        return Ticket.objects.filter(number=number).select_related("customer").first()
    return None


def _sender_belongs_to(ticket: Ticket, address: str) -> bool:
    return ticket.customer.emails.filter(email=normalize_email_address(address)).exists()


def _consultation_answered(parsed: ParsedEmail) -> Consultation | None:
    """An answer from a consulted department: it refers to our consultation mail, or carries the
    tag and comes from that department's consultation address, while the question is open."""
    open_consultations = Consultation.objects.filter(answered_at__isnull=True).select_related(
        "ticket", "department", "question"
    )
    references = [*parsed.in_reply_to, *parsed.references]
    if references:
        found = open_consultations.filter(question__email_message_id__in=references).first()
        if found is not None:
            return found
    number = extract_ticket_tag(parsed.subject)
    if number is not None:
        return open_consultations.filter(
            ticket__number=number,
            department__consultation_email__iexact=parsed.from_address,
        ).first()
    return None


def _consultation_answer(inbound, parsed, consultation: Consultation, stored_names) -> None:
    from tickets.attachments import attachments_save

    ticket = Ticket.objects.select_for_update().get(pk=consultation.ticket_id)
    new_text, history = split_quoted_history(parsed.text)
    attachments, refused = _inspected_attachments(parsed)
    message = Message.objects.create(
        ticket=ticket,
        kind=Message.Kind.CONSULTATION_IN,
        author_name=consultation.department.name,
        body=new_text,
        email_message_id=parsed.message_id,
        event_data={"email": True, "quoted": history, "refused_attachments": refused},
    )
    attachments_save(message=message, inspected=attachments, stored_names=stored_names)
    consultation.answer, consultation.answered_at = message, timezone.now()
    consultation.save(update_fields=["answer", "answered_at"])
    if ticket.status_type == StatusType.CONSULTATION:
        status_set(ticket=ticket, status_type=StatusType.OPEN, author=None)
    ticket.returned_at = timezone.now()  # back at the top of the tech's pool
    ticket.save(update_fields=["returned_at", "updated_at"])
    inbound.status, inbound.ticket, inbound.message = Status.CONSULTATION, ticket, message


def _inspected_attachments(parsed: ParsedEmail) -> tuple[list[InspectedUpload], list[str]]:
    """Attachments pass the same checks as web uploads; refused ones are named, not stored."""
    accepted, refused = [], []
    for index, part in enumerate(parsed.attachments[: settings.ATTACHMENT_MAX_FILES * 2]):
        upload = SimpleUploadedFile(
            part.filename or f"attachment-{index + 1}.bin", part.payload, part.content_type
        )
        try:
            accepted.append(attachment_inspect(upload))
        except ValidationError as error:
            refused.append(" ".join(error.messages))
    return accepted[: settings.ATTACHMENT_MAX_FILES], refused


def _auto_response_wanted(mailbox: Mailbox | None, ticket: Ticket) -> bool:
    if mailbox is not None and mailbox.auto_response != Mailbox.AutoResponse.DEPARTMENT:
        return mailbox.auto_response == Mailbox.AutoResponse.ON
    return ticket.department.auto_response_enabled
