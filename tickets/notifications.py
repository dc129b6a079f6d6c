"""Mail the product sends about tickets, from the admin-editable templates
(responses/mail_templates.py), through the idempotent outbox (tickets/mail/outbound.py)."""

from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from accounts.signatures import signature_attach, signature_for_email
from responses.mail_templates import mail_render, mail_template_for, mail_values
from responses.models import MailTemplate
from tickets.mail.outbound import (
    AUTO_GENERATED,
    AUTO_REPLIED,
    OutgoingMail,
    outbound_prepare,
    outbound_send,
    outbound_send_many,
)
from tickets.models import AnswerPreference, InboundEmail, Message, OutboundEmail, Ticket


def ticket_secret_link(ticket: Ticket) -> str:
    return settings.SITE_URL + reverse("tickets:ticket_by_token", args=[ticket.access_token])


def customer_address(ticket: Ticket) -> str | None:
    address = ticket.customer.emails.order_by("-is_primary", "id").first()
    return address.email if address else None


def ticket_from_address(ticket: Ticket) -> str | None:
    """Mail about a ticket comes from a mailbox the product polls, so that answers to it come
    back: the mailbox the ticket arrived through, else its department's first active one, else
    DEFAULT_FROM_EMAIL (None)."""
    inbound = ticket.inbound_emails.filter(mailbox__is_active=True).select_related("mailbox")
    first = inbound.order_by("received_at").first()
    if first is not None:
        return first.mailbox.email_address
    mailbox = ticket.department.mailboxes.filter(is_active=True).order_by("pk").first()
    return mailbox.email_address if mailbox else None


def thread_message_ids(ticket: Ticket, *, before: Message | None = None) -> list[str]:
    """The Message-IDs of the thread so far (mail sent and mail received), oldest first."""
    messages = ticket.messages.exclude(email_message_id="")
    if before is not None:
        messages = messages.filter(created_at__lte=before.created_at).exclude(pk=before.pk)
    return list(messages.order_by("created_at", "id").values_list("email_message_id", flat=True))


def ticket_confirmation_email_send(*, ticket_id: int) -> bool:
    """Email the customer their ticket number and secret link, once."""
    ticket = Ticket.objects.select_related("customer", "department", "status").get(pk=ticket_id)
    address = customer_address(ticket)
    if address is None:
        return False
    subject, body = mail_template_for(
        key=MailTemplate.Key.CONFIRMATION, department=ticket.department
    )
    mail = mail_render(
        subject=subject,
        body=body,
        values=mail_values(ticket=ticket, link=ticket_secret_link(ticket)),
    )
    sent = outbound_send(
        key=f"confirmation:{ticket.pk}",
        kind="confirmation",
        ticket=ticket,
        to=address,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        auto_submitted=AUTO_REPLIED,
        from_email=ticket_from_address(ticket),
    )
    if sent:
        Ticket.objects.filter(pk=ticket.pk).update(confirmation_sent_at=timezone.now())
    return sent


def ticket_reply_email_send(*, message_id: int) -> bool:
    """Email a public reply to the customer, once: [#number] in the subject, a Message-ID kept
    on the message for threading, In-Reply-To / References to the thread's earlier mail, and
    the tech's signature. Customers who asked only to be told get a notice with the link."""
    message = Message.objects.select_related(
        "ticket", "ticket__customer", "ticket__department", "ticket__status", "author"
    ).get(pk=message_id)
    if message.kind != Message.Kind.REPLY or message.awaiting_approval:
        return False
    ticket = message.ticket
    address = customer_address(ticket)
    if address is None:
        return False
    full_text = ticket.answer_preference == AnswerPreference.ANSWER_BY_EMAIL
    key = MailTemplate.Key.REPLY if full_text else MailTemplate.Key.REPLY_NOTICE
    text = message.body
    if full_text and message.attachments.exists():
        text += "\n\n" + _("Attached files are waiting for you at the link below.")
    subject, body = mail_template_for(key=key, department=ticket.department)
    values = mail_values(
        ticket=ticket, link=ticket_secret_link(ticket), tech=message.author, message=text
    )
    mail = mail_render(subject=subject, body=body, values=values)
    text_part, html_part = mail.text, mail.html
    signature = signature_for_email(message.author) if message.author else None
    if signature is not None:
        if signature.text:
            text_part += f"\n\n-- \n{signature.text}"
        html_part = mark_safe(f'{html_part}<div style="color:#495057">{signature.html}</div>')
    earlier = thread_message_ids(ticket, before=message)
    outbound = outbound_prepare(
        key=f"reply:{message.pk}", kind="reply", ticket=ticket, to=address, subject=mail.subject
    )
    if message.email_message_id != outbound.message_id_header:
        Message.objects.filter(pk=message.pk).update(email_message_id=outbound.message_id_header)
    sent = outbound_send(
        key=f"reply:{message.pk}",
        kind="reply",
        ticket=ticket,
        to=address,
        subject=mail.subject,
        text=text_part,
        html=html_part,
        auto_submitted=AUTO_GENERATED,
        in_reply_to=earlier[-1] if earlier else "",
        references=earlier,
        decorate=(lambda m: signature_attach(m, signature)) if signature else None,
        from_email=ticket_from_address(ticket),
    )
    if sent:
        with transaction.atomic():
            Message.objects.filter(pk=message.pk).update(emailed_at=timezone.now())
    return sent


