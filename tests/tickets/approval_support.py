"""Shared by the approvals tests: a trainee's ticket with a held reply, a trainee's phone ticket
with its confirmation held, and who got which mail."""

import pytest

from tickets import services, workflow
from tickets.mail import outbox
from tickets.models import Message, OutboundEmail, Source


@pytest.fixture
def trainee_ticket(submit, trainee):
    return workflow.ticket_claim_on_open(ticket=submit(), tech=trainee).ticket


@pytest.fixture
def held(trainee_ticket, trainee):
    return workflow.ticket_reply(
        ticket=trainee_ticket, tech=trainee, body="Restart the printer twice.", internal=False
    )


def customer_mail(mailoutbox):
    """What reached the customer (vera@example.org); staff are notified of approvals by mail
    too (tickets/notifying.py), and those mails are not the customer's."""
    return [mail for mail in mailoutbox if "vera@example.org" in mail.to]


def reply_rows(message):
    return OutboundEmail.objects.filter(kind=outbox.REPLY, message=message)


def to_customer(mailoutbox, ticket):
    """The mails that went to the ticket's customer (staff get notification mails too)."""
    addresses = set(ticket.customer.emails.values_list("email", flat=True))
    return [mail for mail in mailoutbox if addresses & set(mail.to)]


def to_person(mailoutbox, user):
    return [mail for mail in mailoutbox if user.email in mail.to]


def events(ticket, name):
    return list(Message.objects.filter(ticket=ticket, event_data__event=name).order_by("id"))


def trainee_phone_ticket(trainee, department, **fields):
    """A ticket the trainee enters for a caller, with its confirmation mail held for a manager."""
    values = {
        "email": "li@example.net",
        "name": "Li",
        "phone": "",
        "subject": "Phone call",
        "body": "Called.",
        "category": None,
        "department": department,
        "priority": 3,
        "source": Source.PHONE,
        "assign_to_me": True,
        "send_confirmation": True,
        **fields,
    }
    return services.ticket_create_for_customer(staff=trainee, **values)


@pytest.fixture
def held_mail(trainee, department):
    ticket = trainee_phone_ticket(trainee, department, name="Li Wei", subject="Phone call: router")
    return OutboundEmail.objects.get(ticket=ticket)
