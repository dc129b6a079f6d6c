"""Forms of the manager area."""

from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from helpdesk.form_styling import StyledFormMixin
from tickets.activity_feed import FeedFilters
from tickets.models import Activity
from tickets.queues import id_from_query


class ActivityFilterForm(StyledFormMixin, forms.Form):
    """The feed's filters, read from the query string. A value that does not validate (a
    department the person does not supervise, a kind that is not one, a mangled cursor) is not
    applied, and the page says so; the others still are."""

    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("All my departments"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Every kind")), *Activity.choices], required=False
    )
    before = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments

    def clean_before(self):
        value = self.cleaned_data["before"]
        if not value:
            return None
        before = id_from_query(value)
        if before is None:
            raise forms.ValidationError(_("That page link is not valid."))
        return before

    def filters(self) -> FeedFilters:
        data = self._valid_part()
        return FeedFilters(
            department_id=getattr(data.get("department"), "pk", None), kind=data.get("kind", "")
        )

    def cursor(self) -> int | None:
        """The id the page starts below (None: the newest page)."""
        return self._valid_part().get("before")

    def _valid_part(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()  # cleaned_data then holds exactly the fields that validated
        return self.cleaned_data

    def ignored(self) -> list[str]:
        """The labels of the filters that were given but not understood."""
        if not self.is_bound:
            return []
        self.is_valid()
        return [str(self.fields[name].label or _("Page")) for name in self.errors]