def inbound_auto_response_email_send(*, inbound_id: int) -> bool:
    return inbound_auto_responses_email_send(inbound_ids=[inbound_id]) == 1


def inbound_auto_responses_email_send(*, inbound_ids: list[int]) -> int:
    """Acknowledge new tickets that arrived by mail, each once, and at most
    MAIL_AUTO_RESPONSES_PER_HOUR times an hour to one sender, so two auto-responders can never
    keep each other busy. A batch of mails costs a few queries, not a few per mail; how many
    went out now is returned."""
    inbounds = list(
        InboundEmail.objects.filter(pk__in=inbound_ids, ticket__isnull=False)
        .exclude(from_address="")
        .select_related("mailbox", "ticket__customer", "ticket__department", "ticket__status")
        .order_by("pk")
    )
    if not inbounds:
        _auto_responses_handled(inbound_ids)  # nothing to answer: no ticket or no address
        return 0
    keys = {inbound.pk: f"auto_response:{inbound.pk}" for inbound in inbounds}
    recent = Counter(
        dict(
            OutboundEmail.objects.filter(
                kind="auto_response",
                to__in={inbound.from_address for inbound in inbounds},
                created_at__gte=timezone.now() - timedelta(hours=1),
            )
            .exclude(idempotency_key__in=keys.values())
            .values("to")
            .annotate(count=Count("pk"))
            .values_list("to", "count")
        )
    )
    templates = {}
    mails = []
    held = set()  # held back by the hourly limit: handled, never to be sent
    for inbound in inbounds:
        if recent[inbound.from_address] >= settings.MAIL_AUTO_RESPONSES_PER_HOUR:
            held.add(inbound.pk)
            continue
        recent[inbound.from_address] += 1
        ticket = inbound.ticket
        scope = (ticket.department_id, inbound.mailbox_id)
        if scope not in templates:
            templates[scope] = mail_template_for(
                key=MailTemplate.Key.AUTO_RESPONSE,
                department=ticket.department,
                mailbox=inbound.mailbox,
            )
        subject, body = templates[scope]
        mail = mail_render(
            subject=subject,
            body=body,
            values=mail_values(ticket=ticket, link=ticket_secret_link(ticket)),
        )
        mails.append(
            OutgoingMail(
                key=keys[inbound.pk],
                kind="auto_response",
                ticket=ticket,
                to=inbound.from_address,
                subject=mail.subject,
                text=mail.text,
                html=mail.html,
                auto_submitted=AUTO_REPLIED,
                in_reply_to=inbound.message_id_header,
                references=[inbound.message_id_header] if inbound.message_id_header else [],
                from_email=inbound.mailbox.email_address if inbound.mailbox else None,
            )
        )
    try:
        sent = outbound_send_many(mails)
    except Exception:
        # What went out (or was held back) is done; a failed one stays due for the retry or
        # the sweep.
        went_out = set(
            OutboundEmail.objects.filter(
                idempotency_key__in=[mail.key for mail in mails], status=OutboundEmail.Status.SENT
            ).values_list("idempotency_key", flat=True)
        )
        _auto_responses_handled(
            [pk for pk in inbound_ids if pk not in keys or keys[pk] in went_out or pk in held]
        )
        raise
    _auto_responses_handled(inbound_ids)
    return sent


def _auto_responses_handled(inbound_ids) -> None:
    InboundEmail.objects.filter(pk__in=inbound_ids, auto_response_due=True).update(
        auto_response_due=False
    )


def inbound_auto_responses_overdue(*, older_than: timedelta, within: timedelta) -> list[int]:
    """Mails whose auto-response is still due a while after they were taken in: the task was
    never queued (the broker was down at that moment) or gave up. Older ones are let go: an
    acknowledgement a day late helps nobody."""
    now = timezone.now()
    return list(
        InboundEmail.objects.filter(
            auto_response_due=True,
            processed_at__lt=now - older_than,
            processed_at__gte=now - within,
        )
        .order_by("processed_at")
        .values_list("pk", flat=True)[:5000]
    )


def consultation_email_send(*, message_id: int) -> bool:
    """Mail a consultation question to the consulted department's address, once. Its
    Message-ID, kept on the question, is how the department's answer finds its way back."""
    message = Message.objects.select_related(
        "ticket", "ticket__customer", "ticket__department", "ticket__status", "author"
    ).get(pk=message_id)
    consultation = message.ticket.consultations.select_related("department").get(question=message)
    ticket = message.ticket
    subject, body = mail_template_for(
        key=MailTemplate.Key.CONSULTATION, department=ticket.department
    )
    values = mail_values(
        ticket=ticket, link=ticket_secret_link(ticket), tech=message.author, message=message.body
    )
    values["ticket_link"] = ""  # the customer's private link is not for other departments
    mail = mail_render(subject=subject, body=body, values=values)
    key = f"consultation:{message.pk}"
    outbound = outbound_prepare(
        key=key,
        kind="consultation",
        ticket=ticket,
        to=consultation.department.consultation_email,
        subject=mail.subject,
    )
    if message.email_message_id != outbound.message_id_header:
        Message.objects.filter(pk=message.pk).update(email_message_id=outbound.message_id_header)
    return outbound_send(
        key=key,
        kind="consultation",
        ticket=ticket,
        to=consultation.department.consultation_email,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        from_email=ticket_from_address(ticket),
    )
