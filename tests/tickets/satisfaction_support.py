"""Shared by the satisfaction tests: the seeds' marks, a case a tech closes as the reply box's
"send and close" does, its survey's outbox row and mail (sent as the outbox sends it), and the
links and pages of the rating."""

import re

import pytest
from django.urls import reverse

from tickets import workflow
from tickets.mail import outbox
from tickets.models import Message, OutboundEmail, SatisfactionMark, StatusType
from tickets.satisfaction import RATING_EVENTS

# The marks migration 0020 seeds: label, score, position.
SEEDED = [
    ("Excellent, thank you", 2, 1),
    ("The answer satisfies", 1, 2),
    ("Not complete enough", -1, 3),
    ("The answer did not help", -2, 4),
]
EXCELLENT, SATISFIES, NOT_COMPLETE, DID_NOT_HELP = (label for label, _score, _pos in SEEDED)
LINK = re.compile(r"http://testserver(/support/t/[\w-]+/rate/\?mark=\d+)")


@pytest.fixture
def marks(db) -> dict[str, SatisfactionMark]:
    """The seeded marks by label (made again where a transactional test flushed them)."""
    found = {}
    for label, score, position in SEEDED:
        found[label], _ = SatisfactionMark.objects.get_or_create(
            label=label, defaults={"score": score, "position": position}
        )
    return found


def close(ticket, tech, body="Please restart the printer; that clears E-042."):
    """The tech answers and closes the case in one step, as "Send and close" does."""
    workflow.ticket_reply(
        ticket=ticket, tech=tech, body=body, internal=False, then_status=StatusType.CLOSED
    )
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def closed(marks, submit, tech):
    return close(submit(), tech)


def survey_rows(ticket=None):
    rows = OutboundEmail.objects.filter(kind=outbox.SATISFACTION_SURVEY)
    return rows.filter(ticket=ticket) if ticket is not None else rows


def survey_send(mailoutbox, ticket):
    """Send the case's survey now, as the outbox's worker does when it is due; the mail sent
    (None when it was held back)."""
    row = survey_rows(ticket).get()
    outbox.outbox_send_due(outbox_ids=[row.pk])
    row.refresh_from_db()
    sent = [
        mail for mail in mailoutbox if mail.extra_headers.get("Message-ID") == row.message_id_header
    ]
    return sent[0] if sent else None


def rating_links(mail) -> list[str]:
    """The rating links of a survey mail, as paths, in the mail's order."""
    return LINK.findall(mail.body)


def rate_url(ticket, mark=None) -> str:
    url = reverse("tickets:ticket_rate", args=[ticket.access_token])
    return f"{url}?mark={mark.pk}" if mark is not None else url


def rating_events(ticket) -> list[Message]:
    return list(
        Message.objects.filter(ticket=ticket, event_data__event__in=RATING_EVENTS).order_by("id")
    )
