"""Mail in and out: every inbound email kept raw, every outbound email sent once, and the
consultations asked of other departments by email."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models.tickets import Ticket


class InboundEmail(models.Model):
    """One email taken in (polled or by webhook), kept raw. The unique hash of the raw bytes and
    the unique content fingerprint (Message-ID, sender and content; see
    tickets/mail/intake_duplicates.py) make a second copy of the same mail impossible to record,
    however it arrives: a re-poll, a killed worker, two overlapping polls, two of our mailboxes.
    A different mail that reuses a Message-ID is recorded, and taken in, like any other."""

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
        SET_ASIDE = "set_aside", _("Set aside (see the reason)")

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
    # Empty for a mail without a Message-ID (recognised by its bytes alone), an unparseable one,
    # and records from before fingerprints (fingerprinted from their raw bytes when needed).
    content_fingerprint = models.CharField(
        _("content fingerprint"), max_length=64, blank=True, editable=False
    )
    raw_sha256 = models.CharField(_("SHA-256 of the raw mail"), max_length=64, unique=True)
    raw = models.FileField(_("raw mail"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    from_address = models.CharField(_("from"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    # Why the mail was quarantined, ignored or set aside, or a note on how it was taken in.
    error = models.TextField(_("reason"), blank=True)
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
    # For the reports: the case's department and owner when the mail joined it, so counting a
    # year's mail per tech and department reads this table's index alone.
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_fingerprint"],
                condition=~Q(content_fingerprint=""),
                name="tickets_inbound_content_unique",
            ),
        ]
        indexes = [
            # The intake asks which records share an arriving mail's Message-ID.
            models.Index(
                fields=["message_id_header"],
                condition=~Q(message_id_header=""),
                name="tickets_inbound_message_id",
            ),
            models.Index(fields=["status", "-received_at"], name="tickets_inbound_status"),
            # POP3 polls ask, per UIDL on the server, whether that mail was taken in already.
            models.Index(fields=["mailbox", "server_uid"], name="tickets_inbound_server_uid"),
            # The reports count the mail taken into tickets in a period.
            models.Index(
                fields=["received_at"],
                include=["department", "owner"],
                condition=Q(status__in=["ticket", "reply", "consultation"]),
                name="tickets_inbound_accepted",
            ),
        ]

    def __str__(self):
        return f"{self.from_address} · {self.subject[:60]}"


class OutboundEmail(models.Model):
    """One mail the product sends: the outbox. A row is written in the same transaction as the
    change that causes the mail (a reply, a new ticket, a consultation, a mail taken in), keyed
    by what it is for, so the mail is never lost to a broker outage and a task delivered twice
    sends it once. It is rendered and sent by tickets.mail.outbox; `to` and `subject` are filled
    in when it is rendered."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        AWAITING_APPROVAL = "approval", _("Waiting for a manager's approval")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        HELD = "held", _("Held back")

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
    # What the mail is about, beside its ticket: the reply or consultation question it carries,
    # or the mail it answers (auto-responses).
    message = models.ForeignKey(
        "tickets.Message",
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbound_emails",
    )
    inbound = models.ForeignKey(
        InboundEmail,
        verbose_name=_("answers"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbound_emails",
    )
    to = models.CharField(_("to"), max_length=998, blank=True)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    message_id_header = models.CharField(_("Message-ID"), max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # When the sweep is to (re)queue it if it is still unsent; empty once sent, held, or given up.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["message_id_header"], name="tickets_outbound_message_id"),
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "failed"]),
                name="tickets_outbound_due",
            ),
            # The hourly limits count what went to one address lately.
            models.Index(fields=["to", "kind", "sent_at"], name="tickets_outbound_recent"),
            # The mails trainees caused that wait for a manager (the approvals queue): a few
            # rows of a table that grows with every mail sent.
            models.Index(
                fields=["id"],
                condition=Q(status="approval"),
                name="tickets_outbound_approval",
            ),
        ]

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
    # For the reports: the case's deadline (resolution due time) when this was sent, and whether
    # it was the case's first consultation ("consulted before / past deadline" count those).
    deadline_when_asked = models.DateTimeField(
        _("ticket deadline when asked"), null=True, blank=True
    )
    first_of_case = models.BooleanField(
        _("first consultation of the case"), default=False, db_default=False
    )
    # Whose numbers it counts in: the case's department and owner when this was sent.
    case_department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("case's department when asked"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    case_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("case's owner when asked"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

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
        indexes = [
            models.Index(
                fields=["asked_at"],
                include=["ticket", "deadline_when_asked", "case_department", "case_owner"],
                condition=Q(first_of_case=True),
                name="tickets_consultation_first",
            ),
        ]

    def __str__(self):
        return f"{self.ticket} → {self.department}"
