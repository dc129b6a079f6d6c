"""Forms for tickets. They validate input only; the services decide what happens."""

from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import Category, WebForm
from helpdesk.form_styling import StyledFormMixin
from tickets.attachments import AttachmentsField
from tickets.models import AnswerPreference, Priority
from tickets.satisfaction import COMMENT_MAX_LENGTH

MESSAGE_MAX_LENGTH = 50_000


def _message_field(label=None, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label or _("Message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=help_text,
    )


def categories_of_form(web_form: WebForm):
    offered = web_form.categories.filter(is_active=True, department__is_active=True)
    if offered.exists():
        return offered
    return Category.objects.filter(is_active=True, department__is_active=True)


class WebTicketForm(StyledFormMixin, forms.Form):
    """The help-centre form. Which optional fields show is decided by the admin-defined form;
    a signed-in customer's name and address are taken from their account."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your email address"), max_length=254)
    category = forms.ModelChoiceField(
        label=_("What is it about?"),
        queryset=Category.objects.none(),
        empty_label=_("Choose a topic"),
        error_messages={"invalid_choice": _("Choose one of the topics in the list.")},
    )
    priority = forms.TypedChoiceField(
        label=_("How urgent is it?"),
        choices=Priority.choices,
        coerce=int,
        initial=Priority.MEDIUM,
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    message = _message_field(
        help_text=_("Plain text. Describe what happened and what you expected.")
    )
    order_number = forms.CharField(label=_("Order number"), max_length=64, required=False)
    answer_preference = forms.ChoiceField(
        label=_("How would you like the answer?"),
        choices=AnswerPreference.choices,
        initial=AnswerPreference.ANSWER_BY_EMAIL,
        widget=forms.RadioSelect,
    )
    attachments = AttachmentsField()

    def __init__(self, *args, web_form: WebForm, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.web_form = web_form
        categories = categories_of_form(web_form)
        if categories.exists():
            self.fields["category"].queryset = categories
        else:  # nothing to choose: the form's default department takes the ticket
            del self.fields["category"]
        if not web_form.show_order_number:
            del self.fields["order_number"]
        if not web_form.show_answer_preference:
            del self.fields["answer_preference"]
        signed_in = user is not None and user.is_authenticated
        if signed_in:
            for name, value in (("name", user.full_name), ("email", user.email)):
                self.fields[name].initial = value
                self.fields[name].disabled = True
        self.emergency_offered = web_form.offers_emergency(signed_in=signed_in)
        if not self.emergency_offered:
            # Only the list shown loses it: the field still knows the value, so that a post
            # made up by hand gets clean_priority's message rather than "not a valid choice".
            self.fields["priority"].widget.choices = [
                choice for choice in Priority.choices if choice[0] != Priority.EMERGENCY
            ]
            self.fields["priority"].help_text = _(
                "Signed-in customers can also mark a request as an emergency."
            )

    def clean_priority(self):
        """Emergency is refused, not quietly lowered, when the form does not offer it: the
        visitor sees why and picks again, with everything else they typed kept."""
        priority = self.cleaned_data["priority"]
        if priority == Priority.EMERGENCY and not self.emergency_offered:
            raise forms.ValidationError(
                _(
                    "“Emergency” can only be chosen by signed-in customers on this form. "
                    "Choose “High”, or sign in first."
                ),
                code="emergency_not_offered",
            )
        return priority

    def clean_subject(self):
        return self.cleaned_data["subject"].strip()


class CustomerReplyForm(StyledFormMixin, forms.Form):
    message = _message_field(label=_("Your reply"))
    attachments = AttachmentsField()


class RatingForm(StyledFormMixin, forms.Form):
    """A customer's rating of their closed case: one of the marks on offer (radio buttons, from
    the card's own list: no query) and an optional comment."""

    mark = forms.TypedChoiceField(
        label=_("How satisfied are you with our answer?"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose one of the answers."),
            "invalid_choice": _("Choose one of the answers offered."),
        },
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was good, or what could we have done better?"),
    )
    # Where a page without JavaScript goes back to after saving: the ticket page it sits on.
    return_to = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, marks, **kwargs):
        super().__init__(*args, **kwargs)
        self.marks = {mark.pk: mark for mark in marks}
        self.fields["mark"].choices = [(mark.pk, mark.label) for mark in marks]

    def clean_mark(self):
        return self.marks[self.cleaned_data["mark"]]


class SurveyChoiceForm(forms.Form):
    """Satisfaction surveys: "off" (send me none) or "on" (send them again)."""

    surveys = forms.ChoiceField(choices=[("off", "off"), ("on", "on")])
