"""Forms of the desk: queue filters, the reply box, transfer and status."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from departments.models import Category, Department, WebForm
from helpdesk.form_styling import StyledFormMixin
from tickets.attachments import AttachmentsField
from tickets.forms import MESSAGE_MAX_LENGTH
from tickets.models import Source, Status, StatusType
from tickets.queues import QueueFilters


class QueueFilterForm(StyledFormMixin, forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("All departments"),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        empty_label=_("All categories"),
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", _("All sources")), *Source.choices], required=False
    )
    form = forms.ModelChoiceField(
        label=_("Web form"),
        queryset=WebForm.objects.all(),
        required=False,
        empty_label=_("All forms"),
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments

    def filters(self, *, owner_id: int | None = None) -> QueueFilters:
        """The chosen filters. A filter that does not validate (a department since removed, a
        number with no row, a mangled link) is simply not applied; the others still are."""
        data = {}
        if self.is_bound:
            self.is_valid()  # cleaned_data then holds exactly the fields that validated
            data = self.cleaned_data
        return QueueFilters(
            department_id=getattr(data.get("department"), "pk", None),
            category_id=getattr(data.get("category"), "pk", None),
            source=data.get("source", ""),
            form_id=getattr(data.get("form"), "pk", None),
            owner_id=owner_id,
        )


class ReplyForm(StyledFormMixin, forms.Form):
    THEN_CHOICES = [
        ("", _("Send")),
        (StatusType.PENDING, _("Send and set pending")),
        (StatusType.CLOSED, _("Send and close")),
    ]

    body = forms.CharField(
        label=_("Your answer"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    attachments = AttachmentsField()
    internal = forms.BooleanField(
        label=_("Internal note — never shown to the customer, never emailed"), required=False
    )
    then = forms.ChoiceField(choices=THEN_CHOICES, required=False)


class TransferForm(StyledFormMixin, forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        empty_label=_("This department"),
    )
    tech = forms.ModelChoiceField(
        label=_("Tech"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("General pool"),
    )
    note = forms.CharField(
        label=_("Note for the next owner (internal)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tech"].queryset = (
            User.objects.filter(kind=User.Kind.STAFF, is_active=True, memberships__isnull=False)
            .distinct()
            .order_by("full_name")
        )
        self.fields["tech"].label_from_instance = lambda user: user.full_name


class StatusForm(StyledFormMixin, forms.Form):
    status = forms.ModelChoiceField(
        label=_("Status"), queryset=Status.objects.all(), empty_label=None
    )


class ConsultForm(forms.Form):
    """The consultation box on the ticket page: an active department (the workflow refuses one
    without a consultation address, and a blank question, naming the department)."""

    department = forms.ModelChoiceField(
        queryset=Department.objects.filter(is_active=True),
        error_messages={
            "required": _("Choose the department to consult."),
            "invalid_choice": _("Choose the department to consult."),
        },
    )
    question = forms.CharField(required=False, max_length=MESSAGE_MAX_LENGTH, strip=False)
