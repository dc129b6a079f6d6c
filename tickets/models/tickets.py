"""Tickets themselves: their statuses, priorities and sources, and the number counter."""

import secrets
from datetime import timedelta

from django.conf import settings
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
    # The SLA clocks (tickets/sla/clocks.py keeps them; business time on the department's
    # calendar). due_at is the nearest deadline of a running clock (NULL while the case waits
    # for the customer or is closed); risk_at the instant it has a fifth of its limit left.
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    risk_at = models.DateTimeField(_("at risk from"), null=True, blank=True)
    response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    response_limit = models.DurationField(_("response time limit"), null=True, blank=True)
    resolution_limit = models.DurationField(_("resolution time limit"), null=True, blank=True)
    # Business time each clock has used up to sla_mark_at (the last transition); a running
    # clock keeps counting from the mark.
    response_used = models.DurationField(_("response time used"), default=timedelta(0))
    resolution_used = models.DurationField(_("resolution time used"), default=timedelta(0))
    sla_mark_at = models.DateTimeField(_("clocks last updated"), null=True, blank=True)
    resolution_started_at = models.DateTimeField(
        _("resolution clock started"), null=True, blank=True
    )
    # Which SLA mails went out (tickets/sla/clocks.py Alert flags) and when the next one is due.
    sla_alerts = models.PositiveSmallIntegerField(_("SLA mails sent"), default=0)
    sla_alert_at = models.DateTimeField(_("next SLA mail due"), null=True, blank=True)
    # Waiting for the customer: since when, the reminder, and when the next step is due.
    pending_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    pending_reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    pending_action_at = models.DateTimeField(_("next waiting step due"), null=True, blank=True)
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
                condition=Q(due_at__isnull=False),
                name="tickets_due",
            ),
            # The SLA sweeps (tickets/sla/): the next warning or escalation mail, the next
            # pending reminder or auto-close. Only cases with one due are in these indexes, so
            # a sweep that finds nothing reads one index page.
            models.Index(
                fields=["sla_alert_at"],
                condition=Q(sla_alert_at__isnull=False),
                name="tickets_sla_alert",
            ),
            models.Index(
                fields=["pending_action_at"],
                condition=Q(pending_action_at__isnull=False),
                name="tickets_pending_action",
            ),
            # The manager board (tickets/board.py), one capped count per department: its
            # open / pending / consultation tickets, its oldest open one, and its cases by due
            # time (overdue: due before now; at risk: risk_at passed, due_at not yet).
            models.Index(
                fields=["department", "status_type"],
                condition=~Q(status_type="closed"),
                name="tickets_department_active",
            ),
            models.Index(
                fields=["department", "created_at", "id"],
                condition=Q(status_type__in=["new", "open"]),
                name="tickets_department_oldest",
            ),
            models.Index(
                fields=["department", "due_at"],
                condition=Q(due_at__isnull=False),
                name="tickets_department_due",
            ),
            models.Index(
                fields=["department", "risk_at"],
                include=["due_at"],
                condition=Q(due_at__isnull=False),
                name="tickets_department_risk",
            ),
            # A tech's pool and overdue count within one department, read from the index alone.
            models.Index(
                fields=["assignee", "department", "status_type", "due_at"],
                condition=Q(assignee__isnull=False) & ~Q(status_type="closed"),
                name="tickets_tech_department",
            ),
            # The reports: cases opened in a period by channel and category, and first response
            # times of cases first answered in a period, read from the index alone.
            models.Index(
                fields=["created_at"],
                include=["department", "assignee", "source", "category"],
                name="tickets_created",
            ),
            models.Index(
                fields=["first_response_at"],
                include=["department", "assignee", "response_used"],
                condition=Q(first_response_at__isnull=False),
                name="tickets_first_response",
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
        """A running SLA clock passed (due_at is only set while one runs)."""
        return self.due_at is not None and self.due_at <= timezone.now()

    @property
    def is_at_risk(self) -> bool:
        """Under a fifth of a running clock's limit left, not yet overdue."""
        now = timezone.now()
        return (
            self.due_at is not None
            and self.risk_at is not None
            and self.risk_at <= now < self.due_at
        )


class TicketNumberCounter(models.Model):
    """Ticket numbers on databases without sequences (the SQLite quickstart). PostgreSQL uses
    the sequence tickets_ticket_number_seq instead; see tickets/numbering.py."""

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("ticket number counter")

    def __str__(self):
        return str(self.value)
