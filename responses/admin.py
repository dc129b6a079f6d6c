from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from responses.mail_templates import DEFAULTS, MAIL_PLACEHOLDERS, mail_preview
from responses.models import CannedResponse, MailTemplate
from responses.placeholders import PLACEHOLDERS


def placeholders_help_html() -> str:
    """The body's help text: every placeholder an admin may use, with what it becomes."""
    items = format_html_join(
        "",
        "<li><code>{}</code> — {}</li>",
        ((f"{{{{ {name} }}}}", description) for name, description in PLACEHOLDERS.items()),
    )
    return format_html(
        "{}<ul>{}</ul>{}",
        _("Plain text. These placeholders are filled in when a tech inserts the response:"),
        items,
        _("Anything else between braces is refused."),
    )


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ("title", "department", "is_active", "usage_count", "last_used_at")
    list_filter = ("is_active", "department")
    search_fields = ("title", "body")
    list_select_related = ("department",)
    fields = (
        "title",
        "department",
        "body",
        "is_active",
        "usage_count",
        "last_used_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("usage_count", "last_used_at", "created_by", "created_at", "updated_at")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "body":
            formfield.help_text = placeholders_help_html()
        return formfield

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(MailTemplate)
class MailTemplateAdmin(admin.ModelAdmin):
    """Every mail the product sends, editable; the preview shows it with example values."""

    list_display = ("__str__", "key", "department", "mailbox", "is_active", "updated_at")
    list_filter = ("key", "is_active", "department")
    fields = ("key", "department", "mailbox", "subject", "body", "is_active", "preview")
    readonly_fields = ("preview",)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        lines = "; ".join(f"{{{{ {name} }}}}: {text}" for name, text in MAIL_PLACEHOLDERS.items())
        form.base_fields["body"].help_text = _("Placeholders: %(list)s.") % {"list": lines}
        return form

    @admin.display(description=_("Preview"))
    def preview(self, obj):
        if obj is None or not obj.pk:
            return _("Save to see a preview.")
        default_subject, default_body = DEFAULTS[obj.key]
        mail = mail_preview(
            key=obj.key,
            subject=obj.subject or str(default_subject),
            body=obj.body or str(default_body),
        )
        return format_html(
            '<div style="max-width:40rem"><p><strong>{}</strong></p><div>{}</div></div>',
            mail.subject,
            mail.html,
        )
