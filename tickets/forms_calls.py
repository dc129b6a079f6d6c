"""The form a tech logs a phone call with, on the ticket page (tickets/calls.py has the rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import DateTimeLocalInput
from helpdesk.form_styling import StyledFormMixin
from tickets.calls import AGREED_MAX_LENGTH, DURATION_MAX_MINUTES, CallDetails
from tickets.models import PhoneCall

REACHED_CHOICES = [("yes", _("Reached the customer")), ("no", _("Did not reach them"))]


class CallForm(StyledFormMixin, forms.Form):
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=PhoneCall.Direction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the call was incoming or outgoing.")},
    )
    reached = forms.ChoiceField(
        label=_("Outcome"),
        choices=REACHED_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the call reached the customer.")},
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=0,
        max_value=DURATION_MAX_MINUTES,
        initial=0,
        error_messages={
            "required": _("Give the duration in minutes (0 for a call nobody answered)."),
            "min_value": _("The duration cannot be negative."),
        },
    )
    agreed = forms.CharField(
        label=_("What was agreed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=AGREED_MAX_LENGTH,
        required=False,
    )
    callback_at = forms.DateTimeField(
        label=_("Remind me to call back at"),
        widget=DateTimeLocalInput(),
        required=False,
        help_text=_("Optional. You get a notification at that time."),
    )

    def details(self) -> CallDetails:
        data = self.cleaned_data
        return CallDetails(
            direction=data["direction"],
            reached=data["reached"] == "yes",
            duration_minutes=data["duration_minutes"],
            agreed=data["agreed"],
            callback_at=data["callback_at"],
        )


class CustomerCallForm(CallForm):
    """The same form on the customer's page, with the open ticket the call belongs to: only
    tickets the tech may open are offered."""

    field_order = ["ticket", "direction", "reached", "duration_minutes", "agreed", "callback_at"]

    ticket = forms.TypedChoiceField(
        label=_("Ticket"),
        coerce=int,
        error_messages={
            "required": _("Choose the ticket the call is about."),
            "invalid_choice": _("Choose one of the customer's open tickets."),
        },
    )

    def __init__(self, *args, tickets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ticket"].choices = [
            (ticket.number, f"#{ticket.number} — {ticket.subject}") for ticket in tickets
        ]
        self.order_fields(self.field_order)
