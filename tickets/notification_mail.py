"""Notifications by email, through the outbox: one mail per notification for those who want them
at once (written by tickets/notifying.py), and the hourly digest. Both are editable mail templates
(responses/mail_templates.py), plain text with the ticket's desk link, and go to staff only.

The digest is idempotent: a run takes each person's waiting notifications under a row lock and
writes one outbox row keyed by the person and the hour, so two runs at once (two beats, two
workers) send one digest."""

from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from responses.mail_placeholders import MAIL_PLACEHOLDERS
from responses.mail_templates import mail_render, mail_template_for, mail_values
from responses.models import MailTemplate
from tickets.mail import outbox
from tickets.mail.outbound import AUTO_GENERATED, OutgoingMail
from tickets.mail.outbox import Held, Rendered
from tickets.models import EmailState, Notification, OutboundEmail, Ticket
from tickets.notification_inbox import notification_summary, notification_text


def desk_link(ticket: Ticket) -> str:
    return settings.SITE_URL + reverse("tickets:desk_ticket", args=[ticket.number])


def notifications_link() -> str:
    return settings.SITE_URL + reverse("tickets:notifications")


def _notifications_by_mail(rows: list[OutboundEmail]) -> dict[int, list[Notification]]:
    """The notifications each mail carries, oldest first: one query for all the rows."""
    found: dict[int, list[Notification]] = defaultdict(list)
    for notification in (
        Notification.objects.filter(outbound__in=[row.pk for row in rows])
        .select_related(
            "recipient",
            "message__author",
            "message__ticket__customer",
            "message__ticket__department",
            "message__ticket__status",
        )
        .order_by("pk")
    ):
        found[notification.outbound_id].append(notification)
    return found


def _recipient_check(notification: Notification | None) -> Held | None:
    if notification is None:
        return Held(_("The notification is gone."))
    recipient = notification.recipient
    if not recipient.is_active or not (recipient.is_tech or recipient.is_superuser):
        return Held(_("The recipient is no longer an active staff member."))
    return None


def notification_mails(rows: list[OutboundEmail]) -> list[Rendered]:
    """One notification, to the staff member it is for."""
    carried = _notifications_by_mail(rows)
    return [_notification_mail(row, (carried.get(row.pk) or [None])[0]) for row in rows]


def _notification_mail(row: OutboundEmail, notification: Notification | None) -> Rendered:
    refused = _recipient_check(notification)
    if refused is not None:
        return refused
    ticket = notification.message.ticket
    subject, body = mail_template_for(
        key=MailTemplate.Key.NOTIFICATION, department=ticket.department
    )
    values = mail_values(
        ticket=ticket,
        link="",  # the customer's private link is the customer's
        tech=notification.message.author,
        message=notification_text(notification),
    )
    values.update(
        recipient_name=notification.recipient.full_name,
        what_happened=notification_summary(notification),
        desk_link=desk_link(ticket),
        notifications_link=notifications_link(),
        notifications="",
    )
    return staff_mail(
        row, ticket=ticket, mail=mail_render(subject=subject, body=body, values=values)
    )


def digest_mails(rows: list[OutboundEmail]) -> list[Rendered]:
    """The hourly digest: one line per notification, each with its ticket's link."""
    carried = _notifications_by_mail(rows)
    return [_digest_mail(row, carried.get(row.pk, [])) for row in rows]


def _digest_mail(row: OutboundEmail, notifications: list[Notification]) -> Rendered:
    refused = _recipient_check(notifications[0] if notifications else None)
    if refused is not None:
        return refused
    lines = []
    for notification in notifications:
        ticket = notification.message.ticket
        lines.append(
            f"- {ticket.tag} {notification_summary(notification)}: {ticket.subject}\n"
            f"  {desk_link(ticket)}"
        )
    subject, body = mail_template_for(key=MailTemplate.Key.NOTIFICATION_DIGEST)
    values = dict.fromkeys(MAIL_PLACEHOLDERS, "")
    values.update(
        recipient_name=notifications[0].recipient.full_name,
        notifications="\n".join(lines),
        notifications_link=notifications_link(),
    )
    return staff_mail(row, ticket=None, mail=mail_render(subject=subject, body=body, values=values))


def staff_mail(row: OutboundEmail, *, ticket: Ticket | None, mail) -> OutgoingMail:
    """A rendered mail to a staff member (a notification, a digest, an SLA mail): plain text,
    to the row's address, marked as generated so that nobody's auto-reply answers it."""
    return OutgoingMail(
        key=row.idempotency_key,
        kind=row.kind,
        ticket=ticket,
        to=row.to,
        subject=mail.subject,
        text=mail.text,
        auto_submitted=AUTO_GENERATED,
    )


def digest_key(*, user_id: int, hour: datetime) -> str:
    return f"digest:{user_id}:{hour:%Y-%m-%dT%H}"


def notification_digests_send(*, now: datetime | None = None) -> int:
    """Write this hour's digest of everyone with notifications waiting for one; how many
    digests were written. Safe to run twice at once: the waiting notifications are locked and
    taken by one run; the other finds none, or joins them to the same hour's digest while it is
    still unsent. A digest of this hour already sent leaves late arrivals for the next hour."""
    now = now or timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    recipients = list(
        Notification.objects.filter(email_state=EmailState.DIGEST, outbound__isnull=True)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    written = 0
    for user_id in recipients:
        written += _digest_write(user_id=user_id, hour=hour)
    return written


def _digest_write(*, user_id: int, hour: datetime) -> int:
    with transaction.atomic():
        waiting = list(
            Notification.objects.select_for_update()
            .filter(recipient_id=user_id, email_state=EmailState.DIGEST, outbound__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not waiting:
            return 0
        user = User.objects.filter(pk=user_id).only("email", "is_active").first()
        if user is None or not user.is_active or not user.email:
            Notification.objects.filter(pk__in=waiting).update(email_state=EmailState.NONE)
            return 0
        row = outbox.outbox_add_many(
            [
                outbox.OutboxEntry(
                    kind=outbox.NOTIFICATION_DIGEST,
                    ticket_id=None,
                    to=user.email,
                    idempotency_key=digest_key(user_id=user_id, hour=hour),
                )
            ]
        )[0]
        if not OutboundEmail.objects.filter(
            pk=row.pk, status=OutboundEmail.Status.PENDING
        ).exists():
            return 0  # this hour's digest went out already: the next hour's takes these
        Notification.objects.filter(pk__in=waiting).update(outbound=row)
        return 1
