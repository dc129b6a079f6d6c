"""The reports' daily counts: for each UTC day that has ended, the counting numbers of the day's
rows (reports/definitions.py) per department and owner, so a year is read from a few thousand
rows instead of hundreds of thousands. They are a cache of the rows they count, never the truth:
a database trigger forgets a day's counts in the same transaction as any change to a row of that
day (a late rating, a reopening, a mail released from quarantine), and the report reads the raw
rows of every day that is not counted (reports/daily_counts.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CountedDay(models.Model):
    """A UTC day whose counts are in DailyCount (a day with no rows to count has none there)."""

    day = models.DateField(_("day"), primary_key=True)
    counted_at = models.DateTimeField(_("counted"))

    class Meta:
        verbose_name = _("counted day")
        verbose_name_plural = _("counted days")

    def __str__(self):
        return self.day.isoformat()


class DailyCount(models.Model):
    """One UTC day's counts for one department and owner (none: nobody owned the case). The
    columns are the counting numbers of reports.definitions.METRICS, by key, as the report
    counts them on the raw rows; closings superseded by a later closing are left out (the report
    counts those from their rows, since whether they count depends on when the period ends)."""

    day = models.DateField(_("day"))
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    emails_received = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    closed_on_time = models.IntegerField(default=0)
    closed_on_time_consulted = models.IntegerField(default=0)
    closed_late_consulted = models.IntegerField(default=0)
    closed_late = models.IntegerField(default=0)
    feedback = models.IntegerField(default=0)
    within_sla = models.IntegerField(default=0)
    consulted_before_deadline = models.IntegerField(default=0)
    consulted_past_deadline = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        indexes = [models.Index(fields=["day"], name="reports_dailycount_day")]

    def __str__(self):
        return f"{self.day} · {self.department_id} · {self.owner_id}"
