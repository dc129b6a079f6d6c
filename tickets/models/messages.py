"""A ticket's thread: its messages and their attachments."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.models.tickets import Ticket


class Activity(models.TextChoices):
    """What happened, for the people who follow a ticket: the manager's "new activity" feed and
    the techs' notifications read the thread's own rows that carry one of these (there is no
    second log). A message or event line of the thread gets its activity when it is written."""

    TICKET_CREATED = "ticket_created", _("New ticket")
    CUSTOMER_MESSAGE = "customer_message", _("Customer reply")
    CONSULTATION_ANSWER = "consultation_answer", _("Consultation answer")
    TRANSFERRED = "transferred", _("Transfer")
    STATUS_CHANGED = "status_changed", _("Status change")
    REPLY_HELD = "reply_held", _("Reply held for approval")
    REPLY_APPROVED = "reply_approved", _("Reply approved")
    REPLY_REJECTED = "reply_rejected", _("Reply rejected")
    MENTIONED = "mentioned", _("Mention in a note")
    SLA_AT_RISK = "sla_at_risk", _("Case at risk of missing its time limit")
    SLA_ESCALATED = "sla_escalated", _("Escalation: a time limit passed")
    POOR_RATING = "poor_rating", _("Poor satisfaction rating")
    CALL_BACK_DUE = "call_back_due", _("Call-back reminder")


# Thread events (event_data["event"]) that are activity, and which.
ACTIVITY_OF_EVENT = {
    "transferred": Activity.TRANSFERRED,
    "handed_over": Activity.TRANSFERRED,
    "taken_back": Activity.TRANSFERRED,
    "status_changed": Activity.STATUS_CHANGED,
    "reply_approved": Activity.REPLY_APPROVED,
    "reply_rejected": Activity.REPLY_REJECTED,
    "sla_warning": Activity.SLA_AT_RISK,
    "sla_escalated": Activity.SLA_ESCALATED,
    # A customer's rating scoring below SATISFACTION_POOR_BELOW, the first time in a case
    # (tickets/satisfaction.py); other ratings are plain event lines.
    "satisfaction_rated_poor": Activity.POOR_RATING,
    # A call-back reminder a tech set when logging a call, at its time (tickets/calls.py).
    "call_back_due": Activity.CALL_BACK_DUE,
}


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
    # A mail's HTML as sanitised at intake (tickets/mail/html_sanitizing.py), shown in a
    # sandboxed frame; `body` stays its plain text, the fallback and what search reads.
    body_html = models.TextField(_("HTML message"), blank=True, default="", db_default="")
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
    # What the row means to the people following the ticket (empty: nothing to report), and
    # the ticket's department when it was written, so the feed of a department is one index.
    activity = models.CharField(
        _("activity"), max_length=30, choices=Activity.choices, blank=True, default=""
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A manager's rejection of a trainee's held reply: the text stays in the thread as an
    # internal note, with the reason the trainee reads.
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rejected by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rejected_at = models.DateTimeField(_("rejected"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    # Outgoing mail: the Message-ID it was sent with (for threading) and when it went out.
    # As long as a Message-ID may be (RFC 5322: a 998-character line), like InboundEmail's.
    email_message_id = models.CharField(_("email Message-ID"), max_length=998, blank=True)
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
            # A department's activity, newest first (the feed, "new since you last looked").
            models.Index(
                fields=["department", "-id"],
                condition=~Q(activity=""),
                name="tickets_activity",
            ),
            # The feed filtered by kind: a rare kind is found without walking the department's
            # whole history.
            models.Index(
                fields=["department", "activity", "-id"],
                condition=~Q(activity=""),
                name="tickets_activity_kind",
            ),
            # Every held reply, oldest first (the approvals queue; few rows, joined to their
            # tickets' current departments).
            models.Index(
                fields=["id"],
                condition=Q(awaiting_approval=True),
                name="tickets_held_replies",
            ),
            # Does this ticket hold a reply for approval (the desk's queue rows ask it of each
            # row of a page): one probe of a tiny index instead of a walk of the thread.
            models.Index(
                fields=["ticket"],
                condition=Q(awaiting_approval=True),
                name="tickets_held_by_ticket",
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
    # A mail's part: its Content-ID (without angle brackets, as a "cid:" URL names it), and
    # whether its HTML body shows it in place (then it is not listed with the files).
    content_id = models.CharField(
        _("Content-ID"), max_length=998, blank=True, default="", db_default=""
    )
    is_inline = models.BooleanField(_("shown in the message"), default=False, db_default=False)
    # Named or typed as an image but not a whole, valid one: kept as a plain download.
    failed_image_check = models.BooleanField(
        _("failed the image check"), default=False, db_default=False
    )
    thumbnail = models.FileField(_("thumbnail"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self):
        return self.original_name
