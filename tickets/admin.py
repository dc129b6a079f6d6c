from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import reverse
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
    SatisfactionMark,
    SatisfactionRating,
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


def _marks_given(mark_ids) -> list[SatisfactionMark]:
    given = SatisfactionRating.objects.filter(mark_id__in=list(mark_ids)).values("mark_id")
    return list(SatisfactionMark.objects.filter(pk__in=given))


@admin.register(SatisfactionMark)
class SatisfactionMarkAdmin(admin.ModelAdmin):
    """The answers customers pick from after a case closes (tickets/satisfaction.py). A mark
    that customers have given cannot be deleted (their ratings keep it): it is retired by
    unticking "active", which takes it out of new surveys and pages."""

    list_display = ("label", "score", "position", "is_active", "times_given")
    list_editable = ("position", "is_active")
    list_display_links = ("label",)
    actions = ["delete_unused"]

    def get_queryset(self, request):
        given = (
            SatisfactionRating.objects.filter(mark=OuterRef("pk"))
            .order_by()
            .values("mark")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return super().get_queryset(request).annotate(given=Coalesce(Subquery(given), 0))

    @admin.display(description=_("times given"), ordering="given")
    def times_given(self, mark):
        return mark.given

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # replaced by delete_unused, which explains
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        mark = self.get_object(request, unquote(object_id))
        if mark is not None and _marks_given([mark.pk]):
            self._refuse(request, [mark])
            return redirect(reverse("admin:tickets_satisfactionmark_change", args=[mark.pk]))
        return super().delete_view(request, object_id, extra_context)

    @admin.action(description=_("Delete selected marks (never given)"), permissions=["delete"])
    def delete_unused(self, request, queryset):
        given = _marks_given(queryset.values_list("pk", flat=True))
        if given:
            self._refuse(request, given)
            return None
        return delete_selected(self, request, queryset)

    def _refuse(self, request, marks):
        self.message_user(
            request,
            ngettext(
                "%(labels)s has been given in customers' ratings, so it cannot be deleted. "
                "Untick “active” instead: it is no longer offered, and the ratings keep it.",
                "%(labels)s have been given in customers' ratings, so they cannot be deleted. "
                "Untick “active” instead: they are no longer offered, and the ratings keep them.",
                len(marks),
            )
            % {"labels": ", ".join(f"“{mark.label}”" for mark in marks)},
            messages.ERROR,
        )


@admin.register(SatisfactionRating)
class SatisfactionRatingAdmin(admin.ModelAdmin):
    """Customers' ratings, to read: they are the customers' own words, changed only by them."""

    list_display = (
        "rated_at",
        "ticket",
        "mark",
        "score",
        "department",
        "owner",
        "comment_start",
        "changed_at",
    )
    list_filter = ("mark", "department")
    search_fields = ("=ticket__number", "comment")
    list_select_related = ("ticket", "mark", "department", "owner")
    date_hierarchy = "rated_at"
    readonly_fields = [field.name for field in SatisfactionRating._meta.fields]

    @admin.display(description=_("comment"))
    def comment_start(self, rating):
        return Truncator(rating.comment).chars(80)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
