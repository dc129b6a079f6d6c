from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from responses.mail_defaults import DEFAULTS
from responses.mail_placeholders import MAIL_PLACEHOLDERS
from responses.mail_templates import mail_preview
from responses.models import CannedResponse, MailTemplate
from responses.placeholders import PLACEHOLDERS
from responses.services import mail_template_restore_default


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


def shipped_mails() -> list[dict]:
    """Every mail the product sends, with its shipped default and the global version an admin
    saved, if any (one query)."""
    saved = {
        t.key: t for t in MailTemplate.objects.filter(department__isnull=True, mailbox__isnull=True)
    }
    return [
        {
            "key": key,
            "label": label,
            "default_subject": str(DEFAULTS[key][0]),
            "default_body": str(DEFAULTS[key][1]),
            "saved": saved.get(key),
        }
        for key, label in MailTemplate.Key.choices
    ]


@admin.register(MailTemplate)
class MailTemplateAdmin(admin.ModelAdmin):
    """Every mail the product sends, editable; the preview shows it with example values. The
    list shows every mail with its shipped default, even before an admin saved a version; a
    saved version can be put back to the default ("Restore default")."""

    list_display = ("__str__", "key", "department", "mailbox", "is_active", "updated_at")
    list_filter = ("key", "is_active", "department")
    fields = ("key", "department", "mailbox", "subject", "body", "is_active", "preview")
    readonly_fields = ("preview",)
    change_list_template = "admin/responses/mailtemplate/change_list.html"
    change_form_template = "admin/responses/mailtemplate/change_form.html"

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "shipped_mails": shipped_mails()}
        return super().changelist_view(request, extra_context=extra_context)

    def get_changeform_initial_data(self, request):
        """ "Edit" on a mail not yet saved starts from its shipped default."""
        initial = super().get_changeform_initial_data(request)
        key = initial.get("key")
        if key in DEFAULTS:
            initial.setdefault("subject", str(DEFAULTS[key][0]))
            initial.setdefault("body", str(DEFAULTS[key][1]))
        return initial

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id and "_restore_default" in request.POST:
            template = self.get_object(request, unquote(object_id))
            if template is None or not self.has_change_permission(request, template):
                raise PermissionDenied
            mail_template_restore_default(template_id=template.pk)
            self.message_user(
                request,
                _("“%(mail)s” has its shipped default again.") % {"mail": template},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(request.path)
        return super().changeform_view(request, object_id, form_url, extra_context)

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
