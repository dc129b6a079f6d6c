"""Mail the product sends about tickets. (Admin-editable templates replace these files with
the email channel; the subjects keep the [#number] tag either way.)"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.models import Ticket


def ticket_secret_link(ticket: Ticket) -> str:
    return settings.SITE_URL + reverse("tickets:ticket_by_token", args=[ticket.access_token])


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
        address = ticket.customer.emails.order_by("-is_primary", "id").first()
        if address is None:
            return False
        context = {"ticket": ticket, "link": ticket_secret_link(ticket)}
        message = EmailMultiAlternatives(
            subject=_("%(tag)s We received your request: %(subject)s")
            % {"tag": ticket.tag, "subject": ticket.subject},
            body=render_to_string("mail/ticket_confirmation.txt", context),
            to=[address.email],
        )
        message.attach_alternative(
            render_to_string("mail/ticket_confirmation.html", context), "text/html"
        )
        message.send()
        ticket.confirmation_sent_at = timezone.now()
        ticket.save(update_fields=["confirmation_sent_at"])
        return True
