"""Deciding what each mail of a batch is, before anything is written.

A batch of mail is looked up a query per kind of fact, not per mail (records by hash, content
fingerprint and Message-ID, senders' customer records, tickets named by tag or reference, the
spam filter's counts), and each mail then gets a Plan: duplicate, quarantine, refused, spam,
ignored, consultation answer, set aside, reply or new ticket. The decisions are the ones taking
the mails in one at a time, in order, would make: a second copy within the batch is a duplicate
of the first, and a consultation is answered once.

Only a copy of the same mail is a duplicate (intake_duplicates.py). A different mail that
reuses the Message-ID of one taken in before is taken in like any other mail: it joins a ticket
by its tag or references, or opens one, never the other mail's ticket because of the shared id;
its record and its message in the thread note the reuse. It is not set aside: the usual cause is
a person resending an edited mail or a broken mail program, and a support team would rather see
the mail in its queue than have it wait, unseen, for an admin.

A mail from one of the product's own addresses that refers to no ticket (a loop, a forwarding
rule pointing back at us, a forged sender) is set aside: recorded with a reason an admin reads
in the admin, no ticket; an admin may process it again to take it in. Consultation answers come
from other departments' consultation addresses and are recognised before this rule."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.utils.translation import gettext, ngettext

from accounts.customers import customers_by_emails
from accounts.models import Customer, normalize_email_address
from departments.models import Department, Mailbox
from tickets.attachments import (
    IMAGE_CHECK_CODES,
    InspectedUpload,
    attachment_inspect,
    attachment_kept_as_download,
)
from tickets.fraud import blocked_senders, sender_block_current, sender_block_matching
from tickets.mail import spam
from tickets.mail.automatic import AutomaticReason, automatic_reasons, spam_flagged_upstream
from tickets.mail.html_sanitizing import remote_image_count
from tickets.mail.intake_duplicates import (
    content_fingerprint,
    records_by_fingerprint,
    records_to_compare,
)
from tickets.mail.parsing import ParsedEmail, UnparseableEmail, extract_ticket_tag, parse_email
from tickets.mail.quoting import split_quoted_history
from tickets.models import Consultation, InboundEmail, Message, OutboundEmail, Ticket

Status = InboundEmail.Status


@dataclass
class Arrival:
    """One mail as it arrived, parsed (or not). `inbound` is its record when a recorded mail is
    taken in again (reprocessing after quarantine or a "not spam" verdict)."""

    raw: bytes
    server_uid: str = ""
    inbound: InboundEmail | None = None
    digest: str = field(init=False)
    parsed: ParsedEmail | None = field(init=False)
    parse_error: str = field(init=False, default="")
    fingerprint: str = field(init=False, default="")
    spam_tokens: set[str] = field(init=False, default_factory=set)

    def __post_init__(self):
        self.digest = raw_digest(self.raw)
        try:
            self.parsed = parse_email(self.raw)
        except UnparseableEmail as error:
            self.parsed, self.parse_error = None, str(error)
        else:
            self.fingerprint = content_fingerprint(self.parsed)

    @property
    def message_id(self) -> str:
        return self.parsed.message_id if self.parsed else ""

    @property
    def references(self) -> list[str]:
        return [*self.parsed.in_reply_to, *self.parsed.references] if self.parsed else []


def raw_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class TicketRef:
    pk: int
    number: int
    customer_id: int


@dataclass
class Plan:
    """What one mail is and what taking it in writes. `status` is the InboundEmail status it
    ends in; a duplicate has none and names the record (or the earlier plan) it repeats."""

    arrival: Arrival
    status: str = ""
    duplicate_of: InboundEmail | Plan | None = None
    error: str = ""
    spam_score: float | None = None
    block_id: int | None = None
    ticket: TicketRef | None = None  # the ticket the mail joins, or names without joining
    consultation: Consultation | None = None
    customer: Customer | None = None  # a new ticket's customer; None: a new one
    body: str = ""
    details: dict = field(default_factory=dict)
    attachments: list[InspectedUpload] = field(default_factory=list)
    auto_response: bool = False
    # Set when written:
    message: Message | None = None
    inbound: InboundEmail | None = None

    @property
    def parsed(self) -> ParsedEmail:
        return self.arrival.parsed


@dataclass
class IntakeLookups:
    """The facts a batch of mail is decided on, each looked up once for the whole batch."""

    mailbox: Mailbox | None
    department: Department | None
    recorded_by_digest: dict[str, InboundEmail]
    recorded_by_fingerprint: dict[str, InboundEmail]
    message_ids_seen: set[str]  # the batch's Message-IDs some other record has already
    blocks: list[tuple[int, str, str]]
    own_addresses: set[str]
    spam_corpus: tuple[int, int]
    spam_counts: dict[str, tuple[int, int]]
    open_consultations: list[Consultation]  # those the batch's references or tags name
    sent: dict[str, tuple[datetime, int]]  # our Message-ID -> (sent at, ticket id)
    tickets_by_id: dict[int, TicketRef]
    tickets_by_number: dict[int, TicketRef]
    customers: dict[str, Customer]  # by normalised address

    @classmethod
    def load(
        cls,
        arrivals: list[Arrival],
        *,
        mailbox: Mailbox | None,
        own_addresses: set[str],
        spam_checked: bool,
    ) -> IntakeLookups:
        mails = [a.parsed for a in arrivals if a.parsed is not None]
        recorded = records_to_compare(arrivals)
        corpus = spam.spam_corpus_size() if not spam_checked else (0, 0)
        scored = min(corpus) >= spam.MIN_LEARNED_PER_KIND
        if scored:
            for arrival in arrivals:
                if arrival.parsed is not None:
                    arrival.spam_tokens = spam_message_tokens(arrival.parsed)
        references = {ref for a in arrivals for ref in a.references}
        sent = {
            message_id: (created_at, ticket_id)
            for message_id, created_at, ticket_id in OutboundEmail.objects.filter(
                message_id_header__in=references, ticket__isnull=False
            ).values_list("message_id_header", "created_at", "ticket_id")
        }
        numbers = {n for m in mails if (n := extract_ticket_tag(m.subject)) is not None}
        ticket_ids = {ticket_id for _, ticket_id in sent.values()}
        tickets = [
            TicketRef(*row)
            for row in Ticket.objects.filter(Q(pk__in=ticket_ids) | Q(number__in=numbers))
            .values_list("pk", "number", "customer_id")
            .order_by()
        ]
        return cls(
            mailbox=mailbox,
            department=_department(mailbox),
            recorded_by_digest={r.raw_sha256: r for r in recorded},
            recorded_by_fingerprint=records_by_fingerprint(recorded, arrivals),
            message_ids_seen={r.message_id_header for r in recorded if r.message_id_header},
            blocks=blocked_senders(),
            own_addresses=own_addresses,
            spam_corpus=corpus,
            spam_counts=(
                spam.spam_token_counts({t for a in arrivals for t in a.spam_tokens})
                if scored
                else {}
            ),
            open_consultations=list(
                Consultation.objects.filter(answered_at__isnull=True)
                .filter(
                    Q(question__email_message_id__in=references) | Q(ticket__number__in=numbers)
                )
                .select_related("ticket", "department", "question")
                .order_by("pk")
            ),
            sent=sent,
            tickets_by_id={t.pk: t for t in tickets},
            tickets_by_number={t.number: t for t in tickets},
            customers=customers_by_emails(emails=[m.from_address for m in mails]),
        )


def spam_message_tokens(parsed: ParsedEmail) -> set[str]:
    return spam.spam_tokens(
        subject=parsed.subject, text=parsed.text, from_address=parsed.from_address
    )


def plans_make(
    arrivals: list[Arrival], lookups: IntakeLookups, *, spam_checked: bool = False
) -> list[Plan]:
    """A plan for each mail, in order, as if each were taken in after the ones before it."""
    plans: list[Plan] = []
    by_digest: dict[str, Plan] = {}
    by_fingerprint: dict[str, Plan] = {}
    message_ids_seen = set(lookups.message_ids_seen)
    answered: set[int] = set()  # consultations answered by an earlier mail of the batch
    for arrival in arrivals:
        plan = Plan(arrival=arrival)
        plans.append(plan)
        if arrival.inbound is None:
            plan.duplicate_of = _copy_of(arrival, lookups, by_digest, by_fingerprint)
            if plan.duplicate_of is not None:
                continue
            by_digest[arrival.digest] = plan
            if arrival.fingerprint:
                by_fingerprint[arrival.fingerprint] = plan
        if arrival.parsed is None:
            plan.status, plan.error = Status.QUARANTINED, arrival.parse_error
            continue
        try:
            _decide(plan, lookups, spam_checked=spam_checked, answered=answered)
        except Exception as error:  # one mail's surprise never stops the others
            plan.status, plan.error = Status.QUARANTINED, f"{type(error).__name__}: {error}"
        if arrival.message_id in message_ids_seen:
            _note_reused_message_id(plan)
        elif arrival.message_id:
            message_ids_seen.add(arrival.message_id)
    return plans


def _copy_of(
    arrival: Arrival,
    lookups: IntakeLookups,
    by_digest: dict[str, Plan],
    by_fingerprint: dict[str, Plan],
) -> InboundEmail | Plan | None:
    """The record, or the earlier mail of the batch, this mail is a copy of: the same bytes, or
    the same Message-ID, sender and content (its fingerprint)."""
    digest, fingerprint = arrival.digest, arrival.fingerprint
    copy = lookups.recorded_by_digest.get(digest) or by_digest.get(digest)
    if copy is None and fingerprint:
        copy = lookups.recorded_by_fingerprint.get(fingerprint) or by_fingerprint.get(fingerprint)
    return copy


def _note_reused_message_id(plan: Plan) -> None:
    """The record, and the thread (staff only), say the mail shares its Message-ID with an
    earlier, different mail: whoever compares the two knows they are not one mail."""
    note = gettext("Reuses the Message-ID of an earlier, different mail; taken in on its own.")
    plan.error = f"{plan.error}; {note}" if plan.error else note
    if plan.details:
        plan.details["reused_message_id"] = True


def _decide(plan: Plan, lookups: IntakeLookups, *, spam_checked: bool, answered: set) -> None:
    parsed = plan.parsed
    block_id = sender_block_matching(email=parsed.from_address, blocks=lookups.blocks)
    if block_id is not None and sender_block_current(block_id) is not None:
        plan.status, plan.block_id = Status.REFUSED, block_id
        return
    automatic = automatic_reasons(parsed, own_addresses=lookups.own_addresses)
    if not spam_checked and _is_spam(plan, lookups):
        plan.status = Status.SPAM
        return
    if lookups.open_consultations:
        consultation = consultation_answered(parsed, lookups.open_consultations)
        if consultation is not None and consultation.pk not in answered:
            answered.add(consultation.pk)
            plan.status, plan.consultation = Status.CONSULTATION, consultation
            plan.body, history = split_quoted_history(parsed.text)
            plan.attachments, refused = inspected_attachments(parsed)
            plan.details = {"email": True, "quoted": history, "refused_attachments": refused}
            _remote_images_note(plan.details, parsed)
            return
    plan.ticket = _thread_target(plan.arrival, lookups)
    if plan.ticket is not None and automatic:
        # An out-of-office or bounce to our own mail: kept raw, never reopens a ticket.
        plan.status, plan.error = Status.IGNORED, ", ".join(automatic)
        return
    # An admin processing a set-aside mail again has looked at it and wants it taken in.
    released = plan.arrival.inbound is not None and plan.arrival.inbound.status == Status.SET_ASIDE
    if AutomaticReason.OWN_ADDRESS in automatic and not released:
        plan.status = Status.SET_ASIDE
        plan.error = gettext(
            "Sent from the helpdesk's own address %(address)s and refers to no ticket: a mail"
            " loop or a forged sender. No ticket was opened; process it again to open one."
        ) % {"address": parsed.from_address}
        return
    plan.body, history = split_quoted_history(parsed.text)
    plan.attachments, refused = inspected_attachments(parsed)
    plan.details = {"email": True}
    if history:
        plan.details["quoted"] = history
    if refused:
        plan.details["refused_attachments"] = refused
    _remote_images_note(plan.details, parsed)
    customer = lookups.customers.get(normalize_email_address(parsed.from_address))
    if plan.ticket is not None and customer is not None and customer.pk == plan.ticket.customer_id:
        plan.status = Status.REPLY
        return
    # A tag or reference to a ticket that is not this sender's never appends to it: a new
    # ticket, linked to the one it named.
    plan.status, plan.customer = Status.TICKET, customer
    plan.auto_response = not automatic and _auto_response_wanted(lookups)


def _is_spam(plan: Plan, lookups: IntakeLookups) -> bool:
    if spam_flagged_upstream(plan.parsed):
        plan.spam_score = 1.0
        return True
    plan.spam_score = spam.spam_score(
        tokens=plan.arrival.spam_tokens, counts=lookups.spam_counts, corpus=lookups.spam_corpus
    )
    return spam.is_spam(plan.spam_score)


def _thread_target(arrival: Arrival, lookups: IntakeLookups) -> TicketRef | None:
    """The ticket a mail refers to: by References / In-Reply-To of mail the product sent (the
    latest sent, when several), else by the [#number] tag in the subject."""
    sent = [lookups.sent[ref] for ref in arrival.references if ref in lookups.sent]
    if sent:
        _, ticket_id = max(sent)
        if ticket_id in lookups.tickets_by_id:
            return lookups.tickets_by_id[ticket_id]
    number = extract_ticket_tag(arrival.parsed.subject)
    return lookups.tickets_by_number.get(number) if number is not None else None


def consultation_answered(
    parsed: ParsedEmail, open_consultations: list[Consultation]
) -> Consultation | None:
    """An answer from a consulted department: it refers to our consultation mail, or carries the
    tag and comes from that department's consultation address, while the question is open."""
    references = {*parsed.in_reply_to, *parsed.references}
    for consultation in open_consultations:
        if consultation.question.email_message_id in references:
            return consultation
    number = extract_ticket_tag(parsed.subject)
    sender = parsed.from_address.lower()
    for consultation in open_consultations:
        if (
            consultation.ticket.number == number
            and consultation.department.consultation_email.lower() == sender
        ):
            return consultation
    return None


def _remote_images_note(details: dict, parsed: ParsedEmail) -> None:
    """How many remote images the mail's HTML holds back: the page offers to show them."""
    count = remote_image_count(parsed.html) if parsed.html else 0
    if count:
        details["remote_images"] = count


def inspected_attachments(parsed: ParsedEmail) -> tuple[list[InspectedUpload], list[str]]:
    """Attachments pass the same checks as web uploads; refused ones are named, not stored."""
    accepted, refused = [], []
    html = parsed.html.lower() if parsed.html else ""
    for index, part in enumerate(parsed.attachments[: settings.ATTACHMENT_MAX_FILES * 2]):
        upload = SimpleUploadedFile(
            part.filename or f"attachment-{index + 1}.bin", part.payload, part.content_type
        )
        try:
            inspected = attachment_inspect(upload)
        except ValidationError as error:
            if getattr(error, "code", None) not in IMAGE_CHECK_CODES:
                refused.append(" ".join(error.messages))
                continue
            inspected = attachment_kept_as_download(upload)
        cited = bool(part.content_id) and f'src="cid:{part.content_id.lower()}"' in html
        accepted.append(
            replace(
                inspected,
                content_id=part.content_id,
                is_inline=cited and inspected.is_image,
            )
        )
    limit = settings.ATTACHMENT_MAX_FILES
    left_out = max(0, len(accepted) - limit) + max(0, len(parsed.attachments) - limit * 2)
    if left_out:
        # Named, so a tech knows to open the original mail for them.
        refused.append(
            ngettext(
                "%(count)d more file was not kept: a message keeps at most %(limit)d.",
                "%(count)d more files were not kept: a message keeps at most %(limit)d.",
                left_out,
            )
            % {"count": left_out, "limit": limit}
        )
    return accepted[:limit], refused


def _department(mailbox: Mailbox | None) -> Department | None:
    if mailbox is not None:
        return mailbox.department
    return Department.objects.filter(is_active=True).order_by("pk").first()


def _auto_response_wanted(lookups: IntakeLookups) -> bool:
    mailbox = lookups.mailbox
    if mailbox is not None and mailbox.auto_response != Mailbox.AutoResponse.DEPARTMENT:
        return mailbox.auto_response == Mailbox.AutoResponse.ON
    return lookups.department is not None and lookups.department.auto_response_enabled
