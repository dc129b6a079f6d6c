"""Techs away: their absences, and the tickets an absence handed to someone else."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Absence(models.Model):
    """A tech away from a moment to a moment (stored in UTC, entered in the recorder's zone).

    A beat task carries out the start (the tech's open pool goes to the substitute where they
    may own it, else to the department's general pool: tickets/handover.py) and the end; while
    absent, routing, get-next, transfers and reopened tickets pass the tech over. Recording is
    accounts/absences.py, which holds the rules (no overlap, who may stand in)."""

    tech = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tech"),
        on_delete=models.CASCADE,
        related_name="absences",
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("substitute"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="substitutions",
        help_text=_("Takes the open tickets; without one they go to the general pool."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    # Set by the beat when the start and the end were carried out.
    started_at = models.DateTimeField(_("start carried out"), null=True, blank=True)
    ended_at = models.DateTimeField(_("end carried out"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="accounts_absence_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(substitute=models.F("tech")),
                name="accounts_absence_substitute_not_tech",
            ),
        ]
        indexes = [
            models.Index(fields=["tech", "ends_at"], name="accounts_absence_tech"),
            # What the beat looks for each minute: starts not yet carried out, ends not yet.
            models.Index(
                fields=["starts_at"],
                condition=Q(started_at__isnull=True, cancelled_at__isnull=True),
                name="accounts_absence_to_start",
            ),
            models.Index(
                fields=["ends_at"],
                condition=Q(started_at__isnull=False, ended_at__isnull=True),
                name="accounts_absence_to_end",
            ),
        ]

    def __str__(self):
        return f"{self.tech} · {self.starts_at:%Y-%m-%d %H:%M} – {self.ends_at:%Y-%m-%d %H:%M}"

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_current(self) -> bool:
        now = timezone.now()
        return (
            self.cancelled_at is None
            and self.ended_at is None
            and self.starts_at <= now < self.ends_at
        )

    @property
    def is_upcoming(self) -> bool:
        return (
            self.cancelled_at is None
            and self.started_at is None
            and self.starts_at > timezone.now()
        )


class HandOver(models.Model):
    """A ticket an absence moved away from the tech (at the start, or when the customer wrote
    back during it): what the returning tech is offered to take back."""

    absence = models.ForeignKey(
        Absence, verbose_name=_("absence"), on_delete=models.CASCADE, related_name="hand_overs"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the department's general pool."),
    )
    handed_at = models.DateTimeField(_("handed over"), default=timezone.now)
    taken_back_at = models.DateTimeField(_("taken back"), null=True, blank=True)

    class Meta:
        verbose_name = _("handed-over ticket")
        verbose_name_plural = _("handed-over tickets")
        constraints = [
            models.UniqueConstraint(
                fields=["absence", "ticket"], name="accounts_handover_once_per_absence"
            ),
        ]

    def __str__(self):
        return f"{self.absence} · {self.ticket_id}"
