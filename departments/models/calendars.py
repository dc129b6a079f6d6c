"""Business-hours calendars (opening hours, holidays) and the time limits a department sets
per priority: what the SLA clocks count in (departments/business_time.py does the arithmetic)."""

from datetime import time, timedelta
from zoneinfo import ZoneInfo, available_timezones

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


class PriorityLimit(models.Model):
    """Shorter limits for the cases of one priority in a department."""

    department = models.ForeignKey(
        "departments.Department",
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
