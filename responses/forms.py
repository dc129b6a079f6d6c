from django import forms


class PickerSearchForm(forms.Form):
    """The picker's search box. Like every text field, it refuses a NUL byte (PostgreSQL cannot
    compare text holding one); the selector trims the length."""

    q = forms.CharField(required=False)


def posted_caret(data) -> int | None:
    """Where the cursor stood in the reply box (the page's script sends it with an insert),
    None when unknown or not a small non-negative number: the response is then appended."""
    value = data.get("caret", "")
    if value.isascii() and value.isdigit() and len(value) <= 7:
        return int(value)
    return None
