"""The desk's customer search box."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.customer_search import MAX_QUERY_LENGTH


class CustomerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search customers"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        help_text=_("Name, email address, phone, company, order number or notes."),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "class": "form-control",
                "aria-describedby": "id_q_help",
            }
        ),
    )

    def query(self) -> str:
        """The query to search for; empty while the form is unbound or invalid."""
        if not self.is_bound or not self.is_valid():
            return ""
        return self.cleaned_data["q"]
