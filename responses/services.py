"""Writes for canned responses: inserting one into a reply, which counts its use."""

from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from responses.models import CannedResponse, MailTemplate
from responses.placeholders import placeholder_values, placeholders_render
from responses.selectors import canned_responses_available
from tickets.models import Ticket


@transaction.atomic
def canned_response_use(*, response_id: int, ticket: Ticket, tech: User) -> str:
    """The response's text with its placeholders filled for this ticket and tech.

    Only a response available to the tech may be used (else Http404, as for anything they may
    not see). The counter is raised in the database, so simultaneous uses all count. The caller
    has already checked that the tech may see the ticket."""
    response = canned_responses_available(user=tech).filter(pk=response_id).first()
    if response is None:
        raise Http404
    CannedResponse.objects.filter(pk=response.pk).update(
        usage_count=F("usage_count") + 1, last_used_at=timezone.now()
    )
    return placeholders_render(response.body, placeholder_values(ticket=ticket, tech=tech))


def reply_with_response(current: str, response_text: str) -> str:
    """The reply the tech was writing, a blank line, then the inserted response."""
    current = current.rstrip()
    if not current:
        return response_text
    return f"{current}\n\n{response_text}"


@transaction.atomic
def mail_template_restore_default(*, template_id: int) -> MailTemplate:
    """Put the shipped default subject and text back into an admin's version of a mail (the
    version stays, with its department or mailbox, so it can be edited again from there)."""
    from responses.mail_templates import DEFAULTS

    template = MailTemplate.objects.select_for_update().get(pk=template_id)
    subject, body = DEFAULTS[template.key]
    template.subject, template.body = str(subject), str(body)
    template.save(update_fields=["subject", "body", "updated_at"])
    return template
