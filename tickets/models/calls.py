"""A phone call a tech logged on a ticket: the thread row (Message of kind PHONE_CALL, whose
body is what was agreed) and its particulars, with the optional call-back reminder."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.models.messages import Message


class PhoneCall(models.Model):
    class Direction(models.TextChoices):
        INCOMING = "incoming", _("Incoming")
        OUTGOING = "outgoing", _("Outgoing")

    message = models.OneToOneField(
        Message,
        verbose_name=_("thread entry"),
        on_delete=models.CASCADE,
        related_name="phone_call",
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    reached = models.BooleanField(_("reached the customer"))
    duration_minutes = models.PositiveIntegerField(_("duration in minutes"))
    # The call-back reminder: the tech who set it is told at this time, once (reminded_at).
    callback_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    callback_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reminder for"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)

    class Meta:
        verbose_name = _("phone call")
        verbose_name_plural = _("phone calls")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__lte=24 * 60), name="tickets_phone_call_duration"
            ),
        ]
        indexes = [
            # The reminder sweep: only reminders still to fire are in it.
            models.Index(
                fields=["callback_at"],
                condition=Q(callback_at__isnull=False, reminded_at__isnull=True),
                name="tickets_call_back_due",
            ),
        ]

    def __str__(self):
        return f"{self.get_direction_display()} · {self.message_id}"
