"""What each mail the product sends about tickets says: the outbox's rows (tickets/mail/outbox.py)
rendered, when they are sent, from the admin-editable templates (responses/mail_templates.py).

A renderer takes the outbox rows of its kind and gives, for each, the mail to send or the reason
it is held back; it only reads."""

from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from accounts.signatures import signature_attach, signature_for_email
from responses.mail_templates import mail_render, mail_template_for, mail_values
from responses.models import MailTemplate
from tickets.mail import outbox
from tickets.mail.outbound import AUTO_GENERATED, AUTO_REPLIED, OutgoingMail
from tickets.mail.outbox import Held, Rendered
from tickets.models import AnswerPreference, Message, OutboundEmail, StatusType, Ticket
from tickets.sla.pending import reminder_values
from tickets.sla.policies import Policy, policies_for


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


def customer_thread_mail(
    row: OutboundEmail,
    *,
    key: MailTemplate.Key,
    values: dict[str, str],
    before: Message | None = None,
) -> Rendered:
    """A mail the product writes by itself to the case's customer, threaded into their
    conversation like a reply: the department's `key` template with the usual placeholders and
    `values` of its own, In-Reply-To / References to the thread's mail (before `before`), from
    the case's mailbox, marked auto-generated. Held back when the customer has no address."""
    ticket = row.ticket
    address = customer_address(ticket)
    if address is None:
        return Held(_("The customer has no email address."))
    subject, body = mail_template_for(key=key, department=ticket.department)
    all_values = mail_values(ticket=ticket, link=ticket_secret_link(ticket))
    all_values.update(values)
    mail = mail_render(subject=subject, body=body, values=all_values)
    earlier = thread_message_ids(ticket, before=before)
    return OutgoingMail(
        key=row.idempotency_key,
        kind=row.kind,
        ticket=ticket,
        to=address,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        auto_submitted=AUTO_GENERATED,
        in_reply_to=earlier[-1] if earlier else "",
        references=earlier,
        from_email=ticket_from_address(ticket),
    )


def confirmation_mails(rows: list[OutboundEmail]) -> list[Rendered]:
    """A new ticket's number and secret link, to its customer."""
    return [_confirmation_mail(row) for row in rows]


def _confirmation_mail(row: OutboundEmail) -> Rendered:
    ticket = row.ticket
    address = customer_address(ticket)
    if address is None:
        return Held(_("The customer has no email address."))
    subject, body = mail_template_for(
        key=MailTemplate.Key.CONFIRMATION, department=ticket.department
    )
    mail = mail_render(
        subject=subject,
        body=body,
        values=mail_values(ticket=ticket, link=ticket_secret_link(ticket)),
    )
    return OutgoingMail(
        key=row.idempotency_key,
        kind=row.kind,
        ticket=ticket,
        to=address,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        auto_submitted=AUTO_REPLIED,
        from_email=ticket_from_address(ticket),
    )


def reply_mails(rows: list[OutboundEmail]) -> list[Rendered]:
    """A public reply, to the customer: [#number] in the subject, the row's Message-ID (kept on
    the message for threading), In-Reply-To / References to the thread's earlier mail, and the
    tech's signature. Customers who asked only to be told get a notice with the link."""
    return [_reply_mail(row) for row in rows]


