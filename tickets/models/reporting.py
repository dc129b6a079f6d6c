"""What the reports count that the rest of the product does not keep: each closing of a case
as it was at that moment, and the customers' satisfaction ratings with the marks they pick from.

A closing is written by the one place that changes a status (tickets/events.py status_set), in
the transaction of the change, so the reports never miss one and never count one twice."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models.tickets import Ticket


class Closure(models.Model):
    """One closing of a case: who owned it, its department, its deadline and first response due
    time, the business time its clocks used, and whether it had been consulted, as they were
    when it closed. A reopening stamps `reopened_at`; the next closing of the same case stamps
    `superseded_at` here, so "the cases closed in a period" is one range on `closed_at` without
    counting a case twice. `feedback_at` is the customer's first rating or message after it."""

    class Reason(models.TextChoices):
        CLOSED = "closed", _("Closed")
        AUTO_CLOSED = "auto_closed", _("Closed automatically after waiting for the customer")
        SPAM = "spam", _("Closed as spam")

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="closures"
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        on_delete=models.CASCADE,
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
    reason = models.CharField(
        _("reason"), max_length=12, choices=Reason.choices, default=Reason.CLOSED
    )
    closed_at = models.DateTimeField(_("closed"))
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    response_used = models.DurationField(_("business time to first response"), null=True)
    resolution_used = models.DurationField(_("business time to resolution"), null=True)
    consulted = models.BooleanField(_("consulted"), default=False)
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("closed again"), null=True, blank=True)
    feedback_at = models.DateTimeField(_("customer feedback"), null=True, blank=True)

    class Meta:
        verbose_name = _("closing")
        verbose_name_plural = _("closings")
        ordering = ["-closed_at"]
        indexes = [
            models.Index(fields=["closed_at"], name="tickets_closure_closed"),
            models.Index(fields=["department", "closed_at"], name="tickets_closure_department"),
            models.Index(fields=["owner", "closed_at"], name="tickets_closure_owner"),
            models.Index(
                fields=["reopened_at"],
                condition=Q(reopened_at__isnull=False),
                name="tickets_closure_reopened",
            ),
            models.Index(fields=["ticket", "-closed_at"], name="tickets_closure_ticket"),
            # Closings since superseded by a later one: the few a report adds to its daily
            # counts (reports/daily_counts.py).
            models.Index(
                fields=["closed_at"],
                condition=Q(superseded_at__isnull=False),
                name="tickets_closure_superseded",
            ),
        ]

    def __str__(self):
        return f"{self.ticket_id} · {self.closed_at:%Y-%m-%d %H:%M}"

    @property
    def on_time(self) -> bool:
        return self.deadline is None or self.closed_at <= self.deadline


class SatisfactionMark(models.Model):
    """One answer a customer may give to "how did we do?" (admin-defined)."""

    label = models.CharField(_("label"), max_length=100)
    score = models.SmallIntegerField(
        _("score"),
        validators=[MinValueValidator(-100), MaxValueValidator(100)],
        help_text=_(
            "Higher is better. A mark scoring below the poor-mark threshold notifies the "
            "department's managers."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive marks are no longer offered.")
    )

    class Meta:
        verbose_name = _("satisfaction mark")
        verbose_name_plural = _("satisfaction marks")
        ordering = ["position", "-score", "id"]

    def __str__(self):
        return self.label


class SatisfactionRating(models.Model):
    """A customer's rating of their case: one per case, changed rather than duplicated."""

    ticket = models.OneToOneField(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="rating"
    )
    mark = models.ForeignKey(
        SatisfactionMark, verbose_name=_("mark"), on_delete=models.PROTECT, related_name="+"
    )
    # Copied when rated, so a later edit of the mark does not rewrite what the customer said.
    score = models.SmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True, max_length=4000)
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        on_delete=models.CASCADE,
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
    rated_at = models.DateTimeField(_("rated"), default=timezone.now)
    changed_at = models.DateTimeField(_("last changed"), default=timezone.now)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        ordering = ["-rated_at"]
        indexes = [
            models.Index(fields=["rated_at"], name="tickets_rating_rated"),
            models.Index(fields=["department", "rated_at"], name="tickets_rating_department"),
        ]

    def __str__(self):
        return f"{self.ticket_id} · {self.mark_id}"
