"""Departments: the pools of work, and which techs work and manage each."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    """A theme-specific pool of work. Departments that only answer consultations have an
    address and no techs."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    consultation_email = models.EmailField(
        _("consultation email address"),
        blank=True,
        help_text=_("Where other departments send cases referred for consultation."),
    )
    response_time_limit = models.DurationField(
        _("response time limit"),
        default=timedelta(hours=8),
        validators=[MinValueValidator(timedelta(minutes=1))],
        help_text=_("The SLA: time allowed for an answer, e.g. 4:00:00 for four hours."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A tech's place in a department: how strongly "get next" draws from this pool for them,
    and whether they manage the department."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tech"),
        on_delete=models.CASCADE,
        related_name="memberships",
        limit_choices_to={"kind": "staff"},
    )
    retrieval_priority = models.PositiveSmallIntegerField(
        _("retrieval priority"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Relative weight of this department when the tech asks for the next case."),
    )
    is_manager = models.BooleanField(_("manager"), default=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["department__name", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department"], name="departments_membership_unique"
            ),
        ]

    def __str__(self):
        role = _("manager") if self.is_manager else _("tech")
        return f"{self.user} · {self.department} ({role})"
