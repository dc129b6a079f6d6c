"""The sign-in history report's period: a named one (this week, last month…) or any dates."""

from functools import cached_property

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.period_presets import PRESETS, THIS_WEEK, period_preset
from tickets.forms_manage_techs import SignInPeriodForm

DEFAULT_PRESET = THIS_WEEK


class SignInReportPeriodForm(SignInPeriodForm):
    """GET `period`, a name from PRESETS, or `from` and `to` (whole days in the viewer's zone,
    at most PERIOD_MAX_DAYS of them). A name wins over dates; nothing at all means this week.
    The date fields always show the days the period covers."""

    def __init__(self, query, *, zone=None, now=None):
        zone = zone or timezone.get_current_timezone()
        name = query.get("period", "")
        if not name and not (query.get("from") or query.get("to")):
            name = DEFAULT_PRESET
        self.preset = name if name in PRESETS else ""
        self.preset_unknown = bool(name) and not self.preset
        self._zone, self._now = zone, now
        if self.preset:
            period = period_preset(self.preset, zone=zone, now=now)
            query = {"from": period.first_day.isoformat(), "to": period.last_day.isoformat()}
        super().__init__(query, zone=zone)

    def clean(self):
        if self.preset_unknown:
            raise forms.ValidationError(_("Choose one of the periods offered, or two dates."))
        return super().clean()

    @cached_property
    def active_preset(self) -> str:
        """The named period these days are (dates typed for last week are last week), or ""."""
        if self.preset or not self.is_valid():
            return self.preset
        return next(
            (
                name
                for name in PRESETS
                if period_preset(name, zone=self._zone, now=self._now) == self.period
            ),
            "",
        )

    @property
    def query(self) -> str:
        """The period as a query string, for links that keep it; only once the form is valid."""
        if self.preset:
            return f"period={self.preset}"
        period = self.period
        return f"from={period.first_day.isoformat()}&to={period.last_day.isoformat()}"
