from datetime import time

import holidays as holiday_sets
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from departments.business_time import day_intervals_problem, time_offsets
from departments.credentials import secret_encrypt
from departments.models import (
    BusinessCalendar,
    BusinessHours,
    Category,
    Department,
    Dictionary,
    DictionaryEntry,
    Holiday,
    Mailbox,
    Membership,
    PriorityLimit,
    Question,
    WebForm,
)
from tickets.mail.fetching import mailbox_test_connection
from tickets.ownership import tech_may_own


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ("user",)


class PriorityLimitInline(admin.TabularInline):
    model = PriorityLimit
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "consultation_email",
        "response_time_limit",
        "resolution_time_limit",
        "calendar",
        "is_active",
    )
    list_filter = ("is_active", "calendar")
    search_fields = ("name", "slug", "consultation_email")
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ("calendar",)
    inlines = [PriorityLimitInline, MembershipInline]
    fieldsets = (
        (None, {"fields": ("name", "slug", "consultation_email", "is_active")}),
        (
            _("Time limits (SLA)"),
            {
                "fields": (
                    "calendar",
                    "response_time_limit",
                    "resolution_time_limit",
                    "sla_warning_enabled",
                ),
                "description": _(
                    "Limits count business time on the calendar. Changing them recomputes the "
                    "due times of open cases within a minute."
                ),
            },
        ),
        (
            _("Waiting for the customer"),
            {"fields": ("pending_reminder_days", "pending_autoclose_days")},
        ),
        (_("Email"), {"fields": ("auto_response_enabled",)}),
    )


