"""Inbound mail by webhook: django-anymail turns the ESP's post (Mailgun, Postmark, SendGrid…,
whichever ANYMAIL_ESP names) into its inbound signal, and the mail goes through the same intake
as polled mail, with the same dedupe.

Only the configured ESP's inbound route exists (helpdesk/urls.py mounts
`inbound_webhook_urlpatterns`), and only once its webhook secret is set: settings refuse to start
in production without it. Whatever a post carries, it gets a clear answer and never a 500:
401 when it is not authenticated, 400 when its body is not mail as the ESP sends it (nothing is
recorded), 503 when the ESP's own API, which some ESPs need to fetch the mail, does not answer
(the ESP retries), 200 once the mail is recorded."""

import logging
from typing import NamedTuple

from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.signals import AnymailInboundEvent, inbound
from anymail.utils import get_request_basic_auth
from django.conf import settings
from django.dispatch import receiver
from django.http import HttpResponse
from django.urls import URLPattern, re_path
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string
from requests import RequestException

from accounts.models import normalize_email_address
from departments.models import Mailbox
from tickets.mail.intake import inbound_receive
from tickets.models import InboundEmail

logger = logging.getLogger(__name__)


class InboundWebhook(NamedTuple):
    route: str  # under /anymail/
    view: str  # anymail's view, by dotted path
    body: str  # what the ESP posts: "json" or "form"


# Every ESP for which anymail has an inbound webhook. Tracking webhooks are never mounted: the
# product does not use delivery events.
INBOUND_WEBHOOKS: dict[str, InboundWebhook] = {
    "amazon_ses": InboundWebhook(
        r"^amazon_ses/inbound/$", "anymail.webhooks.amazon_ses.AmazonSESInboundWebhookView", "json"
    ),
    "brevo": InboundWebhook(
        r"^brevo/inbound/$", "anymail.webhooks.brevo.BrevoInboundWebhookView", "json"
    ),
    "mailersend": InboundWebhook(
        r"^mailersend/inbound/$", "anymail.webhooks.mailersend.MailerSendInboundWebhookView", "json"
    ),
    # Mailgun sends raw MIME when the URL contains "mime", parsed fields otherwise.
    "mailgun": InboundWebhook(
        r"^mailgun/inbound(_mime)?/$", "anymail.webhooks.mailgun.MailgunInboundWebhookView", "form"
    ),
    "mailjet": InboundWebhook(
        r"^mailjet/inbound/$", "anymail.webhooks.mailjet.MailjetInboundWebhookView", "json"
    ),
    "mailtrap": InboundWebhook(
        r"^mailtrap/inbound/$", "anymail.webhooks.mailtrap.MailtrapInboundWebhookView", "json"
    ),
    # Mandrill posts inbound and tracking events to one URL; only inbound events are taken.
    "mandrill": InboundWebhook(
        r"^mandrill/$", "anymail.webhooks.mandrill.MandrillCombinedWebhookView", "form"
    ),
    "postal": InboundWebhook(
        r"^postal/inbound/$", "anymail.webhooks.postal.PostalInboundWebhookView", "json"
    ),
    "postmark": InboundWebhook(
        r"^postmark/inbound/$", "anymail.webhooks.postmark.PostmarkInboundWebhookView", "json"
    ),
    "resend": InboundWebhook(
        r"^resend/inbound/$", "anymail.webhooks.resend.ResendInboundWebhookView", "json"
    ),
    "sendgrid": InboundWebhook(
        r"^sendgrid/inbound/$", "anymail.webhooks.sendgrid.SendGridInboundWebhookView", "form"
    ),
    "sendinblue": InboundWebhook(
        r"^sendinblue/inbound/$", "anymail.webhooks.sendinblue.SendinBlueInboundWebhookView", "json"
    ),
    "sparkpost": InboundWebhook(
        r"^sparkpost/inbound/$", "anymail.webhooks.sparkpost.SparkPostInboundWebhookView", "json"
    ),
}
# Amazon SNS posts its JSON as text/plain.
_CONTENT_TYPES = {
    "json": {"application/json", "text/plain"},
    "form": {"multipart/form-data", "application/x-www-form-urlencoded"},
}


class MalformedPost(ValueError):
    """The post is authenticated but carries no mail the intake could record."""