def _reply_mail(row: OutboundEmail) -> Rendered:
    message, ticket = row.message, row.ticket
    if message.kind != Message.Kind.REPLY or message.awaiting_approval:
        return Held(_("Not a public reply, or not approved."))
    address = customer_address(ticket)
    if address is None:
        return Held(_("The customer has no email address."))
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
    return OutgoingMail(
        key=row.idempotency_key,
        kind=row.kind,
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


def auto_response_mails(rows: list[OutboundEmail]) -> list[Rendered]:
    """The acknowledgement of a new ticket opened by mail, to the mail's sender, threaded under
    it. One template lookup per department and mailbox, not per mail."""
    templates = {}
    rendered: list[Rendered] = []
    for row in rows:
        inbound, ticket = row.inbound, row.ticket
        if inbound is None or ticket is None or not inbound.from_address:
            rendered.append(Held(_("No ticket or no address to answer.")))
            continue
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
        rendered.append(
            OutgoingMail(
                key=row.idempotency_key,
                kind=row.kind,
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
    return rendered


def consultation_mails(rows: list[OutboundEmail]) -> list[Rendered]:
    """A consultation question, to the consulted department's address. Its Message-ID, kept on
    the question, is how the department's answer finds its way back."""
    return [_consultation_mail(row) for row in rows]


def _consultation_mail(row: OutboundEmail) -> Rendered:
    message, ticket = row.message, row.ticket
    consultation = ticket.consultations.select_related("department").get(question=message)
    subject, body = mail_template_for(
        key=MailTemplate.Key.CONSULTATION, department=ticket.department
    )
    values = mail_values(
        ticket=ticket, link=ticket_secret_link(ticket), tech=message.author, message=message.body
    )
    values["ticket_link"] = ""  # the customer's private link is not for other departments
    mail = mail_render(subject=subject, body=body, values=values)
    return OutgoingMail(
        key=row.idempotency_key,
        kind=row.kind,
        ticket=ticket,
        to=consultation.department.consultation_email,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        from_email=ticket_from_address(ticket),
    )


def pending_reminder_mails(rows: list[OutboundEmail]) -> list[Rendered]:
    """The reminder to a customer we are waiting for, threaded into the case's conversation
    like a reply (the tag in the subject, In-Reply-To / References to the thread's mail). Held
    back when the case stopped waiting, or started waiting again, before it went out."""
    policies = policies_for({row.ticket.department_id for row in rows if row.ticket})
    return [_pending_reminder_mail(row, policies) for row in rows]


def _pending_reminder_mail(row: OutboundEmail, policies: dict[int, Policy]) -> Rendered:
    ticket, event = row.ticket, row.message
    if (
        ticket is None
        or event is None
        or ticket.status_type != StatusType.PENDING
        or ticket.pending_since is None
        or event.event_data.get("since") != ticket.pending_since.isoformat()
    ):
        return Held(_("The case is no longer waiting for the customer."))
    return customer_thread_mail(
        row,
        key=MailTemplate.Key.PENDING_REMINDER,
        values=reminder_values(policies[ticket.department_id]),
        before=event,
    )


def _notification_renderers():
    # Staff notifications read the in-app list's wording (tickets/notification_mail.py).
    from tickets.notification_mail import digest_mails, notification_mails

    return {outbox.NOTIFICATION: notification_mails, outbox.NOTIFICATION_DIGEST: digest_mails}


def _sla_renderers():
    # The SLA sweep's mails to staff (tickets/sla/escalation_mail.py).
    from tickets.sla.escalation_mail import sla_mails

    return {outbox.ESCALATION: sla_mails, outbox.SLA_WARNING: sla_mails}


# Each outbox kind's renderer. An app the tickets code must not import (the reports: nothing
# imports them) adds its own mail's with renderer_register from its AppConfig.ready().
def _satisfaction_renderers():
    # The survey after a case closes (tickets/satisfaction_mail.py), which reads the helpers above.
    from tickets.satisfaction_mail import satisfaction_survey_mails

    return {outbox.SATISFACTION_SURVEY: satisfaction_survey_mails}


RENDERERS = {
    **_notification_renderers(),
    **_sla_renderers(),
    **_satisfaction_renderers(),
    outbox.CONFIRMATION: confirmation_mails,
    outbox.REPLY: reply_mails,
    outbox.AUTO_RESPONSE: auto_response_mails,
    outbox.CONSULTATION: consultation_mails,
    outbox.PENDING_REMINDER: pending_reminder_mails,
}


def renderer_register(kind: str, renderer: Callable[[list[OutboundEmail]], list[Rendered]]) -> None:
    """Render the outbox rows of `kind` with `renderer` (rows in, one Rendered per row out)."""
    RENDERERS[kind] = renderer
