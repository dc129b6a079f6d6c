"""Notifications: a staff member told about one activity row of a ticket's thread, and how each
person wants to be told, per kind of activity.

A notification points at the thread's own row (tickets.models.Message with an activity): the
text is never copied, so what the bell lists is what the ticket shows."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models.mail import OutboundEmail
from tickets.models.messages import Activity, Message


class NotificationReason(models.TextChoices):
    """Why this person hears about the row (the strongest reason, when several apply)."""

    YOUR_TICKET = "your_ticket", _("Your ticket")
    YOUR_DEPARTMENT = "your_department", _("Your department")
    MENTIONED = "mentioned", _("You were mentioned")
    APPROVAL_NEEDED = "approval_needed", _("A held reply for you to approve")
    YOUR_REPLY_DECIDED = "your_reply_decided", _("Your held reply was decided")
    TRANSFERRED_TO_YOU = "transferred_to_you", _("Transferred to you")
    TRANSFERRED_FROM_YOU = "transferred_from_you", _("Transferred away from you")
    YOUR_REMINDER = "your_reminder", _("Your call-back reminder")


class EmailState(models.TextChoices):
    NONE = "none", _("No email")
    IMMEDIATE = "immediate", _("Emailed at once")
    DIGEST = "digest", _("Waiting for the hourly digest")
    EMAILED = "emailed", _("Emailed")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    message = models.ForeignKey(
        Message,
        verbose_name=_("thread entry"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # Copied from the row, so the list filters by kind without a join.
    activity = models.CharField(_("activity"), max_length=30, choices=Activity.choices)
    reason = models.CharField(_("reason"), max_length=30, choices=NotificationReason.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email_state = models.CharField(
        _("email"), max_length=10, choices=EmailState.choices, default=EmailState.NONE
    )
    # The mail that carries it (its own, or the hourly digest it went out in).
    outbound = models.ForeignKey(
        OutboundEmail,
        verbose_name=_("mail"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "message"], name="tickets_notification_once"
            ),
        ]
        indexes = [
            # The bell: someone's unread notifications (a capped count).
            models.Index(
                fields=["recipient", "-id"],
                condition=Q(read_at__isnull=True),
                name="tickets_notification_unread",
            ),
            # The list, newest first, paged by id.
            models.Index(fields=["recipient", "-id"], name="tickets_notification_list"),
            # The hourly digest: notifications waiting for it.
            models.Index(
                fields=["recipient", "id"],
                condition=Q(email_state="digest"),
                name="tickets_notification_digest",
            ),
        ]

    def __str__(self):
        return f"{self.recipient} · {self.get_activity_display()}"


class NotificationPreference(models.Model):
    """How one person wants to hear about one kind of activity. Without a row the defaults of
    tickets.notification_preferences apply."""

    class InApp(models.TextChoices):
        MINE = "mine", _("My tickets only")
        DEPARTMENTS = "departments", _("My tickets and my departments' tickets")

    class Email(models.TextChoices):
        NEVER = "never", _("Never")
        IMMEDIATE = "immediate", _("Immediately")
        DIGEST = "digest", _("Hourly digest")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    activity = models.CharField(_("activity"), max_length=30, choices=Activity.choices)
    in_app = models.CharField(
        _("in the helpdesk"), max_length=12, choices=InApp.choices, default=InApp.MINE
    )
    email = models.CharField(_("email"), max_length=10, choices=Email.choices, default=Email.NEVER)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "activity"], name="tickets_notification_preference_once"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_activity_display()}"
