"""Who signs in: staff and customer accounts (User), and how an email address is compared."""

import zoneinfo

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def normalize_email_address(email: str) -> str:
    """Email addresses are compared without regard to case, so they are stored lower-cased."""
    return (email or "").strip().lower()


def validate_time_zone(value: str) -> None:
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email=normalize_email_address(username))

    def _create(self, email, password, **fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalize_email_address(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields["is_superuser"] = True
        fields.setdefault("kind", User.Kind.STAFF)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Staff are techs (some also trainees or managers); admins are
    superusers; customers sign in to follow their own tickets."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        STAFF = "staff", _("Staff")

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CUSTOMER)
    replies_need_approval = models.BooleanField(
        _("trainee: replies need approval"),
        default=False,
        help_text=_("Public replies by this tech wait for a manager's approval."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Times are shown in this zone. Empty: the helpdesk's default."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    reply_as_note_by_default = models.BooleanField(
        _("write internal notes by default"),
        default=False,
        help_text=_("The reply box starts as an internal note instead of a public reply."),
    )
    signature_text = models.TextField(_("email signature"), blank=True)
    # Written only by accounts.preferences, which stores the re-encoded JPEG under a random name;
    # not editable so no model form can store an upload as it came.
    signature_image = models.ImageField(
        _("signature image"), upload_to="signatures/", blank=True, editable=False
    )

    # Managers and admins: last month's key numbers by mail on the first of each month
    # (reports/monthly_summary.py).
    monthly_summary = models.BooleanField(
        _("monthly summary by email"),
        default=False,
        db_default=False,
        help_text=_(
            "Managers and admins: on the first day of each month, last month's key numbers "
            "for their departments, with the change from the month before."
        ),
    )

    # The manager's watermark in the "new activity" feed: rows up to this id were seen.
    activity_seen_up_to = models.BigIntegerField(_("activity seen up to"), default=0)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = normalize_email_address(self.email)
        if self.replies_need_approval and self.kind != self.Kind.STAFF:
            raise ValidationError(
                {"replies_need_approval": _("Only staff members can be trainees.")}
            )

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    # Only administrators use the Django admin; a manager supervises through /manage/.
    @property
    def is_staff(self):
        return self.is_superuser

    @property
    def is_admin(self) -> bool:
        return self.is_superuser

    @property
    def is_tech(self) -> bool:
        return self.kind == self.Kind.STAFF

    @property
    def is_trainee(self) -> bool:
        return self.is_tech and self.replies_need_approval

    @property
    def is_customer(self) -> bool:
        return self.kind == self.Kind.CUSTOMER
