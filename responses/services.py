"""Writes for canned responses: inserting one into a reply, which counts its use."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from responses.models import CannedResponse, MailTemplate
from responses.placeholders import placeholder_values, placeholders_render
from responses.selectors import canned_responses_for
from tickets.models import Ticket


@transaction.atomic
def canned_response_use(*, response_id: int, ticket: Ticket, tech: User) -> str:
    """The response's text with its placeholders filled for this ticket and tech.

    Only a response offered for this ticket may be used: a global one or one of the ticket's
    department (else Http404, as for anything they may not see). The counter is raised in the
    database, so simultaneous uses all count. The caller has already checked that the tech may
    see the ticket."""
    response = (
        canned_responses_for(user=tech, department=ticket.department).filter(pk=response_id).first()
    )
    if response is None:
        raise Http404
    CannedResponse.objects.filter(pk=response.pk).update(
        usage_count=F("usage_count") + 1, last_used_at=timezone.now()
    )
    return placeholders_render(response.body, placeholder_values(ticket=ticket, tech=tech))


@dataclass(frozen=True)
class ReplyWithResponse:
    body: str
    # Where the caret goes after the inserted text, in the browser's units (UTF-16 code units
    # of the text with plain newlines), so the tech types on right after it.
    caret: int


def reply_with_response(current: str, response_text: str, *, caret: int | None = None) -> str:
    """The reply the tech was writing with the response inserted: at `caret` (the position of
    the cursor in the browser's reply box, UTF-16 code units) when known, else appended. A blank
    line separates it from the text around it."""
    return reply_with_response_at(current, response_text, caret=caret).body


def reply_with_response_at(
    current: str, response_text: str, *, caret: int | None = None
) -> ReplyWithResponse:
    # Browsers post a textarea's line breaks as CRLF but count its cursor over plain newlines.
    current = current.replace("\r\n", "\n")
    at = None if caret is None else _code_point_index(current, caret)
    if at is None or not current[at:].strip():
        before, after = current.rstrip(), ""
    else:
        before, after = current[:at], current[at:]
    if before.strip():
        before = before.rstrip(" \t")
        before += "\n" * max(0, 2 - (len(before) - len(before.rstrip("\n"))))
    else:
        before = ""
    if after:
        after = "\n" * max(0, 2 - (len(after) - len(after.lstrip("\n")))) + after
    head = before + response_text
    return ReplyWithResponse(body=head + after, caret=_utf16_length(head))


def _code_point_index(text: str, utf16_index: int) -> int:
    """The Python index of a position the browser counts in UTF-16 code units."""
    units = 0
    for index, character in enumerate(text):
        if units >= utf16_index:
            return index
        units += 2 if ord(character) > 0xFFFF else 1
    return len(text)


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@transaction.atomic
def mail_template_restore_default(*, template_id: int) -> MailTemplate:
    """Put the shipped default subject and text back into an admin's version of a mail (the
    version stays, with its department or mailbox, so it can be edited again from there)."""
    from responses.mail_defaults import DEFAULTS

    template = MailTemplate.objects.select_for_update().get(pk=template_id)
    subject, body = DEFAULTS[template.key]
    template.subject, template.body = str(subject), str(body)
    template.save(update_fields=["subject", "body", "updated_at"])
    return template
