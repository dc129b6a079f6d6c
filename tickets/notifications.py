"""Mail the product sends about tickets. (Admin-editable templates replace these files with
the email channel; the subjects keep the [#number] tag either way.)"""

from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.signatures import signature_attach, signature_for_email
from tickets.models import AnswerPreference, Message, Ticket


def ticket_secret_link(ticket: Ticket) -> str:
    return settings.SITE_URL + reverse("tickets:ticket_by_token", args=[ticket.access_token])


def message_id_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "helpdesk.invalid"


def _customer_address(ticket: Ticket) -> str | None:
    address = ticket.customer.emails.order_by("-is_primary", "id").first()
    return address.email if address else None


def ticket_confirmation_email_send(*, ticket_id: int) -> bool:
    """Email the customer their ticket number and secret link, once. Returns whether a mail
    went out now (False when it had been sent already)."""
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("customer")
            .get(pk=ticket_id)
        )
        if ticket.confirmation_sent_at is not None:
            return False
        address = _customer_address(ticket)
        if address is None:
            return False
        context = {"ticket": ticket, "link": ticket_secret_link(ticket)}
        message = EmailMultiAlternatives(
            subject=_("%(tag)s We received your request: %(subject)s")
            % {"tag": ticket.tag, "subject": ticket.subject},
            body=render_to_string("mail/ticket_confirmation.txt", context),
            to=[address],
        )
        message.attach_alternative(
            render_to_string("mail/ticket_confirmation.html", context), "text/html"
        )
        message.send()
        ticket.confirmation_sent_at = timezone.now()
        ticket.save(update_fields=["confirmation_sent_at"])
        return True


def _message_id_assign(message_id: int) -> str:
    """Give the reply its Message-ID before anything is sent, in its own commit, so a retry
    after a crash re-sends under the same id and the customer's mail client keeps one copy."""
    with transaction.atomic():
        message = Message.objects.select_for_update().select_related("ticket").get(pk=message_id)
        if not message.email_message_id:
            message.email_message_id = make_msgid(
                idstring=f"t{message.ticket.number}.m{message.pk}", domain=message_id_domain()
            )
            message.save(update_fields=["email_message_id"])
        return message.email_message_id


def ticket_reply_email_send(*, message_id: int) -> bool:
    """Email a public reply to the customer, once: with the [#number] tag in the subject, a
    Message-ID kept for threading, and In-Reply-To / References to the thread's earlier mail.
    Customers who asked only to be told that there is an answer get the link, not the text."""
    message_header_id = _message_id_assign(message_id)
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("ticket", "ticket__customer", "author")
            .get(pk=message_id)
        )
        if (
            message.emailed_at is not None
            or message.kind != Message.Kind.REPLY
            or message.awaiting_approval
        ):
            return False
        ticket = message.ticket
        address = _customer_address(ticket)
        if address is None:
            return False
        earlier = list(
            ticket.messages.exclude(email_message_id="")
            .filter(created_at__lte=message.created_at)
            .exclude(pk=message.pk)
            .order_by("created_at", "id")
            .values_list("email_message_id", flat=True)
        )
        signature = signature_for_email(message.author) if message.author else None
        context = {
            "ticket": ticket,
            "message": message,
            "link": ticket_secret_link(ticket),
            "full_text": ticket.answer_preference == AnswerPreference.ANSWER_BY_EMAIL,
            "signature": signature,
        }
        headers = {"Message-ID": message_header_id}
        if earlier:
            headers["In-Reply-To"] = earlier[-1]
            headers["References"] = " ".join(earlier[-20:])
        mail = EmailMultiAlternatives(
            subject=_("%(tag)s Re: %(subject)s") % {"tag": ticket.tag, "subject": ticket.subject},
            body=render_to_string("mail/ticket_reply.txt", context),
            to=[address],
            headers=headers,
        )
        mail.attach_alternative(render_to_string("mail/ticket_reply.html", context), "text/html")
        if signature is not None and signature.image_bytes:
            signature_attach(mail, signature)
        mail.send()
        message.emailed_at = timezone.now()
        message.save(update_fields=["emailed_at"])
        return True
