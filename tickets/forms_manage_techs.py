"""Forms of the tech detail page: the period of sign-ins shown, and a retrieval priority."""

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.sign_in_sessions import PERIOD_MAX_DAYS, Period, period_default
from departments.memberships import RETRIEVAL_PRIORITY_MAX
from departments.models import Department
from helpdesk.form_styling import StyledFormMixin

# Dates outside these are typing mistakes; they also keep day arithmetic clear of date.max.
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2999, 12, 31)


class SignInPeriodForm(StyledFormMixin, forms.Form):
    """GET `from` and `to`: whole days in the viewer's time zone. Missing: the last week."""

    def __init__(self, query, *, zone=None):
        self.zone = zone or timezone.get_current_timezone()
        default = period_default(zone=self.zone)
        data = {
            "from": query.get("from") or default.first_day.isoformat(),
            "to": query.get("to") or default.last_day.isoformat(),
        }
        super().__init__(data)
        # "from" is a Python keyword, so the fields are made here rather than declared.
        self.fields["from"] = self._day_field(_("From"))
        self.fields["to"] = self._day_field(_("To"))
        # Give the fields added after StyledFormMixin ran their classes too.
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")

    @staticmethod
    def _day_field(label):
        return forms.DateField(
            label=label,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("from"), cleaned.get("to")
        for name, day in (("from", first), ("to", last)):
            if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
                self.add_error(name, _("Choose a date between 1970 and 2999."))
                return cleaned
        if first is None or last is None:
            return cleaned
        if first > last:
            raise forms.ValidationError(_("The first day comes after the last day."))
        if (last - first).days + 1 > PERIOD_MAX_DAYS:
            raise forms.ValidationError(
                _("Choose at most %(days)d days.") % {"days": PERIOD_MAX_DAYS}
            )
        return cleaned

    @property
    def period(self) -> Period:
        """The period asked for; only once the form is valid."""
        return Period(
            first_day=self.cleaned_data["from"],
            last_day=self.cleaned_data["to"],
            zone=self.zone,
        )


class RetrievalPriorityForm(forms.Form):
    """One membership's retrieval priority, for a department the manager manages."""

    department = forms.ModelChoiceField(
        queryset=Department.objects.none(),
        error_messages={
            "invalid_choice": _(
                "You can change retrieval priorities only in departments you manage."
            )
        },
    )
    retrieval_priority = forms.IntegerField(
        label=_("Retrieval priority"),
        min_value=1,
        max_value=RETRIEVAL_PRIORITY_MAX,
        error_messages={"invalid": _("Enter a whole number.")},
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
