from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from responses.models import CannedResponse
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
