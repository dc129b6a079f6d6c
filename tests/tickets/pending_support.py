"""Shared by the pending reminder and auto-close tests: a department that reminds after three
days and closes four days later, a case of it waiting for its customer (made as a tech makes
one: a public reply that sets it pending), and what the sweep left behind."""

from datetime import timedelta

import pytest

from tickets import workflow
from tickets.mail import outbox
from tickets.models import Message, OutboundEmail, StatusType
from tickets.sla.pending import AUTO_CLOSED, REMINDER_SENT, REMINDER_SKIPPED

REMIND_AFTER, CLOSE_AFTER = 3, 4
NOTHING = {"reminded": 0, "skipped": 0, "closed": 0, "rescheduled": 0}


def days(count: float) -> timedelta:
    return timedelta(days=count)


def waiting_days_set(department, *, remind, close):
    """Configure the department before any case of it exists (its policy is not cached yet)."""
    department.pending_reminder_days = remind
    department.pending_autoclose_days = close
    department.save()
    return department


@pytest.fixture
def waiting_department(department):
    return waiting_days_set(department, remind=REMIND_AFTER, close=CLOSE_AFTER)


def set_waiting(ticket, tech, body="Does it stop with every print job?"):
    """The tech answers and waits for the customer, as the reply box's "send and wait" does."""
    workflow.ticket_reply(
        ticket=ticket, tech=tech, body=body, internal=False, then_status=StatusType.PENDING
    )
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def waiting(waiting_department, submit, tech):
    return set_waiting(submit(), tech)


def reminder_rows(ticket=None):
    rows = OutboundEmail.objects.filter(kind=outbox.PENDING_REMINDER)
    return rows.filter(ticket=ticket) if ticket is not None else rows


def reminder_mails(mailoutbox, ticket):
    """The reminder mails of this ticket that went out (by their outbox rows' Message-IDs)."""
    ids = set(reminder_rows(ticket).values_list("message_id_header", flat=True))
    return [mail for mail in mailoutbox if mail.extra_headers.get("Message-ID") in ids]


def events(ticket, name):
    return list(Message.objects.filter(ticket=ticket, event_data__event=name).order_by("id"))


def reminded_events(ticket):
    return events(ticket, REMINDER_SENT)


def skipped_events(ticket):
    return events(ticket, REMINDER_SKIPPED)


def closed_events(ticket):
    return events(ticket, AUTO_CLOSED)
