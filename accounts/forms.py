from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.absences import substitutes_for
from accounts.access import can_read_reports
from accounts.models import User
from accounts.sign_in_throttle import throttle_of
from accounts.signatures import (
    SIGNATURE_MAX_SIZE,
    SIGNATURE_MAX_UPLOAD_SIZE,
    signature_image_process,
)
from helpdesk.form_styling import StyledFormMixin

SIGNATURE_TEXT_MAX_LENGTH = 2000


class ThrottledSignInMixin:
    """A sign-in form that says so when the sign-in throttle (accounts/sign_in_throttle.py)
    refused to check the password, and for how long, instead of "wrong password"."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            throttle = throttle_of(self.request) if self.request is not None else None
            if throttle is None:
                raise
            raise ValidationError(
                ngettext(
                    "Too many failed sign-ins. Wait %(minutes)d minute and try again.",
                    "Too many failed sign-ins. Wait %(minutes)d minutes and try again.",
                    throttle.minutes_left,
                )
                % {"minutes": throttle.minutes_left},
                code="throttled",
            ) from None


class SignInForm(ThrottledSignInMixin, AuthenticationForm):
    """Email and password. Every failure says the same thing, so the form never tells whether an
    account exists or is disabled; only the sign-in throttle says something else, the same for
    every address, and how long to wait."""

    username = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _(
            "That email address and password do not match an account. Check both and try again."
        ),
        "inactive": _(
            "That email address and password do not match an account. Check both and try again."
        ),
    }


class AdminSignInForm(ThrottledSignInMixin, AdminAuthenticationForm):
    """The admin's own sign-in page, throttled like every other (the authentication backend),
    says so as clearly."""


def _signature_image_help_text() -> str:
    text = gettext(
        "A JPEG of up to %(limit)s, shown below the text. It is scaled down to fit "
        "%(width)d by %(height)d pixels, and its metadata (camera, place) is removed."
    )
    return text % {
        "limit": filesizeformat(SIGNATURE_MAX_UPLOAD_SIZE),
        "width": SIGNATURE_MAX_SIZE[0],
        "height": SIGNATURE_MAX_SIZE[1],
    }


class TechPreferencesForm(StyledFormMixin, forms.Form):
    """A tech's own preferences. The image cleans to the re-encoded JPEG, ready to store; the
    "remove" box is offered only when there is an image to remove, the monthly summary only to
    those who may read the reports (managers and admins)."""

    reply_as_note_by_default = forms.BooleanField(
        label=_("Write internal notes by default"),
        required=False,
        help_text=_("The reply box starts as an internal note; you can still switch it per reply."),
    )
    signature_text = forms.CharField(
        label=_("Signature text"),
        required=False,
        max_length=SIGNATURE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Plain text added below your replies to customers."),
    )
    signature_image = forms.FileField(
        label=_("Signature image"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg"}),
        # Forms copy their fields rather than build them again: the text is made when shown, in
        # the reader's language.
        help_text=lazy(_signature_image_help_text, str)(),
    )
    remove_image = forms.BooleanField(label=_("Remove the current image"), required=False)
    monthly_summary = forms.BooleanField(
        label=_("Send me a monthly summary by email"),
        required=False,
        help_text=_(
            "On the first day of each month (in your time zone), last month's key numbers for "
            "your departments, each with the change from the month before, and a link to the "
            "report."
        ),
    )

    def __init__(self, *args, user: User, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "reply_as_note_by_default": user.reply_as_note_by_default,
                "signature_text": user.signature_text,
                "monthly_summary": user.monthly_summary,
            },
        )
        super().__init__(*args, **kwargs)
        if not user.signature_image:
            del self.fields["remove_image"]
        if not can_read_reports(user):
            del self.fields["monthly_summary"]

    def clean_signature_image(self) -> ContentFile | None:
        upload = self.cleaned_data["signature_image"]
        return signature_image_process(upload) if upload else None


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date-and-time picker; the value is read in the person's time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class AbsenceForm(StyledFormMixin, forms.Form):
    """An absence of `tech`, entered in the recorder's time zone; the rules (overlap, who may
    stand in) are checked by accounts.absences.absence_record."""

    starts_at = forms.DateTimeField(label=_("Away from"), widget=DateTimeLocalInput())
    ends_at = forms.DateTimeField(label=_("Back at"), widget=DateTimeLocalInput())
    substitute = forms.ModelChoiceField(
        label=_("Substitute"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody: the general pool"),
        help_text=_(
            "Takes the open tickets where they work in the ticket's department; the rest go "
            "to the department's general pool."
        ),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, tech: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["substitute"].queryset = substitutes_for(tech)
        self.fields["substitute"].label_from_instance = lambda user: user.full_name

    def clean(self):
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", gettext("The absence must end after it starts."))
        return data
