"""The fraud stop: senders that may not open tickets, and the attempts they made."""

import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models.tickets import Source


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
