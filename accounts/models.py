"""People: staff and customer accounts, customer records, and the sign-in history."""

import zoneinfo

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
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


class Customer(models.Model):
    """Someone the helpdesk serves. Tickets link here; a registered account is optional."""

    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_customers",
        limit_choices_to={"kind": User.Kind.STAFF},
        help_text=_("New tickets from this customer go straight to this tech."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customer",
        limit_choices_to={"kind": User.Kind.CUSTOMER},
    )
    notes = models.TextField(_("notes"), blank=True)
    survey_opt_out = models.BooleanField(
        _("no satisfaction surveys"),
        default=False,
        db_default=False,
        help_text=_("The customer asked not to be sent satisfaction surveys."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        indexes = [models.Index(Lower("name"), name="accounts_customer_name_ci")]

    def __str__(self):
        return self.name


class CustomerEmail(models.Model):
    """One of a customer's addresses; an address belongs to one customer only."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="emails"
    )
    email = models.EmailField(_("email address"))
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("customer email address")
        verbose_name_plural = _("customer email addresses")
        ordering = ["-is_primary", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_customeremail_ci_unique"),
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_primary=True),
                name="accounts_customeremail_one_primary",
            ),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = normalize_email_address(self.email)


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


class CustomerChange(models.Model):
    """One line of a customer's history: who changed which field of the record, from what to
    what (accounts/customer_edits.py writes them; a merge is one line too). Actors are kept by
    name as well, so a line still reads right after the account is gone."""

    class Field(models.TextChoices):
        NAME = "name", _("Name")
        PHONE = "phone", _("Phone")
        COMPANY = "company", _("Company")
        ACCOUNT_MANAGER = "account_manager", _("Account manager")
        NOTES = "notes", _("Notes")
        EMAIL_ADDED = "email_added", _("Address added")
        EMAIL_REMOVED = "email_removed", _("Address removed")
        PRIMARY_EMAIL = "primary_email", _("Primary address")
        MERGED = "merged", _("Merged")
        ACCOUNT = "account", _("Account")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="changes"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("changed by (name)"), max_length=150, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    field = models.CharField(_("field"), max_length=32, choices=Field.choices)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)

    class Meta:
        verbose_name = _("customer change")
        verbose_name_plural = _("customer changes")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "-at", "-id"], name="accounts_custchange_recent")
        ]

    def __str__(self):
        return f"{self.customer_id} {self.field} {self.at:%Y-%m-%d %H:%M}"
