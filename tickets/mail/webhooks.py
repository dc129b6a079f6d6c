"""Inbound mail by webhook: django-anymail turns the ESP's post (Mailgun, Postmark, SendGrid…,
whichever ANYMAIL_ESP names) into its inbound signal, and the mail goes through the same intake
as polled mail, with the same dedupe."""

import logging

from anymail.signals import inbound
from django.dispatch import receiver

from accounts.models import normalize_email_address
from departments.models import Mailbox
from tickets.mail.intake import inbound_receive
from tickets.models import InboundEmail

logger = logging.getLogger(__name__)


def mailbox_for_recipients(addresses: list[str]) -> Mailbox | None:
    wanted = [normalize_email_address(address) for address in addresses if address]
    return Mailbox.objects.filter(email_address__in=wanted, is_active=True).first()


@receiver(inbound, dispatch_uid="tickets_inbound_webhook")
def inbound_webhook_receive(sender, event, esp_name, **kwargs):
    message = event.message
    if message is None:
        return
    recipients = [address.addr_spec for address in (message.to or []) + (message.cc or [])]
    result = inbound_receive(
        raw=message.as_bytes(),
        channel=InboundEmail.Channel.WEBHOOK,
        mailbox=mailbox_for_recipients(recipients),
        server_uid=f"{esp_name}:{event.event_id or ''}"[:255],
    )
    logger.info("inbound %s mail %s: %s", esp_name, result.inbound.pk, result.inbound.status)
