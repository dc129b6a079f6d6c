"""Mail in, a batch at a time: a batch costs a fixed number of queries however many mails it
holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Customer
from tests.factories import DepartmentFactory
from tests.mail.mails import mail, relayed
from tickets import workflow
from tickets.mail.intake import IncomingMail, inbound_receive_many
from tickets.models import InboundEmail, Message, OutboundEmail, Ticket

pytestmark = pytest.mark.django_db

Status = InboundEmail.Status


def new_requests(count: int, start: int) -> list[IncomingMail]:
    return [
        IncomingMail(
            raw=mail(sender=f"Person {n} <person{n}@example.net>", subject=f"Request {n}"),
            server_uid=str(n),
        )
        for n in range(start, start + count)
    ]


def batch_queries(mailbox, mails: list[IncomingMail]) -> int:
    with CaptureQueriesContext(connection) as queries:
        results = inbound_receive_many(mails=mails, channel="imap", mailbox=mailbox)
    assert [r.inbound.status for r in results] == [Status.TICKET] * len(mails)
    return len(queries)


def test_a_batch_of_new_requests_costs_the_same_queries_whatever_its_size(receive, mailbox):
    receive(mail())  # warms the caches every intake reads (own addresses, blocked senders)

    small = batch_queries(mailbox, new_requests(5, start=0))
    large = batch_queries(mailbox, new_requests(40, start=5))

    # Measured: 14 queries for 5 mails, 14 for 40 (13 before notifications: their fan-out reads
    # the department's memberships once per batch and, with nobody to tell, stops there).
    assert large <= small + 2
    assert Ticket.objects.count() == 1 + 45
    assert Customer.objects.count() == 1 + 45


def reused_message_id_queries(mailbox, originals: list[bytes]) -> int:
    """Queries of taking in, as one batch, for each recorded mail a copy that came another way
    and a different mail under its Message-ID."""
    mails = [
        IncomingMail(raw=raw)
        for original in originals
        for raw in (relayed(original), original.replace(b"Since the update", b"Since Monday"))
    ]
    with CaptureQueriesContext(connection) as captured:
        results = inbound_receive_many(mails=mails, channel="imap", mailbox=mailbox)
    assert [r.duplicate for r in results] == [True, False] * len(originals)
    assert all("Message-ID" in r.inbound.error for r in results[1::2])
    return len(captured)


def test_a_batch_of_reused_message_ids_costs_the_same_queries_whatever_its_size(receive, mailbox):
    originals = [
        mail(sender=f"c{n}@example.net", subject=f"Case {n}", message_id=f"<{n}@x>")
        for n in range(45)
    ]
    for original in originals:
        receive(original)

    small = reused_message_id_queries(mailbox, originals[:5])
    large = reused_message_id_queries(mailbox, originals[5:])

    assert large <= small + 2
    assert InboundEmail.objects.count() == 2 * 45


def reply_queries(mailbox, tickets) -> int:
    """Queries of taking in, as one batch, a tagged reply from each ticket's customer."""
    mails = [
        IncomingMail(mail(sender=t.customer.emails.get().email, subject=f"Re: {t.tag}"))
        for t in tickets
    ]
    with CaptureQueriesContext(connection) as captured:
        results = inbound_receive_many(mails=mails, channel="imap", mailbox=mailbox)
    assert [r.inbound.status for r in results] == [Status.REPLY] * len(tickets)
    return len(captured)


def test_a_batch_of_replies_costs_the_same_queries_whatever_its_size(receive, mailbox):
    tickets = [
        receive(mail(sender=f"c{n}@example.net", subject=f"Case {n}")).inbound.ticket
        for n in range(45)
    ]

    small, large = reply_queries(mailbox, tickets[:5]), reply_queries(mailbox, tickets[5:])

    # Measured: 12 queries for 5 replies, 12 for 40 (11 before notifications; see above).
    assert large <= small + 2
    assert all(t.messages.filter(kind=Message.Kind.CUSTOMER).count() == 2 for t in tickets)
    assert OutboundEmail.objects.filter(kind="auto_response").count() == 45


def test_a_batch_of_replies_costs_the_same_queries_while_a_consultation_is_open(
    receive, mailbox, tech
):
    legal = DepartmentFactory(name="Legal", consultation_email="legal@example.test")
    elsewhere = receive(mail(sender="zoe@example.net")).inbound.ticket
    workflow.ticket_claim_on_open(ticket=elsewhere, tech=tech)
    workflow.ticket_consult(ticket=elsewhere, tech=tech, department=legal, question="Refund?")
    tickets = [
        receive(mail(sender=f"c{n}@example.net", subject=f"Case {n}")).inbound.ticket
        for n in range(45)
    ]

    small, large = reply_queries(mailbox, tickets[:5]), reply_queries(mailbox, tickets[5:])

    assert large <= small + 2
