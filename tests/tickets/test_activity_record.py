"""Every writer marks the thread rows that are news: the feed and notifications read nothing else.

Each case goes through the service production uses and checks the rows' `activity` and
`department` (the ticket's department when the row was written)."""

import pytest

from tests.factories import DepartmentFactory
from tests.mail.mails import mail
from tickets import services, workflow
from tickets.mail.intake import IncomingMail, inbound_receive_many
from tickets.models import Activity, Message, StatusType

pytestmark = pytest.mark.django_db


@pytest.fixture
def receive_many(mailbox, django_capture_on_commit_callbacks):
    """A batch, as a poll takes it in."""

    def receive_many(*raws):
        with django_capture_on_commit_callbacks(execute=True):
            return inbound_receive_many(
                mails=[IncomingMail(raw=raw, server_uid=str(n)) for n, raw in enumerate(raws)],
                channel="imap",
                mailbox=mailbox,
            )

    return receive_many


def activity_of(ticket) -> list[tuple[str, str, int | None]]:
    """(kind, activity, department id) of the ticket's rows that are news, oldest first."""
    return list(
        ticket.messages.exclude(activity="")
        .order_by("id")
        .values_list("kind", "activity", "department_id")
    )


def test_a_web_ticket_is_news_of_its_department(submit, department):
    ticket = submit()

    assert activity_of(ticket) == [("customer", Activity.TICKET_CREATED, department.pk)]


def test_mail_tickets_taken_in_a_batch_are_each_news(receive_many, department):
    results = receive_many(
        mail(subject="First", sender="A <a@example.org>"),
        mail(subject="Second", sender="B <b@example.org>"),
    )

    for result in results:
        assert activity_of(result.inbound.ticket) == [
            ("customer", Activity.TICKET_CREATED, department.pk)
        ]


def test_a_customer_reply_on_the_web_is_news(submit, department):
    ticket = submit()

    services.ticket_reply_from_customer(ticket=ticket, body="Any news?")

    assert activity_of(ticket)[-1] == ("customer", Activity.CUSTOMER_MESSAGE, department.pk)


def test_a_customer_reply_by_mail_is_news(receive_many, department):
    (first,) = receive_many(mail(subject="Printer"))
    ticket = first.inbound.ticket

    (reply,) = receive_many(
        mail(subject=f"Re: [#{ticket.number}] Printer", body="Still broken.", message_id=None)
    )

    assert reply.inbound.ticket == ticket
    rows = activity_of(ticket)
    assert rows[0][1] == Activity.TICKET_CREATED
    assert ("customer", Activity.CUSTOMER_MESSAGE, department.pk) in rows


def test_a_consultation_answer_is_news(
    receive_many, tech, department, django_capture_on_commit_callbacks
):
    legal = DepartmentFactory(name="Legal", consultation_email="legal@example.test")
    (first,) = receive_many(mail())
    ticket = first.inbound.ticket
    workflow.ticket_claim_on_open(ticket=ticket, tech=tech)
    with django_capture_on_commit_callbacks(execute=True):
        question = workflow.ticket_consult(
            ticket=ticket, tech=tech, department=legal, question="May we refund this?"
        )
    question.refresh_from_db()

    receive_many(
        mail(
            sender="Legal <legal@example.test>",
            subject=f"Re: [#{ticket.number}] consultation",
            body="Yes, within 14 days.",
            in_reply_to=question.email_message_id,
        )
    )

    answer = ticket.messages.get(kind=Message.Kind.CONSULTATION_IN)
    # The asking ticket's department is told, not the consulted one.
    assert (answer.activity, answer.department_id) == (Activity.CONSULTATION_ANSWER, department.pk)
    question = ticket.messages.get(kind=Message.Kind.CONSULTATION_OUT)
    assert question.activity == ""


def test_a_transfer_is_news_of_the_department_it_went_to(submit, manager, department):
    billing = DepartmentFactory(name="Billing")
    ticket = submit()

    workflow.ticket_transfer(ticket=ticket, by=manager, to_department=billing, note="Theirs")

    transfer = ticket.messages.get(event_data__event="transferred")
    assert (transfer.activity, transfer.department_id) == (Activity.TRANSFERRED, billing.pk)
    assert ticket.messages.get(kind=Message.Kind.NOTE).activity == ""


def test_a_status_change_is_news(submit, tech, department):
    ticket = submit()

    workflow.ticket_status_change(ticket=ticket, author=tech, status_type=StatusType.PENDING)

    change = ticket.messages.get(event_data__event="status_changed")
    assert (change.activity, change.department_id) == (Activity.STATUS_CHANGED, department.pk)


def test_a_trainees_held_reply_is_news_and_a_techs_reply_is_not(submit, trainee, tech, department):
    ticket = submit()
    other = submit(email="otto@example.org")

    held = workflow.ticket_reply(ticket=ticket, tech=trainee, body="Try again", internal=False)
    sent = workflow.ticket_reply(ticket=other, tech=tech, body="Try again", internal=False)
    note = workflow.ticket_reply(ticket=other, tech=tech, body="Hm", internal=True)

    held.refresh_from_db()
    assert held.awaiting_approval
    assert (held.activity, held.department_id) == (Activity.REPLY_HELD, department.pk)
    sent.refresh_from_db()
    note.refresh_from_db()
    assert (sent.activity, note.activity) == ("", "")


def test_an_approval_is_news(submit, trainee, manager, department):
    ticket = submit()
    held = workflow.ticket_reply(ticket=ticket, tech=trainee, body="Try again", internal=False)

    workflow.reply_approve(message=held, manager=manager)

    approval = ticket.messages.get(event_data__event="reply_approved")
    assert (approval.activity, approval.department_id) == (Activity.REPLY_APPROVED, department.pk)
