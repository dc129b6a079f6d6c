"""The satisfaction survey mail (tickets/satisfaction.py writes it to the outbox when a case
closes): the editable SATISFACTION_SURVEY template with one link per active mark, rendered when
it is sent.

Each link is the case's secret link's rating page with the mark (`/support/t/<token>/rate/?mark=
<id>`): the token is the case's own, so no link can rate another case. Opening it records
nothing by itself (mail scanners fetch every link); the page sends the choice (see
tickets/views/satisfaction.py).

Checked again at sending, and held back with the reason: a case reopened since it closed, marked
as spam, or rated on its page already; a customer who asked for no surveys or has no address;
no mark to offer."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from responses.models import MailTemplate
from tickets.mail.outbox import Held, Rendered
from tickets.models import Message, OutboundEmail, SatisfactionMark, SatisfactionRating, Ticket
from tickets.notifications import customer_thread_mail
from tickets.satisfaction import MARKED_SPAM_EVENT, marks_active


def rating_link(ticket: Ticket, mark: SatisfactionMark) -> str:
    return (
        settings.SITE_URL
        + reverse("tickets:ticket_rate", args=[ticket.access_token])
        + f"?mark={mark.pk}"
    )


def survey_opt_out_link(ticket: Ticket) -> str:
    return settings.SITE_URL + reverse("tickets:survey_opt_out", args=[ticket.access_token])


def rating_links(ticket: Ticket, marks: list[SatisfactionMark]) -> str:
    """One line per mark: its label and its link."""
    return "\n".join(f"- {mark.label}: {rating_link(ticket, mark)}" for mark in marks)


def rating_change_notice() -> str:
    """How long the customer may add a comment or change their answer, in one sentence."""
    days = settings.SATISFACTION_CHANGE_DAYS
    if days <= 0:
        return ""
    return ngettext(
        "On the page that opens you can add a comment, or change your answer within %(days)d day.",
        "On the page that opens you can add a comment, or change your answer within %(days)d days.",
        days,
    ) % {"days": days}


def satisfaction_survey_mails(rows: list[OutboundEmail]) -> list[Rendered]:
    """The survey of each row's case, to its customer, threaded into their conversation. The
    marks, the ratings and the spam verdicts are read once for all the rows."""
    ticket_ids = [row.ticket_id for row in rows if row.ticket_id]
    marks = marks_active()
    rated = set(
        SatisfactionRating.objects.filter(ticket_id__in=ticket_ids).values_list(
            "ticket_id", flat=True
        )
    )
    spam = set(
        Message.objects.filter(
            ticket_id__in=ticket_ids,
            kind=Message.Kind.EVENT,
            event_data__event=MARKED_SPAM_EVENT,
        ).values_list("ticket_id", flat=True)
    )
    return [_survey_mail(row, marks=marks, rated=rated, spam=spam) for row in rows]


def _held_reason(ticket: Ticket | None, *, marks, rated: set[int], spam: set[int]) -> str | None:
    if ticket is None:
        return _("The case is gone.")
    if not ticket.is_closed:
        return _("The case was reopened before the survey went out.")
    if ticket.pk in spam:
        return _("The case was marked as spam.")
    if ticket.pk in rated:
        return _("The customer rated the case before the survey went out.")
    if ticket.customer.survey_opt_out:
        return _("The customer asked for no satisfaction surveys.")
    if not marks:
        return _("No satisfaction mark is active.")
    return None


def _survey_mail(row: OutboundEmail, *, marks, rated: set[int], spam: set[int]) -> Rendered:
    ticket = row.ticket
    reason = _held_reason(ticket, marks=marks, rated=rated, spam=spam)
    if reason is not None:
        return Held(reason)
    return customer_thread_mail(
        row,
        key=MailTemplate.Key.SATISFACTION_SURVEY,
        values={
            "rating_links": rating_links(ticket, marks),
            "rating_change_notice": rating_change_notice(),
            "survey_opt_out_link": survey_opt_out_link(ticket),
        },
    )
