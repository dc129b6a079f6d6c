"""Departments: the pools of work, which techs work and manage each, categories, web forms and
mailboxes."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from departments.models.calendars import BusinessCalendar


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
    resolution_time_limit = models.DurationField(
        _("resolution time limit"),
        null=True,
        blank=True,
        validators=[MinValueValidator(timedelta(minutes=1))],
        help_text=_("Time allowed to solve a case. Empty: the same as the response limit."),
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("business-hours calendar"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="departments",
        help_text=_("The hours the limits count. Empty: around the clock (24/7)."),
    )
    sla_warning_enabled = models.BooleanField(
        _("warn when a case is at risk"),
        default=False,
        db_default=False,  # code that predates the column still inserts departments
        help_text=_(
            "Mail the managers and the owner when a case has less than a fifth of its time "
            "limit left, before the escalation mail."
        ),
    )
    pending_reminder_days = models.PositiveSmallIntegerField(
        _("remind a waiting customer after (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "A case waiting for the customer this many days sends them the pending reminder, "
            "once. Empty: no reminder."
        ),
    )
    pending_autoclose_days = models.PositiveSmallIntegerField(
        _("close a waiting case after (more days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Days after the reminder (or after the case started waiting, without reminders) "
            "with no answer from the customer, when the case closes itself. Empty: never."
        ),
    )
    clocks_stale_since = models.DateTimeField(
        _("time limits changed at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Set when the calendar or a limit changes; the SLA sweep then recomputes the due "
            "times of the department's open cases and clears it."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    auto_response_enabled = models.BooleanField(
        _("send auto-responses"),
        default=True,
        help_text=_("Acknowledge new tickets that arrive by email (mailboxes may override)."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    # The values the SLA clocks of its cases depend on (tickets/sla/): a save that changes one
    # marks the department's clocks stale (departments/sla_changes.py).
    SLA_FIELDS = (
        "response_time_limit",
        "resolution_time_limit",
        "calendar_id",
        "sla_warning_enabled",
        "pending_reminder_days",
        "pending_autoclose_days",
    )

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        from departments.sla_changes import departments_clocks_stale

        loaded = getattr(self, "_sla_loaded", None)
        super().save(*args, **kwargs)
        if loaded is not None and loaded != self.sla_values():
            departments_clocks_stale(department_ids=[self.pk])
        self._sla_loaded = self.sla_values()

    @classmethod
    def from_db(cls, db, field_names, values):
        department = super().from_db(db, field_names, values)
        department._sla_loaded = department.sla_values()
        return department

    def sla_values(self) -> tuple:
        return tuple(self.__dict__.get(name) for name in self.SLA_FIELDS)

    def clean(self):
        super().clean()
        if (
            self.resolution_time_limit is not None
            and self.response_time_limit is not None
            and self.resolution_time_limit < self.response_time_limit
        ):
            raise ValidationError(
                {
                    "resolution_time_limit": _(
                        "The resolution limit cannot be shorter than the response limit."
                    )
                }
            )

    @property
    def resolution_limit(self) -> timedelta:
        """The resolution time limit in force (empty means the response limit)."""
        return self.resolution_time_limit or self.response_time_limit


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


class Category(models.Model):
    """What the customer picks in a form; it routes the ticket to a department."""

    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="categories",
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Lower comes first in forms.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="departments_category_name_unique"),
        ]

    def __str__(self):
        return self.name


# /support/<these>/ are pages of the help centre itself.
RESERVED_FORM_SLUGS = {"submitted", "t"}


class WebForm(models.Model):
    """An admin-defined web form with its own URL, audience and routing defaults."""

    class Audience(models.TextChoices):
        PUBLIC = "public", _("Public: anyone")
        MEMBER = "member", _("Member area: signed-in customers")
        CUSTOMER_AREA = "customer_area", _("Customer area: inside “My tickets”")

    slug = models.SlugField(
        _("slug"), max_length=100, unique=True, help_text=_("The form lives at /support/<slug>/.")
    )
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.PUBLIC
    )
    default_department = models.ForeignKey(
        Department,
        verbose_name=_("default department"),
        on_delete=models.PROTECT,
        related_name="web_forms",
        help_text=_("Used when the customer picks no category."),
    )
    default_tech = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("default tech"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="default_for_forms",
        limit_choices_to={"kind": "staff"},
        help_text=_(
            "Tickets from this form go to this tech unless the customer has an account manager."
        ),
    )
    categories = models.ManyToManyField(
        Category,
        verbose_name=_("categories offered"),
        blank=True,
        help_text=_("Empty: every active category."),
    )
    show_order_number = models.BooleanField(_("ask for an order number"), default=False)
    show_answer_preference = models.BooleanField(
        _("ask how the customer wants the answer"), default=False
    )
    allow_emergency = models.BooleanField(
        _("anonymous visitors may pick “Emergency”"),
        default=False,
        help_text=_(
            "Signed-in customers may always pick it. Off: a visitor who is not signed in can "
            "choose up to “High”."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")
        ordering = ["position", "title"]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.slug in RESERVED_FORM_SLUGS:
            raise ValidationError({"slug": _("This address is taken by the help centre.")})

    @property
    def requires_sign_in(self) -> bool:
        return self.audience != self.Audience.PUBLIC

    def offers_emergency(self, *, signed_in: bool) -> bool:
        """Whether "Emergency" is a priority the person filling the form may pick: always for
        a signed-in customer, for an anonymous visitor only when the form allows it."""
        return signed_in or self.allow_emergency


class Mailbox(models.Model):
    """A supervised mailbox (IMAP or POP3) whose mail becomes tickets of its department."""

    class Protocol(models.TextChoices):
        IMAP = "imap", "IMAP"
        POP3 = "pop3", "POP3"

    class Security(models.TextChoices):
        TLS = "tls", _("TLS from the start (IMAPS 993, POP3S 995)")
        STARTTLS = "starttls", _("STARTTLS (IMAP 143, POP3 110)")
        PLAIN = "plain", _("No encryption (only on a trusted network)")

    class AutoResponse(models.TextChoices):
        DEPARTMENT = "department", _("As the department says")
        ON = "on", _("Always for new tickets")
        OFF = "off", _("Never")

    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="mailboxes"
    )
    email_address = models.EmailField(
        _("email address"), unique=True, help_text=_("The address customers write to.")
    )
    protocol = models.CharField(
        _("protocol"), max_length=8, choices=Protocol.choices, default=Protocol.IMAP
    )
    host = models.CharField(_("server"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("security"), max_length=10, choices=Security.choices, default=Security.TLS
    )
    verify_certificate = models.BooleanField(
        _("verify the server's certificate"),
        default=True,
        help_text=_("Turn off only for a server with a self-signed certificate you trust."),
    )
    username = models.CharField(_("user name"), max_length=255)
    password_encrypted = models.TextField(_("password (encrypted)"), blank=True, editable=False)
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    default_category = models.ForeignKey(
        Category,
        verbose_name=_("default category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    default_tech = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("default tech"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="default_for_mailboxes",
        limit_choices_to={"kind": "staff"},
        help_text=_(
            "New mail goes to this tech unless the customer has an account manager; "
            "without one, to the department's general pool."
        ),
    )
    auto_response = models.CharField(
        _("auto-response"),
        max_length=12,
        choices=AutoResponse.choices,
        default=AutoResponse.DEPARTMENT,
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Where polling resumes: IMAP's UIDVALIDITY and the last UID taken in.
    imap_uidvalidity = models.BigIntegerField(_("IMAP UIDVALIDITY"), null=True, blank=True)
    imap_last_uid = models.BigIntegerField(_("last IMAP UID"), default=0)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} <{self.email_address}>"

    def clean(self):
        super().clean()
        self.email_address = (self.email_address or "").strip().lower()
