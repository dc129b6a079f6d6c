from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tickets.fraud import blocked_senders_changed
from tickets.mail.intake import inbound_reprocess
from tickets.mail.outbox import outbox_send_again
from tickets.mail.spam_verdicts import spam_verdict_change
from tickets.models import (
    Attachment,
    BlockedSender,
    Consultation,
    InboundEmail,
    Message,
    OutboundEmail,
    RefusedAttempt,
    Status,
    Ticket,
)


@admin.register(Status)
class StatusAdmin(admin.ModelAdmin):
    list_display = ("name", "type", "is_default", "position")
    list_editable = ("position",)
    list_filter = ("type",)


class MessageInline(admin.StackedInline):
    model = Message
    extra = 0
    fields = ("kind", "author", "author_name", "body", "created_at")
    readonly_fields = ("created_at",)
    show_change_link = True


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "subject",
        "customer",
        "department",
        "priority",
        "status",
        "assignee",
        "source",
        "created_at",
    )
    list_filter = ("status_type", "priority", "source", "department")
    search_fields = ("=number", "subject", "customer__name", "customer__emails__email")
    list_select_related = ("customer", "department", "status", "assignee")
    raw_id_fields = ("customer", "split_from")
    readonly_fields = (
        "number",
        "status_type",
        "access_token",
        "created_at",
        "updated_at",
        "confirmation_sent_at",
    )
    date_hierarchy = "created_at"
    inlines = [MessageInline]

    def save_model(self, request, obj, form, change):
        # Keep the copied status type true when an admin changes the status here.
        obj.status_type = obj.status.type
        super().save_model(request, obj, form, change)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ("original_name", "content_type", "size", "is_image")
    readonly_fields = fields
    can_delete = False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("ticket", "kind", "author_name", "created_at")
    list_filter = ("kind",)
    raw_id_fields = ("ticket", "author_customer")
    list_select_related = ("ticket",)
    inlines = [AttachmentInline]


@admin.register(BlockedSender)
class BlockedSenderAdmin(admin.ModelAdmin):
    list_display = ("value", "kind", "reason", "created_by", "created_at")
    list_filter = ("kind",)
    search_fields = ("value", "reason")
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        blocked_senders_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        blocked_senders_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        blocked_senders_changed()


@admin.register(RefusedAttempt)
class RefusedAttemptAdmin(admin.ModelAdmin):
    """The record of refused attempts is evidence: read-only."""

    list_display = ("at", "email", "ip_address", "channel", "subject", "blocked_by")
    list_filter = ("channel",)
    search_fields = ("email", "ip_address", "subject")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    """Every mail taken in, raw bytes kept: quarantined and set-aside ones show why, and can be
    read and reprocessed."""

    list_display = (
        "received_at",
        "status",
        "from_address",
        "subject",
        "mailbox",
        "ticket",
        "reason",
    )
    list_filter = ("status", "channel", "mailbox")
    search_fields = ("from_address", "subject", "message_id_header", "=ticket__number")
    date_hierarchy = "received_at"
    list_select_related = ("mailbox", "ticket")
    readonly_fields = [field.name for field in InboundEmail._meta.fields]
    actions = ["reprocess", "mark_not_spam"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("reason"))
    def reason(self, inbound: InboundEmail) -> str:
        return Truncator(inbound.error).chars(120)

    @admin.action(description=_("Process again (quarantined or set-aside mail)"))
    def reprocess(self, request, queryset):
        statuses = (InboundEmail.Status.QUARANTINED, InboundEmail.Status.SET_ASIDE)
        for inbound in queryset.filter(status__in=statuses):
            inbound = inbound_reprocess(inbound=inbound)
            self.message_user(request, f"{inbound}: {inbound.get_status_display()}")

    @admin.action(description=_("Not spam: learn it and open its ticket"))
    def mark_not_spam(self, request, queryset):
        for inbound in queryset.filter(status=InboundEmail.Status.SPAM):
            inbound = spam_verdict_change(inbound=inbound, is_spam=False)
            self.message_user(request, f"{inbound}: {inbound.get_status_display()}")


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """The outbox: what was sent, what waits, and why a mail was held back or failed."""

    list_display = (
        "created_at",
        "kind",
        "to",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("to", "subject", "message_id_header", "idempotency_key")
    readonly_fields = [field.name for field in OutboundEmail._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send again (failed or held back)"))
    def send_again(self, request, queryset):
        count = outbox_send_again(outbox_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(count)d mail queued again.", "%(count)d mails queued again.", count)
            % {"count": count},
        )


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ("ticket", "department", "asked_by", "asked_at", "answered_at")
    list_filter = ("department",)
    raw_id_fields = ("ticket", "question", "answer")
