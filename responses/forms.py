from django import forms


class PickerSearchForm(forms.Form):
    """The picker's search box. Like every text field, it refuses a NUL byte (PostgreSQL cannot
    compare text holding one); the selector trims the length."""

    q = forms.CharField(required=False)
