"""The desk search's query and filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from helpdesk.form_styling import StyledFormMixin
from tickets.models import Status
from tickets.search import PERIODS, SearchFilters

GENERAL_POOL = "0"


class SearchForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, strip=True)
    status = forms.ModelChoiceField(
        label=_("Status"), queryset=Status.objects.all(), required=False, empty_label=_("Any")
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=None, required=False, empty_label=_("All departments")
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    period = forms.ChoiceField(
        label=_("Opened"),
        required=False,
        choices=[("", _("Any time")), *((key, label) for key, (_days, label) in PERIODS.items())],
    )

    def __init__(self, *args, departments, owners: list[User], viewer: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        people = [viewer, *(owner for owner in owners if owner.pk != viewer.pk)]
        self.fields["owner"].choices = [
            ("", _("Anyone")),
            (GENERAL_POOL, _("General pool")),
            *((str(person.pk), person.full_name or person.email) for person in people),
        ]

    def query_text(self) -> str:
        return (self.data.get("q") or "").strip() if self.is_bound else ""

    def filters(self) -> tuple[SearchFilters, list[str]]:
        """The chosen filters, and the labels of those that did not validate (a department
        since removed, a mangled link): those are left out, the others still apply."""
        if not self.is_bound:
            return SearchFilters(), []
        self.is_valid()
        data = self.cleaned_data
        ignored = [
            str(self.fields[name].label)
            for name in ("status", "department", "owner", "period")
            if name in self.errors
        ]
        owner = data.get("owner") or ""
        return (
            SearchFilters(
                status_id=getattr(data.get("status"), "pk", None),
                department_id=getattr(data.get("department"), "pk", None),
                owner_id=int(owner) if owner else None,
                period=data.get("period") or "",
            ),
            ignored,
        )
