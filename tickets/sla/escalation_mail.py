"""The escalation and at-risk warning mails as they are sent (tickets/mail/outbox.py renders each
outbox row when it sends it): the admin-editable templates (responses/mail_templates.py,
ESCALATION and SLA_WARNING) filled from the row's case, the thread's event line it was written
with (which clock, its due time) and the recipient (their name, and their time zone for the due
time). Plain text to staff, with the case's desk link."""

import contextlib
import zoneinfo

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from responses.mail_templates import mail_render, mail_template_for, mail_values
from responses.models import MailTemplate
from tickets.mail.outbox import ESCALATION, Held, Rendered
from tickets.models import OutboundEmail
from tickets.notification_mail import desk_link, staff_mail
from tickets.sla.escalation import recipient_id_of_key
from tickets.sla.wording import SLA_EVENTS, clock_name, due_text


def sla_mails(rows: list[OutboundEmail]) -> list[Rendered]:
    """Escalation or warning mails (the rows of one kind): the recipients and the cases' owners
    in one query, each department's template once."""
    wanted = {recipient_id_of_key(row.idempotency_key) for row in rows}
    wanted |= {row.ticket.assignee_id for row in rows if row.ticket is not None}
    people = User.objects.only(
        "pk", "full_name", "time_zone", "is_active", "kind", "is_superuser"
    ).in_bulk({pk for pk in wanted if pk is not None})
    templates: dict[tuple[str, int], tuple[str, str]] = {}
    return [_sla_mail(row, people=people, templates=templates) for row in rows]


def _sla_mail(row: OutboundEmail, *, people: dict[int, User], templates: dict) -> Rendered:
    ticket, event = row.ticket, row.message
    data = event.event_data if event is not None else {}
    if ticket is None or data.get("event") not in SLA_EVENTS:
        return Held(_("The case or its event line is gone."))
    recipient = people.get(recipient_id_of_key(row.idempotency_key))
    if (
        recipient is None
        or not recipient.is_active
        or not (recipient.is_tech or recipient.is_superuser)
    ):
        return Held(_("The recipient is no longer an active staff member."))
    key = MailTemplate.Key.ESCALATION if row.kind == ESCALATION else MailTemplate.Key.SLA_WARNING
    scope = (key, ticket.department_id)
    if scope not in templates:
        templates[scope] = mail_template_for(key=key, department=ticket.department)
    subject, body = templates[scope]
    owner = people.get(ticket.assignee_id)
    values = mail_values(ticket=ticket, link="")  # the customer's private link is theirs
    values.update(
        recipient_name=recipient.full_name,
        desk_link=desk_link(ticket),
        sla_clock=clock_name(data.get("clock", "")),
        due_time=_due_for(recipient, data.get("due")),
        owner_name=owner.full_name
        if owner is not None
        else _("nobody yet (the department's general pool)"),
    )
    return staff_mail(
        row, ticket=ticket, mail=mail_render(subject=subject, body=body, values=values)
    )


def _due_for(recipient: User, due: str | None) -> str:
    """The due time in the recipient's time zone (the site's when they chose none), named."""
    zone = timezone.get_default_timezone()
    if recipient.time_zone:
        with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = zoneinfo.ZoneInfo(recipient.time_zone)
    with timezone.override(zone):
        text = due_text(due)
    return _("%(time)s (%(zone)s)") % {"time": text, "zone": str(zone)} if text else ""
