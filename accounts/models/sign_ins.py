"""The sign-in history: every sign-in, sign-out and failed or refused sign-in."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LoginEvent(models.Model):
    """One sign-in, sign-out, failed sign-in or sign-in refused by the throttle: what managers
    read as a tech's exact login and logout times. A sign-out row points at the sign-in it ends;
    a session that simply expired gets a SESSION_EXPIRED row dated at the last activity seen in
    it."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", _("Signed in")
        SIGN_OUT = "sign_out", _("Signed out")
        SESSION_EXPIRED = "session_expired", _("Signed out (session expired)")
        SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
        SIGN_IN_THROTTLED = "sign_in_throttled", _("Sign-in refused: too many failures")

    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="login_events",
    )
    email = models.CharField(
        _("email given"), max_length=254, blank=True, help_text=_("As typed in the sign-in form.")
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=512, blank=True)
    session_key = models.CharField(_("session"), max_length=40, blank=True)
    last_activity_at = models.DateTimeField(
        _("last activity"), null=True, blank=True, help_text=_("Kept on sign-in rows.")
    )
    sign_in = models.OneToOneField(
        "self",
        verbose_name=_("ends sign-in"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ending",
    )

    class Meta:
        verbose_name = _("sign-in event")
        verbose_name_plural = _("sign-in events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["user", "-at"], name="accounts_loginevent_user_at"),
            models.Index(
                fields=["last_activity_at"],
                condition=Q(kind="sign_in"),
                name="accounts_loginevent_sign_ins",
            ),
            # Failed sign-ins typed with an address no account had (yet): a tech's page lists
            # those of their address beside their own.
            models.Index(
                fields=["email", "at"],
                condition=Q(user__isnull=True),
                name="accounts_loginevent_no_account",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.user or self.email} · {self.at:%Y-%m-%d %H:%M}"
