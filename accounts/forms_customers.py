"""The forms staff edit a customer with on the desk (accounts/customer_edits.py has the rules)."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.customer_edits import PROFILE_FIELDS
from accounts.models import Customer, User
from helpdesk.form_styling import StyledFormMixin


class CustomerProfileForm(StyledFormMixin, forms.Form):
    """Each field carries the value the editor saw (a hidden input), so only the fields they
    changed are written: two people editing different fields at once both keep their change."""

    name = forms.CharField(
        label=_("Name"), max_length=Customer._meta.get_field("name").max_length, strip=True
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=Customer._meta.get_field("phone").max_length, required=False
    )
    company = forms.CharField(
        label=_("Company"),
        max_length=Customer._meta.get_field("company").max_length,
        required=False,
    )
    account_manager = forms.ModelChoiceField(
        label=_("Account manager"),
        queryset=User.objects.filter(kind=User.Kind.STAFF, is_active=True).order_by("full_name"),
        required=False,
        empty_label=_("None"),
        help_text=_("New tickets from this customer go straight to this tech."),
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}), required=False, strip=False
    )

    def __init__(self, *args, customer: Customer, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "name": customer.name,
                "phone": customer.phone,
                "company": customer.company,
                "account_manager": customer.account_manager_id,
                "notes": customer.notes,
            },
        )
        super().__init__(*args, **kwargs)
        # A manager deactivated since stays selectable as the current value, so the form still
        # saves other fields; choosing them anew is refused (accounts/customer_edits.py).
        managers = self.fields["account_manager"]
        managers.queryset = User.objects.filter(
            Q(kind=User.Kind.STAFF, is_active=True) | Q(pk=customer.account_manager_id)
        ).order_by("full_name")
        for field in self.fields.values():
            field.show_hidden_initial = True
        self.fields["account_manager"].label_from_instance = lambda user: (
            user.full_name or user.email
        )

    def changes(self) -> dict:
        """The fields the editor changed, with their new values."""
        return {
            name: self.cleaned_data[name] for name in PROFILE_FIELDS if name in self.changed_data
        }


class CustomerEmailForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("New address"),
        error_messages={
            "required": _("Write the address to add."),
            "invalid": _("That is not an email address."),
        },
    )


class AddressChoiceForm(forms.Form):
    """Which of the customer's addresses a button acts on (remove, make primary)."""

    address = forms.IntegerField(min_value=1)


class MergePickForm(StyledFormMixin, forms.Form):
    other = forms.CharField(
        label=_("The other customer"),
        max_length=254,
        help_text=_("Their number (as in the address of their page) or one of their addresses."),
        error_messages={"required": _("Say which customer to merge into this one.")},
    )
