"""Departments: the pools of work, and which techs work and manage each."""

from datetime import time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from departments.business_time import day_intervals_problem, time_offsets
from tickets.models.tickets import Priority


def validate_time_zone(value):
    if value not in available_timezones():
        raise ValidationError(_("“%(zone)s” is not a known time zone."), params={"zone": value})
    ZoneInfo(value)


class BusinessCalendar(models.Model):
    """When a department's clocks run: weekly open hours in a time zone, minus holidays. The
    arithmetic lives in departments/business_time.py."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("The zone the opening hours are in, e.g. Europe/Kyiv."),
    )
    always_open = models.BooleanField(
        _("always open (24/7)"),
        default=False,
        help_text=_("Every hour counts; the weekly hours and holidays are ignored."),
    )

    class Meta:
        verbose_name = _("business-hours calendar")
        verbose_name_plural = _("business-hours calendars")
        ordering = ["name"]

    def __str__(self):
        return self.name


class BusinessHours(models.Model):
    """One open interval of a weekday, in the calendar's zone. A day may have several."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendar"),
        on_delete=models.CASCADE,
        related_name="hours",
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(
        _("closes"), help_text=_("00:00 (or 24:00) means midnight at the end of the day.")
    )

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]

    def __str__(self):
        closes = "24:00" if self.closes == time(0) else f"{self.closes:%H:%M}"
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{closes}"

    def clean(self):
        super().clean()
        if self.opens is None or self.closes is None:
            return
        if self.opens.second or self.closes.second or self.opens.microsecond:
            raise ValidationError(_("Use whole minutes."))
        if day_intervals_problem([time_offsets(self.opens, self.closes)]):
            raise ValidationError({"closes": _("Closing time must come after opening time.")})


class Holiday(models.Model):
    """A closed day of a calendar: one date, or the same date every year."""

    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendar"),
        on_delete=models.CASCADE,
        related_name="holidays",
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100)
    yearly = models.BooleanField(
        _("every year"), default=False, help_text=_("Closed on this day and month every year.")
    )

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "date"], name="departments_holiday_unique_date"
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"


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

    def __str__(self):
        return self.name

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


class PriorityLimit(models.Model):
    """Shorter limits for the cases of one priority in a department."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="priority_limits",
    )
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    response_time_limit = models.DurationField(
        _("response time limit"), validators=[MinValueValidator(timedelta(minutes=1))]
    )
    resolution_time_limit = models.DurationField(
        _("resolution time limit"),
        null=True,
        blank=True,
        validators=[MinValueValidator(timedelta(minutes=1))],
        help_text=_("Empty: the same as this priority's response limit."),
    )

    class Meta:
        verbose_name = _("priority limit")
        verbose_name_plural = _("priority limits")
        ordering = ["department__name", "-priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "priority"], name="departments_priority_limit_unique"
            ),
        ]

    def __str__(self):
        return f"{self.department} · {self.get_priority_display()}"

    @property
    def resolution_limit(self) -> timedelta:
        return self.resolution_time_limit or self.response_time_limit

    def clean(self):
        super().clean()
        response, resolution = self.response_time_limit, self.resolution_time_limit
        if response is None:
            return
        errors = {}
        department = self.department if _has(self, "department") else None
        if department is not None and department.response_time_limit is not None:
            if response > department.response_time_limit:
                errors["response_time_limit"] = _(
                    "A priority's limit must not be longer than the department's (%(limit)s)."
                ) % {"limit": department.response_time_limit}
            elif resolution is not None and resolution > department.resolution_limit:
                errors["resolution_time_limit"] = _(
                    "A priority's limit must not be longer than the department's (%(limit)s)."
                ) % {"limit": department.resolution_limit}
        if resolution is not None and resolution < response and not errors:
            errors["resolution_time_limit"] = _(
                "The resolution limit cannot be shorter than the response limit."
            )
        if errors:
            raise ValidationError(errors)


def _has(instance, relation: str) -> bool:
    """Whether the instance has its related object (an inline form sets an unsaved one)."""
    try:
        return getattr(instance, relation) is not None
    except ObjectDoesNotExist:
        return False


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


class Dictionary(models.Model):
    """An admin-kept list of choices a question offers: partners, products…"""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("dictionary")
        verbose_name_plural = _("dictionaries")
        ordering = ["name"]

    def __str__(self):
        return self.name


class DictionaryEntry(models.Model):
    """One choice of a dictionary. Retired entries stay (old answers name them) but are no
    longer offered."""

    dictionary = models.ForeignKey(
        Dictionary,
        verbose_name=_("dictionary"),
        on_delete=models.CASCADE,
        related_name="entries",
    )
    label = models.CharField(_("label"), max_length=200)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Lower comes first.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("dictionary entry")
        verbose_name_plural = _("dictionary entries")
        ordering = ["position", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["dictionary", "label"], name="departments_dictionary_entry_unique"
            ),
        ]

    def __str__(self):
        return self.label


class Question(models.Model):
    """A question the tech answers about a case, asked of the tickets of its departments and of
    the tickets that came in by its mailboxes: always on closing, and, where set, already at
    the first public reply. A required question unanswered stops the close
    (tickets/questionnaires.py)."""

    class AnswerType(models.TextChoices):
        TEXT = "text", _("Free text")
        YES_NO = "yes_no", _("Yes or no")
        NUMBER = "number", _("Number")
        ONE_CHOICE = "one_choice", _("One choice from a dictionary")
        CHOICES = "choices", _("Several choices from a dictionary")

    CHOICE_TYPES = frozenset({AnswerType.ONE_CHOICE, AnswerType.CHOICES})

    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    answer_type = models.CharField(
        _("answer type"), max_length=12, choices=AnswerType.choices, default=AnswerType.TEXT
    )
    dictionary = models.ForeignKey(
        Dictionary,
        verbose_name=_("dictionary"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
        help_text=_("The choices offered, for the choice answer types only."),
    )
    is_required = models.BooleanField(
        _("required"), default=False, help_text=_("A case cannot be closed without an answer.")
    )
    ask_on_first_response = models.BooleanField(
        _("ask on the first response too"),
        default=False,
        help_text=_("Asked when the tech first replies to the customer, not only on closing."),
    )
    departments = models.ManyToManyField(
        Department,
        verbose_name=_("departments"),
        blank=True,
        related_name="questions",
        help_text=_("Asked of the tickets of these departments."),
    )
    mailboxes = models.ManyToManyField(
        Mailbox,
        verbose_name=_("mailboxes"),
        blank=True,
        related_name="questions",
        help_text=_("Asked of the tickets that came in by these mailboxes."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Lower comes first.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "id"]

    def __str__(self):
        return self.text

    @property
    def takes_choices(self) -> bool:
        return self.answer_type in self.CHOICE_TYPES

    def clean(self):
        super().clean()
        if self.takes_choices and self.dictionary_id is None:
            raise ValidationError({"dictionary": _("A choice question needs a dictionary.")})
        if not self.takes_choices and self.dictionary_id is not None:
            raise ValidationError(
                {"dictionary": _("Only choice questions take a dictionary; leave it empty.")}
            )