class ClosingTimeField(forms.TimeField):
    """A closing time that also takes 24:00 for midnight at the end of the day (stored 00:00)."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip() in {"24:00", "24:00:00"}:
            return time(0)
        return super().to_python(value)


class BusinessHoursForm(forms.ModelForm):
    closes = ClosingTimeField(
        label=_("closes"), help_text=_("24:00 or 00:00 means midnight at the end of the day.")
    )

    class Meta:
        model = BusinessHours
        fields = ["weekday", "opens", "closes"]


class BusinessHoursFormSet(forms.BaseInlineFormSet):
    """Intervals of one weekday must not overlap, and a calendar that is not 24/7 needs some
    open time."""

    def clean(self):
        super().clean()
        days = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or form.errors:
                continue
            if data.get("opens") is None or data.get("closes") is None:
                continue
            days.setdefault(data["weekday"], []).append(time_offsets(data["opens"], data["closes"]))
        for weekday, intervals in sorted(days.items()):
            if day_intervals_problem(intervals):
                raise forms.ValidationError(
                    gettext("The opening hours of %(day)s overlap.")
                    % {"day": BusinessHours.Weekday(weekday).label}
                )
        if not days and not self.instance.always_open:
            raise forms.ValidationError(
                gettext("Add opening hours, or mark the calendar as always open (24/7).")
            )


class BusinessHoursInline(admin.TabularInline):
    model = BusinessHours
    form = BusinessHoursForm
    formset = BusinessHoursFormSet
    extra = 2


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


def _country_choices():
    names = holiday_sets.list_supported_countries()
    return [(code, code) for code in sorted(names)]


class ImportHolidaysForm(forms.Form):
    country = forms.ChoiceField(
        label=_("Country"), choices=_country_choices, help_text=_("ISO code, e.g. UA, US, DE.")
    )
    subdivision = forms.CharField(
        label=_("Region (optional)"),
        required=False,
        max_length=10,
        help_text=_("A state or province code where holidays differ, e.g. NY."),
    )
    year = forms.IntegerField(label=_("Year"), min_value=1970, max_value=2100)

    def clean(self):
        cleaned = super().clean()
        country, subdivision = cleaned.get("country"), cleaned.get("subdivision", "").strip()
        if country and subdivision:
            known = holiday_sets.list_supported_countries().get(country, [])
            if subdivision.upper() not in {code.upper() for code in known}:
                self.add_error(
                    "subdivision", gettext("%(country)s has no such region.") % {"country": country}
                )
        return cleaned

    def public_holidays(self) -> dict:
        data = self.cleaned_data
        return holiday_sets.country_holidays(
            data["country"], subdiv=data["subdivision"].strip().upper() or None, years=data["year"]
        )


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "time_zone", "always_open")
    search_fields = ("name",)
    inlines = [BusinessHoursInline, HolidayInline]
    actions = ["import_public_holidays"]

    @admin.action(description=_("Import a country's public holidays"))
    def import_public_holidays(self, request, queryset):
        if "apply" in request.POST:
            form = ImportHolidaysForm(request.POST)
            if form.is_valid():
                found = form.public_holidays()
                with transaction.atomic():
                    for calendar in queryset:
                        added = 0
                        for day, name in sorted(found.items()):
                            _row, created = Holiday.objects.get_or_create(
                                calendar=calendar, date=day, defaults={"name": name[:100]}
                            )
                            added += created
                        text = gettext(
                            "%(calendar)s: %(added)d holidays added, %(kept)d already there."
                        )
                        counts = {"calendar": calendar, "added": added, "kept": len(found) - added}
                        self.message_user(request, text % counts, messages.SUCCESS)
                return None
        else:
            form = ImportHolidaysForm(initial={"year": timezone.now().year})
        return TemplateResponse(
            request,
            "admin/departments/businesscalendar/import_holidays.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Import public holidays"),
                "form": form,
                "calendars": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "department", "retrieval_priority", "is_manager")
    list_filter = ("department", "is_manager")
    search_fields = ("user__email", "user__full_name", "department__name")
    list_select_related = ("user", "department")
    autocomplete_fields = ("user",)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "department", "position", "is_active")
    list_editable = ("position", "is_active")
    list_filter = ("department", "is_active")
    search_fields = ("name",)
    list_select_related = ("department",)


@admin.register(WebForm)
class WebFormAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "audience", "default_department", "default_tech", "is_active")
    list_filter = ("audience", "is_active")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("categories",)
    autocomplete_fields = ("default_tech",)
    list_select_related = ("default_department", "default_tech")


class MailboxForm(forms.ModelForm):
    """The password is write-only: it is never shown back, and left empty it stays as it was."""

    password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the current one."),
    )

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "department",
            "email_address",
            "is_active",
            "protocol",
            "host",
            "port",
            "security",
            "verify_certificate",
            "username",
            "folder",
            "default_category",
            "default_tech",
            "auto_response",
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.instance.password_encrypted and not cleaned.get("password"):
            self.add_error("password", _("A new mailbox needs its password."))
        tech, department = cleaned.get("default_tech"), cleaned.get("department")
        if tech and department and not tech_may_own(tech=tech, department=department):
            self.add_error(
                "default_tech",
                _("%(name)s does not work in %(department)s.")
                % {"name": tech.full_name, "department": department.name},
            )
        return cleaned

    def save(self, commit=True):
        mailbox = super().save(commit=False)
        if self.cleaned_data.get("password"):
            mailbox.password_encrypted = secret_encrypt(self.cleaned_data["password"])
        if commit:
            mailbox.save()
        return mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    autocomplete_fields = ("default_tech",)
    list_display = (
        "name",
        "email_address",
        "department",
        "protocol",
        "is_active",
        "last_polled_at",
        "last_error_at",
    )
    list_filter = ("protocol", "is_active", "department")
    search_fields = ("name", "email_address", "host", "username")
    readonly_fields = (
        "imap_uidvalidity",
        "imap_last_uid",
        "last_polled_at",
        "last_error",
        "last_error_at",
    )
    fieldsets = (
        (None, {"fields": ("name", "department", "email_address", "is_active")}),
        (
            _("Server"),
            {
                "fields": (
                    "protocol",
                    "host",
                    "port",
                    "security",
                    "verify_certificate",
                    "username",
                    "password",
                    "folder",
                )
            },
        ),
        (_("Tickets"), {"fields": ("default_category", "default_tech", "auto_response")}),
        (
            _("Polling"),
            {
                "fields": (
                    "imap_uidvalidity",
                    "imap_last_uid",
                    "last_polled_at",
                    "last_error",
                    "last_error_at",
                )
            },
        ),
    )
    actions = ["test_connection"]
    change_form_template = "admin/departments/mailbox/change_form.html"

    @admin.action(description=_("Test the connection"))
    def test_connection(self, request, queryset):
        for mailbox in queryset:
            ok, text = mailbox_test_connection(mailbox)
            self.message_user(
                request, f"{mailbox}: {text}", messages.SUCCESS if ok else messages.ERROR
            )

    def response_change(self, request, obj):
        if "_test_connection" in request.POST:
            ok, text = mailbox_test_connection(obj)
            self.message_user(request, text, messages.SUCCESS if ok else messages.ERROR)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)


class DictionaryEntryInline(admin.TabularInline):
    model = DictionaryEntry
    extra = 3
    fields = ("label", "position", "is_active")


@admin.register(Dictionary)
class DictionaryAdmin(admin.ModelAdmin):
    list_display = ("name", "description", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "entries__label")
    inlines = [DictionaryEntryInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    """Questions asked of cases; Question.clean() keeps dictionaries to the choice types."""

    list_display = (
        "text",
        "answer_type",
        "dictionary",
        "is_required",
        "ask_on_first_response",
        "position",
        "is_active",
    )
    list_editable = ("position", "is_active")
    list_filter = ("answer_type", "is_required", "ask_on_first_response", "is_active")
    search_fields = ("text", "help_text")
    list_select_related = ("dictionary",)
    filter_horizontal = ("departments", "mailboxes")
    fieldsets = (
        (None, {"fields": ("text", "help_text", "answer_type", "dictionary")}),
        (_("When"), {"fields": ("is_required", "ask_on_first_response", "position", "is_active")}),
        (_("Asked of"), {"fields": ("departments", "mailboxes")}),
    )
