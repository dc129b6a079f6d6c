"""Canned responses: pre-written replies, global or per department, with placeholders."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from responses.placeholders import (
    PLACEHOLDER_PATTERN,
    placeholders_as_text,
    placeholders_unknown,
)


class CannedResponse(models.Model):
    """A reply a tech inserts from the picker. The body is plain text; `{{ name }}`
    placeholders from responses.placeholders are filled when it is inserted."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_responses",
        help_text=_("Empty: a global response, offered in every department."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    usage_count = models.PositiveIntegerField(_("times used"), default=0, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        ordering = ["title"]
        indexes = [
            # The picker: active responses, global (NULL) or of the tech's departments, by title.
            models.Index(
                fields=["department", "title"],
                condition=Q(is_active=True),
                name="responses_active_by_dept",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        unknown = placeholders_unknown(self.body or "")
        if unknown:
            raise ValidationError(
                {
                    "body": ValidationError(
                        _(
                            "Unknown placeholders: %(unknown)s. Only these are filled in: "
                            "%(allowed)s."
                        ),
                        code="unknown_placeholder",
                        params={
                            "unknown": ", ".join(unknown),
                            "allowed": placeholders_as_text(),
                        },
                    )
                }
            )

    @property
    def first_line(self) -> str:
        """What the picker shows under the title: the first line that says something, skipping
        a greeting made of little more than placeholders ("Hello {{ customer_first_name }},")."""
        lines = [line.strip() for line in self.body.splitlines() if line.strip()]
        for line in lines:
            words = PLACEHOLDER_PATTERN.sub("", line).split()
            if len(words) > 2:
                return line
        return lines[0] if lines else ""


class MailTemplate(models.Model):
    """An admin's version of one of the mails the product sends. Without one, the shipped
    default (responses/mail_defaults.py) is used; a department's or a mailbox's version wins
    over the global one for its own mail."""

    class Key(models.TextChoices):
        CONFIRMATION = "confirmation", _("Confirmation of a web request")
        AUTO_RESPONSE = "auto_response", _("Auto-response to a new email")
        REPLY = "reply", _("A tech's reply")
        REPLY_NOTICE = "reply_notice", _("Notice of a reply (customer reads it online)")
        CONSULTATION = "consultation", _("Consultation request to another department")
        NOTIFICATION = "notification", _("Notification to a staff member")
        NOTIFICATION_DIGEST = "notification_digest", _("Hourly digest of notifications")
        ESCALATION = "escalation", _("Escalation: a case passed its time limit")
        SLA_WARNING = "sla_warning", _("Warning: a case is at risk of passing its time limit")
        PENDING_REMINDER = "pending_reminder", _("Reminder to a customer we are waiting for")
        MONTHLY_SUMMARY = "monthly_summary", _("Monthly summary of the key numbers to a manager")
        SATISFACTION_SURVEY = "satisfaction_survey", _("Satisfaction survey after a case closes")
        PASSWORD_RESET = "password_reset", _("Password reset link")
        SIGNUP_VERIFICATION = "signup_verification", _("Sign-up: confirming the address")
        SIGNUP_EXISTING = "signup_existing", _("Sign-up with an address that has an account")

    key = models.CharField(_("mail"), max_length=30, choices=Key.choices)
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mail_templates",
        help_text=_("Empty: for every department without its own version."),
    )
    mailbox = models.ForeignKey(
        "departments.Mailbox",
        verbose_name=_("mailbox"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mail_templates",
        help_text=_("Only for auto-responses: this mailbox's own version."),
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("mail template")
        verbose_name_plural = _("mail templates")
        ordering = ["key", "department__name", "mailbox__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(department__isnull=True, mailbox__isnull=True),
                name="responses_mailtemplate_one_global",
            ),
            models.UniqueConstraint(
                fields=["key", "department"],
                condition=models.Q(department__isnull=False, mailbox__isnull=True),
                name="responses_mailtemplate_one_per_department",
            ),
            models.UniqueConstraint(
                fields=["key", "mailbox"],
                condition=models.Q(mailbox__isnull=False),
                name="responses_mailtemplate_one_per_mailbox",
            ),
        ]

    def __str__(self):
        scope = self.mailbox or self.department or _("everyone")
        return f"{self.get_key_display()} · {scope}"

    def clean(self):
        super().clean()
        from responses.mail_placeholders import MAIL_PLACEHOLDERS

        if self.mailbox_id and self.key != self.Key.AUTO_RESPONSE:
            raise ValidationError({"mailbox": _("Only auto-responses can be set per mailbox.")})
        for field in ("subject", "body"):
            unknown = placeholders_unknown(getattr(self, field) or "", allowed=MAIL_PLACEHOLDERS)
            if unknown:
                raise ValidationError(
                    {
                        field: _(
                            "Unknown placeholders: %(unknown)s. Only these are filled in: "
                            "%(known)s."
                        )
                        % {
                            "unknown": ", ".join(unknown),
                            "known": placeholders_as_text(MAIL_PLACEHOLDERS),
                        }
                    }
                )
