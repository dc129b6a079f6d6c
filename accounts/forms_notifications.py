"""The notification section of a staff member's preferences: for each kind of activity, where
they hear of it in the helpdesk and whether by email. Kinds whose recipients are fixed by role
(a held reply, a decided reply, a mention) have no in-app scope to choose: the table says who
hears of them instead, and a posted scope for one is refused."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from helpdesk.form_styling import StyledFormMixin
from tickets.models import Activity, NotificationPreference
from tickets.notification_preferences import (
    FIXED_RECIPIENTS,
    OWN_MAIL,
    Choice,
    has_email_choice,
    has_scope,
    notification_preferences_save,
    preferences_table,
)

SECTION = "notifications"  # the value of the form's "section" field
InApp = NotificationPreference.InApp


def _select() -> forms.Select:
    # Added after the styling mixin ran over the form's declared fields: styled here.
    return forms.Select(attrs={"class": "form-select form-select-sm"})


class NotificationPreferencesForm(StyledFormMixin, forms.Form):
    section = forms.CharField(widget=forms.HiddenInput, initial=SECTION)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        self.table = preferences_table(user)
        super().__init__(*args, **kwargs)
        for activity, label, choice in self.table:
            if has_scope(activity):
                self.fields[f"in_app_{activity}"] = forms.ChoiceField(
                    label=_("%(kind)s: in the helpdesk") % {"kind": label},
                    choices=InApp.choices,
                    initial=choice.in_app,
                    widget=_select(),
                )
            if has_email_choice(activity):
                self.fields[f"email_{activity}"] = forms.ChoiceField(
                    label=_("%(kind)s: by email") % {"kind": label},
                    choices=NotificationPreference.Email.choices,
                    initial=choice.email,
                    widget=_select(),
                )

    def lines(self):
        """(kind's label, its in-app field or None, who hears of it when that is fixed, its
        email field or None, the mail it comes with instead), for the table."""
        return [
            (
                label,
                self[f"in_app_{activity}"] if has_scope(activity) else None,
                FIXED_RECIPIENTS.get(activity, ""),
                self[f"email_{activity}"] if has_email_choice(activity) else None,
                OWN_MAIL.get(activity, ""),
            )
            for activity, label, _choice in self.table
        ]

    def clean(self):
        data = super().clean()
        posted = [a for a in FIXED_RECIPIENTS if f"in_app_{a}" in self.data]
        if posted:
            self.add_error(
                None,
                gettext("Who hears of %(kinds)s is fixed; there is no scope to choose for it.")
                % {"kinds": ", ".join(f"“{Activity(a).label}”" for a in posted)},
            )
        return data

    def save(self) -> None:
        data = self.cleaned_data
        notification_preferences_save(
            user=self.user,
            choices={
                activity: Choice(
                    in_app=data[f"in_app_{activity}"] if has_scope(activity) else InApp.MINE,
                    email=data[f"email_{activity}"]
                    if has_email_choice(activity)
                    else NotificationPreference.Email.NEVER,
                )
                for activity, _label, _choice in self.table
            },
        )
