"""Tickets, their thread of messages and attachments, statuses, and the fraud stop."""

import ipaddress
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_access_token() -> str:
    return secrets.token_urlsafe(32)


class StatusType(models.TextChoices):
    """The fixed behaviour behind every admin-defined status."""

    NEW = "new", _("New")
    OPEN = "open", _("In progress")
    PENDING = "pending", _("Waiting for the customer")
    CONSULTATION = "consultation", _("Under consultation")
    CLOSED = "closed", _("Closed")


# Statuses that keep a ticket on the open lists (pending and consultation have their own queues).
ACTIVE_STATUS_TYPES = (StatusType.NEW, StatusType.OPEN)


class Status(models.Model):
    """An admin-named status. Its type drives behaviour; one status per type is the default
    the product moves tickets into."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    type = models.CharField(_("type"), max_length=20, choices=StatusType.choices)
    is_default = models.BooleanField(
        _("default for its type"),
        default=False,
        help_text=_("Automatic changes move tickets into the default status of a type."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("status")
        verbose_name_plural = _("statuses")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["type"], condition=Q(is_default=True), name="tickets_status_one_default"
            ),
        ]

    def __str__(self):
        return self.name


class Priority(models.IntegerChoices):
    """Higher numbers rank first in every list."""

    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    EMERGENCY = 4, _("Emergency")


class Source(models.TextChoices):
    PUBLIC_FORM = "public_form", _("Public web form")
    MEMBER_AREA = "member_area", _("Member area")
    CUSTOMER_AREA = "customer_area", _("Customer area")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    STAFF = "staff", _("Created by staff")


class AnswerPreference(models.TextChoices):
    ANSWER_BY_EMAIL = "answer_by_email", _("Send me the answer by email")
    CONFIRMATION_BY_EMAIL = (
        "confirmation_by_email",
        _("Email me that there is an answer; I will read it here"),
    )


class Ticket(models.Model):
    number = models.BigIntegerField(_("number"), unique=True, editable=False)
    subject = models.CharField(_("subject"), max_length=200)
    customer = models.ForeignKey(
        "accounts.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    category = models.ForeignKey(
        "departments.Category",
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.MEDIUM
    )
    status = models.ForeignKey(
        Status, verbose_name=_("status"), on_delete=models.PROTECT, related_name="tickets"
    )
    # The status's type, copied here by the services that change status so that the queues
    # ("open, unassigned, in these departments, by priority then age") are served by one
    # partial index on this table instead of a join.
    status_type = models.CharField(
        _("status type"), max_length=20, choices=StatusType.choices, editable=False
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    form = models.ForeignKey(
        "departments.WebForm",
        verbose_name=_("web form"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        help_text=_("Empty: the ticket is in its department's general pool."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entered_tickets",
        help_text=_("The staff member who entered the ticket for the customer."),
    )
    split_from = models.ForeignKey(
        "tickets.Message",
        verbose_name=_("created from message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="split_tickets",
    )
    order_number = models.CharField(_("order number"), max_length=64, blank=True)
    answer_preference = models.CharField(
        _("answer preference"),
        max_length=30,
        choices=AnswerPreference.choices,
        default=AnswerPreference.ANSWER_BY_EMAIL,
    )
    access_token = models.CharField(
        _("secret link token"), max_length=64, unique=True, default=new_access_token, editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(_("confirmation sent"), null=True, blank=True)
    returned_at = models.DateTimeField(
        _("customer wrote back"),
        null=True,
        blank=True,
        help_text=_(
            "Set when the customer writes to a ticket that was waiting for them; the "
            "ticket stays at the top of its owner's pool until they answer."
        ),
    )

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at"]
        indexes = [
            # General pool: open tickets of these departments, unassigned, by priority then age.
            models.Index(
                fields=["department", "-priority", "created_at"],
                condition=Q(assignee__isnull=True, status_type__in=["new", "open"]),
                name="tickets_general_pool",
            ),
            # The pool and all open tickets ranked across departments, keyed on (-priority,
            # created_at, id) so a page cursor is one row comparison the index can seek to:
            # page 1,000 costs what page 1 costs.
            models.Index(
                F("priority") * -1,
                F("created_at"),
                F("id"),
                condition=Q(assignee__isnull=True, status_type__in=["new", "open"]),
                name="tickets_general_pool_rank",
            ),
            models.Index(
                F("priority") * -1,
                F("created_at"),
                F("id"),
                condition=Q(status_type__in=["new", "open"]),
                name="tickets_open_rank",
            ),
            # A tech's pool and their pending / consultation queues, by priority then age.
            models.Index(
                fields=["assignee", "status_type", "-priority", "created_at"],
                condition=Q(assignee__isnull=False),
                name="tickets_tech_pool",
            ),
            models.Index(fields=["customer", "-created_at"], name="tickets_customer"),
            models.Index(
                fields=["due_at"],
                condition=~Q(status_type="closed"),
                name="tickets_due",
            ),
        ]

    def __str__(self):
        return f"[#{self.number}] {self.subject}"

    @property
    def tag(self) -> str:
        return f"[#{self.number}]"

    @property
    def is_closed(self) -> bool:
        return self.status_type == StatusType.CLOSED

    @property
    def is_overdue(self) -> bool:
        return (
            self.due_at is not None
            and not self.is_closed
            and self.first_response_at is None
            and self.due_at < timezone.now()
        )


class TicketNumberCounter(models.Model):
    """Ticket numbers on databases without sequences (the SQLite quickstart). PostgreSQL uses
    the sequence tickets_ticket_number_seq instead; see tickets/numbering.py."""

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("ticket number counter")

    def __str__(self):
        return str(self.value)


class Message(models.Model):
    """One entry of a ticket's thread."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer message")
        REPLY = "reply", _("Public reply")
        NOTE = "note", _("Internal note")
        CONSULTATION_OUT = "consultation_out", _("Consultation request")
        CONSULTATION_IN = "consultation_in", _("Consultation answer")
        PHONE_CALL = "phone_call", _("Phone call")
        EVENT = "event", _("Event")

    # What a customer may read of their own ticket.
    PUBLIC_KINDS = (Kind.CUSTOMER, Kind.REPLY)

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ticket_messages",
        help_text=_("The staff member or signed-in customer who wrote it."),
    )
    author_customer = models.ForeignKey(
        "accounts.Customer",
        verbose_name=_("customer author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    author_name = models.CharField(_("author name"), max_length=200, blank=True)
    body = models.TextField(_("message"), blank=True)
    event_data = models.JSONField(_("event details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # A trainee's public reply waits for a manager before the customer sees or receives it.
    awaiting_approval = models.BooleanField(_("awaiting approval"), default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Outgoing mail: the Message-ID it was sent with (for threading) and when it went out.
    email_message_id = models.CharField(_("email Message-ID"), max_length=255, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="tickets_thread"),
            # Threading: a mail's In-Reply-To / References are looked up here.
            models.Index(
                fields=["email_message_id"],
                condition=~Q(email_message_id=""),
                name="tickets_message_email_id",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.ticket_id}"

    @property
    def is_public(self) -> bool:
        return self.kind in self.PUBLIC_KINDS and not self.awaiting_approval


def customer_visible_q(prefix: str = "") -> Q:
    """Messages a customer may read: public kinds that are not waiting for approval."""
    return Q(**{f"{prefix}kind__in": Message.PUBLIC_KINDS, f"{prefix}awaiting_approval": False})


class Attachment(models.Model):
    """A file on a message, stored under a random name through Django's storage API."""

    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    is_image = models.BooleanField(_("image"), default=False)
    thumbnail = models.FileField(_("thumbnail"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self):
        return self.original_name


class BlockedSender(models.Model):
    """Fraud stop: an email address, a whole domain or an IP address (or network) that may not
    open tickets."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email address")
        DOMAIN = "domain", _("Domain")
        IP = "ip", _("IP address or network")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.CharField(
        _("value"),
        max_length=254,
        help_text=_("e.g. spammer@example.com, example.com, 203.0.113.7 or 203.0.113.0/24"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("blocked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("blocked sender")
        verbose_name_plural = _("blocked senders")
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="tickets_blockedsender_unique"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"

    def clean(self):
        super().clean()
        value = self.value.strip().lower()
        if self.kind == self.Kind.EMAIL:
            try:
                validate_email(value)
            except ValidationError:
                raise ValidationError({"value": _("Enter a valid email address.")}) from None
        elif self.kind == self.Kind.DOMAIN:
            value = value.lstrip("@")
            if "." not in value or "@" in value or " " in value:
                raise ValidationError({"value": _("Enter a domain such as example.com.")})
        elif self.kind == self.Kind.IP:
            try:
                value = str(ipaddress.ip_network(value, strict=False))
            except ValueError:
                raise ValidationError(
                    {"value": _("Enter an IP address or a network such as 203.0.113.0/24.")}
                ) from None
        self.value = value


class RefusedAttempt(models.Model):
    """A ticket a blocked sender tried to open: recorded, never created."""

    email = models.CharField(_("email address"), max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Source.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    blocked_by = models.ForeignKey(
        BlockedSender,
        verbose_name=_("matched block"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="refused_attempts",
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("refused attempt")
        verbose_name_plural = _("refused attempts")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.email or self.ip_address} · {self.at:%Y-%m-%d %H:%M}"


class InboundEmail(models.Model):
    """One email taken in (polled or by webhook), kept raw. The unique Message-ID and the unique
    hash of the raw bytes make a second copy of the same mail impossible to record, however it
    arrives: a re-poll, a killed worker, two overlapping polls."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        TICKET = "ticket", _("Opened a ticket")
        REPLY = "reply", _("Joined a ticket")
        CONSULTATION = "consultation", _("Consultation answer")
        SPAM = "spam", _("Spam")
        QUARANTINED = "quarantined", _("Quarantined")
        OVERSIZED = "oversized", _("Too large, left on the server")
        IGNORED = "ignored", _("Ignored (automatic mail to an existing ticket)")
        REFUSED = "refused", _("Refused (blocked sender)")

    class Channel(models.TextChoices):
        IMAP = "imap", "IMAP"
        POP3 = "pop3", "POP3"
        WEBHOOK = "webhook", _("Inbound webhook")

    mailbox = models.ForeignKey(
        "departments.Mailbox",
        verbose_name=_("mailbox"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_emails",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    server_uid = models.CharField(_("server id"), max_length=255, blank=True)
    message_id_header = models.CharField(_("Message-ID"), max_length=998, blank=True)
    raw_sha256 = models.CharField(_("SHA-256 of the raw mail"), max_length=64, unique=True)
    raw = models.FileField(_("raw mail"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    from_address = models.CharField(_("from"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    error = models.TextField(_("error"), blank=True)
    spam_score = models.FloatField(_("spam score"), null=True, blank=True)
    # The verdict the spam filter last learned from this mail, so a correction unlearns it.
    spam_learned_as = models.CharField(
        _("learned as"),
        max_length=4,
        blank=True,
        choices=[("spam", _("spam")), ("ham", _("good mail"))],
    )
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_emails",
    )
    message = models.OneToOneField(
        "tickets.Message",
        verbose_name=_("message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_email",
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["message_id_header"],
                condition=~Q(message_id_header=""),
                name="tickets_inboundemail_message_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-received_at"], name="tickets_inbound_status"),
            # POP3 polls ask, per UIDL on the server, whether that mail was taken in already.
            models.Index(fields=["mailbox", "server_uid"], name="tickets_inbound_server_uid"),
        ]

    def __str__(self):
        return f"{self.from_address} · {self.subject[:60]}"


class OutboundEmail(models.Model):
    """One mail the product sends, keyed so that a task delivered twice sends it once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=40)
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbound_emails",
    )
    to = models.CharField(_("to"), max_length=998)
    subject = models.CharField(_("subject"), max_length=998)
    message_id_header = models.CharField(_("Message-ID"), max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["message_id_header"], name="tickets_outbound_message_id")]

    def __str__(self):
        return f"{self.kind} → {self.to}"


class Consultation(models.Model):
    """A case referred to another department by email, and that department's answer."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="consultations"
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("consulted department"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    question = models.OneToOneField(
        "tickets.Message", verbose_name=_("question"), on_delete=models.CASCADE, related_name="+"
    )
    answer = models.OneToOneField(
        "tickets.Message",
        verbose_name=_("answer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    asked_at = models.DateTimeField(_("asked"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    due_at_when_asked = models.DateTimeField(_("ticket due when asked"), null=True, blank=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-asked_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(answered_at__isnull=True),
                name="tickets_consultation_one_open",
            ),
        ]

    def __str__(self):
        return f"{self.ticket} → {self.department}"


class SpamToken(models.Model):
    """How often a word was seen in spam and in good mail: the spam filter's memory."""

    token = models.CharField(_("token"), max_length=64, primary_key=True)
    spam_count = models.PositiveIntegerField(_("in spam"), default=0)
    ham_count = models.PositiveIntegerField(_("in good mail"), default=0)

    class Meta:
        verbose_name = _("spam filter token")
        verbose_name_plural = _("spam filter tokens")

    def __str__(self):
        return self.token


class SpamCorpus(models.Model):
    """How many spam and good mails the filter has learned from (a single row)."""

    spam_messages = models.PositiveIntegerField(_("spam mails learned"), default=0)
    ham_messages = models.PositiveIntegerField(_("good mails learned"), default=0)

    class Meta:
        verbose_name = _("spam filter corpus")
        verbose_name_plural = _("spam filter corpus")

    def __str__(self):
        return f"{self.spam_messages} spam / {self.ham_messages} good"
