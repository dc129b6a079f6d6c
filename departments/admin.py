from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from departments.credentials import secret_encrypt
from departments.models import (
    Category,
    Department,
    Dictionary,
    DictionaryEntry,
    Mailbox,
    Membership,
    Question,
    WebForm,
)
from tickets.mail.fetching import mailbox_test_connection


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "consultation_email", "response_time_limit", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug", "consultation_email")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


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
            "auto_response",
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.instance.password_encrypted and not cleaned.get("password"):
            self.add_error("password", _("A new mailbox needs its password."))
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
        (_("Tickets"), {"fields": ("default_category", "auto_response")}),
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
