"""Forms of the desk: queue filters, the reply box, transfer and status, a ticket entered for a
customer and a ticket split from a message."""

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.absences import absent_now
from accounts.models import User
from departments.models import Category, Department, WebForm
from helpdesk.form_styling import StyledFormMixin
from tickets.attachments import AttachmentsField
from tickets.forms import MESSAGE_MAX_LENGTH
from tickets.models import Priority, Source, Status, StatusType, Ticket
from tickets.ownership import departments_to_own_in, tech_may_own
from tickets.queues import QueueFilters
from tickets.statuses import statuses_offered


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
    """Where a ticket goes. The tech list shows the techs of the chosen department (the
    ticket's own until another is chosen; with htmx it follows the department select); a tech
    posted who does not work there is refused by name, the list then showing that
    department's techs."""

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

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        techs_url = reverse("tickets:desk_transfer_techs", args=[ticket.number])
        self.fields["department"].widget.attrs.update(
            {
                "hx-get": techs_url,
                "hx-trigger": "change",
                "hx-target": "#transfer-techs",
                "hx-swap": "outerHTML",
                "data-testid": "transfer-department",
            }
        )
        self.department = self._chosen_department()
        # Any tech validates, so one from another department gets a refusal that names them.
        self.fields["tech"].queryset = User.objects.filter(
            kind=User.Kind.STAFF, is_active=True
        ).order_by("full_name")
        shown = list(techs_of_department(self.department))
        # Absent techs stay in the list, marked: a transfer to one is refused with the reason.
        absent = absent_now([user.pk for user in shown])
        self.fields["tech"].widget.choices = [
            ("", self.fields["tech"].empty_label),
            *((user.pk, _tech_label(user, absent)) for user in shown),
        ]

    def _chosen_department(self) -> Department:
        raw = self.data.get("department") if self.is_bound else self.initial.get("department")
        if raw and str(raw).isdigit():
            found = Department.objects.filter(pk=int(raw), is_active=True).first()
            if found is not None:
                return found
        return self.ticket.department

    def clean(self):
        cleaned = super().clean()
        tech = cleaned.get("tech")
        department = cleaned.get("department") or self.ticket.department
        if tech is not None and not tech_may_own(tech=tech, department=department):
            self.add_error(
                "tech",
                _(
                    "%(name)s does not work in %(department)s. Choose one of its techs (the "
                    "list now shows them) or its general pool."
                )
                % {"name": tech.full_name, "department": department.name},
            )
        return cleaned


def techs_of_department(department: Department):
    """The people a ticket of this department may be transferred to (tickets/ownership.py):
    its active staff members, by name."""
    return (
        User.objects.filter(
            kind=User.Kind.STAFF,
            is_active=True,
            memberships__department=department,
            memberships__department__is_active=True,
        )
        .distinct()
        .order_by("full_name")
    )


def _tech_label(user: User, absent: dict) -> str:
    absence = absent.get(user.pk)
    if absence is None:
        return user.full_name
    until = date_format(timezone.localtime(absence.ends_at), "SHORT_DATETIME_FORMAT")
    return _("%(name)s — absent until %(until)s") % {"name": user.full_name, "until": until}


class StatusForm(StyledFormMixin, forms.Form):
    """Only the statuses the case can be in (tickets/statuses.py)."""

    status = forms.ModelChoiceField(
        label=_("Status"), queryset=Status.objects.none(), empty_label=None
    )

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].queryset = statuses_offered(ticket)


class PropertiesForm(StyledFormMixin, forms.Form):
    """Category (of the ticket's own department) and priority, on the ticket page."""

    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("No category"),
    )
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)

    def __init__(self, *args, ticket: Ticket, **kwargs):
        kwargs.setdefault("initial", {"category": ticket.category_id, "priority": ticket.priority})
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        field.queryset = Category.objects.filter(department_id=ticket.department_id, is_active=True)
        field.error_messages["invalid_choice"] = _(
            "Choose one of the categories of %(department)s; to use another department's, "
            "transfer the ticket first."
        ) % {"department": ticket.department.name}


def _not_owned_label(department: Department) -> str:
    return _("%(department)s — general pool only") % {"department": department.name}


class StaffTicketForm(StyledFormMixin, forms.Form):
    """A ticket a tech enters for a customer (phone, walk-in). Any active department may receive
    it, as a transfer may send a ticket anywhere; "put it in my pool" only where the tech works
    (tickets/ownership.py), and the department list says which are which."""

    SOURCES = [
        (Source.PHONE, Source.PHONE.label),
        (Source.WALK_IN, Source.WALK_IN.label),
        (Source.STAFF, Source.STAFF.label),
    ]

    email = forms.EmailField(
        label=_("Customer's email address"),
        help_text=_("An existing customer with this address is linked; otherwise one is created."),
    )
    name = forms.CharField(label=_("Customer's name"), max_length=200)
    phone = forms.CharField(label=_("Customer's phone"), max_length=50, required=False)
    source = forms.ChoiceField(label=_("How did they reach us?"), choices=SOURCES)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True, department__is_active=True),
        required=False,
        empty_label=_("No category"),
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        help_text=_("Needed when no category is chosen; a category picks its own department."),
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.MEDIUM
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    message = forms.CharField(
        label=_("What the customer needs"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    attachments = AttachmentsField()
    assign_to_me = forms.BooleanField(label=_("Put it in my pool"), required=False, initial=True)
    send_confirmation = forms.BooleanField(
        label=_("Email the customer a confirmation with the ticket link"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, staff: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.own = set(departments_to_own_in(staff).values_list("pk", flat=True))
        if not staff.is_superuser:
            self.fields["department"].label_from_instance = lambda department: (
                department.name if department.pk in self.own else _not_owned_label(department)
            )
        if not self.own:
            self.fields["assign_to_me"].initial = False

    def clean(self):
        cleaned = super().clean()
        category = cleaned.get("category")
        department = category.department if category else cleaned.get("department")
        if department is None:
            if "department" not in self.errors:
                self.add_error("department", _("Choose a department or a category."))
        elif cleaned.get("assign_to_me") and department.pk not in self.own:
            self.add_error(
                "assign_to_me",
                _(
                    "You do not work in %(department)s, so the ticket cannot go to your pool. "
                    "Untick “Put it in my pool” to send it to the department's general pool."
                )
                % {"department": department.name},
            )
        return cleaned


class SplitTicketForm(StyledFormMixin, forms.Form):
    """A new ticket from a message of another ticket. It goes to the tech's pool, so only the
    departments the tech works in are offered (every one to an admin)."""

    subject = forms.CharField(label=_("Subject of the new ticket"), max_length=200)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        error_messages={
            "invalid_choice": _("Choose one of your departments: the new ticket is yours.")
        },
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.MEDIUM
    )
    send_confirmation = forms.BooleanField(
        label=_("Email the customer a confirmation with the new ticket's link"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, staff: User, **kwargs):
        super().__init__(*args, **kwargs)
        departments = departments_to_own_in(staff)
        self.fields["department"].queryset = departments
        if not departments.exists():
            self.fields["department"].help_text = _(
                "You work in no department, so no new ticket can be yours. Ask a manager to add "
                "you to one, or transfer the ticket instead."
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