class InboundWebhookGuard:
    """Put before anymail's view in the bases: authenticate, parse, then record, answering each
    failure with its own status. Anymail alone answers a post it cannot parse with a 500: its
    parsers raise whatever the payload provokes. A post that parses but holds no inbound mail
    (SNS subscription messages, SparkPost's ping, tracking events on Mandrill's shared URL) is
    answered 200 and records nothing."""

    content_types: set[str] = set()

    def post(self, request, *args, **kwargs):
        if self.basic_auth and not _basic_auth_matches(request, self.basic_auth):
            return _refuse(self, 401, "missing or wrong basic auth")
        if _content_length(request) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            # Told apart from a malformed post: the ESP keeps the mail and shows the refusal,
            # and the log says which setting to raise (DATA_UPLOAD_MAX_MEMORY_SIZE).
            return _refuse(self, 413, "post larger than DATA_UPLOAD_MAX_MEMORY_SIZE")
        try:
            self.run_validators(request)
        except AnymailWebhookValidationFailure as failure:
            return _refuse(self, 401, failure)
        except Exception as error:  # a body the validator cannot even read
            return _refuse(self, 400, error)
        if request.content_type not in self.content_types:
            return _refuse(self, 400, f"content type {request.content_type[:100]!r}")
        try:
            events = [
                event
                for event in self.parse_events(request)
                if isinstance(event, AnymailInboundEvent)
            ]
            for event in events:
                _check_mail(event)
        except RequestException as error:
            return _refuse(self, 503, error)
        except Exception as error:
            if _from_boto(error):  # Amazon's S3, where SES may keep the mail, did not answer
                return _refuse(self, 503, error)
            return _refuse(self, 400, error)
        for event in events:
            inbound.send(sender=self.__class__, event=event, esp_name=self.esp_name)
        return HttpResponse()


def inbound_webhook_urlpatterns(*, esp: str) -> list[URLPattern]:
    """The inbound route of `esp`, guarded; none for "" or an ESP without inbound webhooks."""
    if esp not in INBOUND_WEBHOOKS:
        return []
    webhook = INBOUND_WEBHOOKS[esp]
    anymail_view = import_string(webhook.view)
    view = type(
        f"Guarded{anymail_view.__name__}",
        (InboundWebhookGuard, anymail_view),
        {"content_types": _CONTENT_TYPES[webhook.body]},
    )
    return [re_path(webhook.route, view.as_view(), name=f"{esp}_inbound_webhook")]


def _basic_auth_matches(request, allowed: list[str]) -> bool:
    given = get_request_basic_auth(request) or ""
    return any(constant_time_compare(given, secret) for secret in allowed)


def _check_mail(event: AnymailInboundEvent) -> None:
    """A mail the intake can record has a sender and serialises to bytes; anything else is an
    ESP payload of the wrong shape (an empty JSON object makes an empty message, not an error)."""
    message = event.message
    if message is None:
        raise MalformedPost("no message")
    senders = message.get_address_header("From")
    if not any(sender.addr_spec for sender in senders):
        raise MalformedPost("no sender address")
    message.get_address_header("To")
    message.get_address_header("Cc")
    message.as_bytes()


def _from_boto(error: Exception) -> bool:
    return any(cls.__module__.startswith("botocore") for cls in type(error).__mro__)


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _refuse(view, status: int, reason) -> HttpResponse:
    # The reason is logged by type and a short text: anymail's messages can quote the whole body.
    text = reason if isinstance(reason, str) else f"{type(reason).__name__}: {reason}"
    logger.warning("inbound %s webhook refused with %s: %.200s", view.esp_name, status, text)
    response = HttpResponse(
        {
            401: "Unauthorized",
            400: "Malformed webhook post",
            413: "Too large",
            503: "Try again later",
        }[status],
        status=status,
        content_type="text/plain",
    )
    if status == 401 and view.basic_auth:
        # Amazon SNS sends credentials only after a challenge.
        response["WWW-Authenticate"] = 'Basic realm="inbound mail"'
    return response


def mailbox_for_recipients(addresses: list[str]) -> Mailbox | None:
    wanted = [
        normalize_email_address(address)
        for address in addresses
        # PostgreSQL refuses NUL in a query; no mailbox has such an address anyway.
        if address and "\x00" not in address and len(address) <= 254
    ]
    if not wanted:
        return None
    return (
        Mailbox.objects.select_related("default_tech")
        .filter(email_address__in=wanted, is_active=True)
        .first()
    )


def _server_uid(esp_name: str, event_id) -> str:
    """The ESP's id for the event as stored text: printable, without NUL, bounded."""
    text = "" if event_id is None else str(event_id)
    return "".join(ch for ch in f"{esp_name}:{text}" if ch.isprintable())[:255]


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
        server_uid=_server_uid(esp_name, event.event_id),
    )
    logger.info("inbound %s mail %s: %s", esp_name, result.inbound.pk, result.inbound.status)
