"""Sending mail: every outgoing mail is an OutboundEmail row keyed by what it is for, so a task
that runs twice sends it once, and a retry after a crash re-sends under the same Message-ID.

Every mail carries Auto-Submitted (RFC 3834) and the product's loop header, so other
auto-responders, and this product's own intake, recognise it and never answer it. A header value
with a line break is refused before anything is sent."""

import logging
from collections.abc import Callable, Sequence
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tickets.models import OutboundEmail, Ticket

logger = logging.getLogger(__name__)

LOOP_HEADER = "X-Helpdesk-Loop"
AUTO_REPLIED = "auto-replied"  # an answer to a mail (confirmation, auto-response)
AUTO_GENERATED = "auto-generated"  # everything else the product sends


class UnsafeHeader(ValueError):
    """A header value carried a line break: someone tried to inject headers."""


def message_id_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "helpdesk.invalid"


def loop_token() -> str:
    """The loop header's value: this installation's host name."""
    return message_id_domain()


def _header_safe(*values: str) -> None:
    for value in values:
        if "\r" in value or "\n" in value or "\x00" in value:
            raise UnsafeHeader(value[:80])


def outbound_prepare(
    *, key: str, kind: str, ticket: Ticket | None, to: str, subject: str
) -> OutboundEmail:
    """Record the mail and give it its Message-ID, committed before any sending."""
    _header_safe(to, subject)
    with transaction.atomic():
        outbound, _created = OutboundEmail.objects.get_or_create(
            idempotency_key=key,
            defaults={
                "kind": kind,
                "ticket": ticket,
                "to": to,
                "subject": subject,
                "message_id_header": make_msgid(
                    idstring=kind.replace("_", "-"), domain=message_id_domain()
                ),
            },
        )
    return outbound


def outbound_send(
    *,
    key: str,
    kind: str,
    ticket: Ticket | None,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    auto_submitted: str = AUTO_GENERATED,
    in_reply_to: str = "",
    references: Sequence[str] = (),
    extra_headers: dict[str, str] | None = None,
    decorate: Callable[[EmailMultiAlternatives], None] | None = None,
    from_email: str | None = None,
) -> bool:
    """Send the mail identified by `key` unless it went out already; returns whether it was
    sent now. A failure is recorded on the row and raised, for the task to retry."""
    outbound = outbound_prepare(key=key, kind=kind, ticket=ticket, to=to, subject=subject)
    try:
        return _send_locked(
            outbound_id=outbound.pk,
            to=to,
            subject=subject,
            text=text,
            html=html,
            auto_submitted=auto_submitted,
            in_reply_to=in_reply_to,
            references=references,
            extra_headers=extra_headers,
            decorate=decorate,
            from_email=from_email,
        )
    except Exception as error:
        # The sending transaction rolled back; record the failure in one of its own.
        OutboundEmail.objects.filter(pk=outbound.pk).exclude(
            status=OutboundEmail.Status.SENT
        ).update(
            status=OutboundEmail.Status.FAILED,
            attempts=F("attempts") + 1,
            error=f"{type(error).__name__}: {error}"[:2000],
        )
        raise


def _send_locked(
    *,
    outbound_id: int,
    to: str,
    subject: str,
    text: str,
    html: str | None,
    auto_submitted: str,
    in_reply_to: str,
    references: Sequence[str],
    extra_headers: dict[str, str] | None,
    decorate: Callable[[EmailMultiAlternatives], None] | None,
    from_email: str | None,
) -> bool:
    with transaction.atomic():
        outbound = OutboundEmail.objects.select_for_update().get(pk=outbound_id)
        if outbound.status == OutboundEmail.Status.SENT:
            return False
        headers = {
            "Message-ID": outbound.message_id_header,
            "Auto-Submitted": auto_submitted,
            LOOP_HEADER: loop_token(),
            **(extra_headers or {}),
        }
        if in_reply_to:
            headers["In-Reply-To"] = in_reply_to
        if references:
            headers["References"] = " ".join(references[-20:])
        _header_safe(*headers.values(), from_email or "")
        mail = EmailMultiAlternatives(
            subject=subject, body=text, to=[to], headers=headers, from_email=from_email
        )
        if html is not None:
            mail.attach_alternative(html, "text/html")
        if decorate is not None:
            decorate(mail)
        mail.send()
        outbound.attempts += 1
        outbound.status = OutboundEmail.Status.SENT
        outbound.sent_at = timezone.now()
        outbound.error = ""
        outbound.save(update_fields=["status", "sent_at", "error", "attempts"])
        return True
