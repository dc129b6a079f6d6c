"""A staff member's own notifications: the bell's unread count, the list (newest first, paged by
id), what each says in one line, and marking them read. Nobody reaches another person's: every
lookup is by recipient."""

from dataclasses import dataclass

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from tickets.activity_feed import absence_move_text
from tickets.models import Activity, Notification, NotificationReason
from tickets.sla.wording import SLA_EVENTS, sla_event_text

UNREAD_CAP = 99  # the bell shows "99+" beyond this
PAGE_SIZE = 25


def unread_count(user: User) -> int:
    """Unread notifications, counted up to UNREAD_CAP + 1 only: one query on the bell's partial
    index however many there are."""
    if not (user.is_authenticated and user.is_active):
        return 0
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    return unread.values("pk")[: UNREAD_CAP + 1].count()


def unread_label(count: int) -> str:
    return f"{UNREAD_CAP}+" if count > UNREAD_CAP else str(count)


@dataclass(frozen=True)
class NotificationPage:
    items: list[Notification]
    next_before: int | None  # the cursor of the next (older) page
    newest_id: int | None  # the newest shown: "mark all read" goes up to it


def notifications_page(
    *, user: User, before: int | None = None, size: int = PAGE_SIZE
) -> NotificationPage:
    """One page of the person's notifications, newest first; `before` is the id the previous
    page ended at. One query, whatever the page holds."""
    found = (
        Notification.objects.filter(recipient=user)
        .select_related("message__ticket", "message__author")
        .only(
            "id",
            "activity",
            "reason",
            "created_at",
            "read_at",
            "message__id",
            "message__kind",
            "message__author_name",
            "message__body",
            "message__event_data",
            "message__ticket__id",
            "message__ticket__number",
            "message__ticket__subject",
            "message__author__id",
            "message__author__full_name",
        )
        .order_by("-id")
    )
    if before is not None:
        found = found.filter(pk__lt=before)
    items = list(found[: size + 1])
    more = len(items) > size
    items = items[:size]
    return NotificationPage(
        items=items,
        next_before=items[-1].pk if more else None,
        newest_id=items[0].pk if items and before is None else None,
    )


def notification_of_user(*, user: User, notification_id: int) -> Notification:
    """The person's own notification, else 404 (another's is not even said to exist)."""
    notification = (
        Notification.objects.filter(pk=notification_id, recipient=user)
        .select_related("message__ticket")
        .first()
    )
    if notification is None:
        raise Http404
    return notification


def notification_read(*, notification: Notification) -> None:
    """Mark it read (once: the first reading time stays)."""
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def notifications_read_all(*, user: User, up_to_id: int) -> int:
    """Mark the person's unread notifications read, up to the newest they were shown (what
    arrived since stays unread); how many."""
    return Notification.objects.filter(
        recipient=user, read_at__isnull=True, pk__lte=up_to_id
    ).update(read_at=timezone.now())


def notification_summary(notification: Notification) -> str:
    """What happened, in one line, for the list and the mails."""
    message = notification.message
    data = message.event_data or {}
    reason = notification.reason
    who = message.author.full_name if message.author_id and message.author else ""
    who = who or message.author_name or _("Someone")
    if reason == NotificationReason.MENTIONED:
        return _("%(name)s mentioned you") % {"name": who}
    if reason == NotificationReason.APPROVAL_NEEDED:
        return _("%(name)s's reply waits for your approval") % {"name": who}
    event = data.get("event")
    if event == "handed_over" and reason == NotificationReason.TRANSFERRED_TO_YOU:
        return _("Handed over to you while %(absent)s is absent") % {"absent": data.get("from")}
    if event == "handed_over" and reason == NotificationReason.TRANSFERRED_FROM_YOU:
        if data.get("to"):
            return _("Handed over to %(substitute)s while you are away") % {
                "substitute": data["to"]
            }
        return _("Put in the general pool while you are away")
    if event == "taken_back" and reason == NotificationReason.TRANSFERRED_FROM_YOU:
        return _("%(name)s is back and took the ticket back") % {"name": who}
    if event in ("handed_over", "taken_back"):
        return absence_move_text(data, author_name=message.author_name)
    if reason == NotificationReason.TRANSFERRED_TO_YOU:
        return _("%(name)s transferred the ticket to you") % {"name": who}
    if reason == NotificationReason.TRANSFERRED_FROM_YOU:
        return _("%(name)s transferred the ticket away from you") % {"name": who}
    activity = notification.activity
    if event in SLA_EVENTS:
        return sla_event_text(data)
    if activity == Activity.CALL_BACK_DUE:
        return _("Time to call %(customer)s back") % {"customer": data.get("customer", "")}
    if activity == Activity.POOR_RATING:
        return _("Poor rating from %(name)s: %(mark)s") % {
            "name": who,
            "mark": data.get("mark", ""),
        }
    if activity == Activity.REPLY_APPROVED:
        if reason == NotificationReason.YOUR_REPLY_DECIDED:
            return _("%(name)s approved your reply") % {"name": who}
        return _("%(name)s approved a held reply") % {"name": who}
    if activity == Activity.REPLY_REJECTED:
        if reason == NotificationReason.YOUR_REPLY_DECIDED:
            return _("%(name)s rejected your reply") % {"name": who}
        return _("%(name)s rejected a held reply") % {"name": who}
    if activity == Activity.STATUS_CHANGED and data.get("to"):
        return _("Status changed to %(status)s") % {"status": data["to"]}
    if activity == Activity.TRANSFERRED:
        return _("%(name)s transferred the ticket") % {"name": who}
    if activity == Activity.CUSTOMER_MESSAGE:
        return _("%(name)s wrote") % {"name": who}
    if activity == Activity.TICKET_CREATED:
        return _("New ticket from %(name)s") % {"name": who}
    if activity == Activity.REPLY_HELD:
        return _("%(name)s's reply waits for approval") % {"name": who}
    return str(Activity(activity).label) if activity in Activity.values else activity


def notification_text(notification: Notification, *, limit: int = 1000) -> str:
    """The words of the row, where it has any (a message, a note, a rejection's reason), cut to
    `limit` characters. Staff only: notes are for staff."""
    message = notification.message
    text = message.body or (message.event_data or {}).get("reason", "") or ""
    text = str(text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
