"""The satisfaction survey (tickets/satisfaction.py survey_queue, tickets/satisfaction_mail.py):
written to the outbox when a person closes a case, sent a few minutes later with one link per
active mark, once per case; never for cases closed automatically or as spam, nor to customers
who opted out or cannot be mailed; checked again when it goes out."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import CustomerEmail
from departments.models import Mailbox
from responses.mail_templates import mail_preview
from responses.models import MailTemplate
from tests.faults import broker_unreachable
from tests.mail.mails import mail
from tests.tickets.pending_support import days, set_waiting, waiting_days_set
from tests.tickets.satisfaction_support import (
    DID_NOT_HELP,
    EXCELLENT,
    NOT_COMPLETE,
    SATISFIES,
    close,
    closed,
    marks,
    rate_url,
    rating_links,
    survey_rows,
    survey_send,
)
from tickets import services, tasks
from tickets.mail import outbox
from tickets.mail.intake import inbound_receive
from tickets.mail.spam_verdicts import spam_verdict_change
from tickets.models import Closure, Message, OutboundEmail, SatisfactionMark, StatusType
from tickets.satisfaction import SURVEY_DELAY, rating_record, survey_opt_out_set
from tickets.sla.pending import pending_steps_sweep

pytestmark = pytest.mark.django_db
__all__ = ["closed", "marks"]  # fixtures

Status = OutboundEmail.Status


# Written when a person closes the case


def test_closing_a_case_writes_one_survey_due_a_few_minutes_later(closed):
    row = survey_rows(closed).get()

    assert row.status == Status.PENDING
    assert row.to == "vera@example.org"
    assert row.idempotency_key == f"satisfaction_survey:{closed.pk}"
    closing = Closure.objects.get(ticket=closed)
    assert row.next_attempt_at == pytest.approx(
        closing.closed_at + SURVEY_DELAY, abs=timedelta(seconds=5)
    )


def test_the_closing_reply_goes_at_commit_and_the_survey_waits_for_the_sweep(
    marks, submit, tech, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = submit()
    OutboundEmail.objects.all().delete()  # the confirmation of the request
    with django_capture_on_commit_callbacks(execute=True):
        close(ticket, tech)

    assert [m.subject for m in mailoutbox] == [f"{ticket.tag} Re: {ticket.subject}"]
    assert survey_rows(ticket).get().status == Status.PENDING
    assert tasks.outbox_sweep_due() == 0  # not due yet

    OutboundEmail.objects.filter(pk=survey_rows(ticket).get().pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    assert tasks.outbox_sweep_due() == 1
    assert survey_rows(ticket).get().status == Status.SENT
    assert len(mailoutbox) == 2


def test_the_survey_mail_has_one_link_per_active_mark_in_order_and_an_opt_out(
    closed, marks, mailoutbox
):
    SatisfactionMark.objects.filter(pk=marks[DID_NOT_HELP].pk).update(is_active=False)

    sent = survey_send(mailoutbox, closed)

    assert sent.subject == f"{closed.tag} How did we do? {closed.subject}"
    assert sent.to == ["vera@example.org"]
    assert rating_links(sent) == [
        rate_url(closed, marks[label]) for label in (EXCELLENT, SATISFIES, NOT_COMPLETE)
    ]
    assert f"- {EXCELLENT}: http://testserver{rate_url(closed, marks[EXCELLENT])}" in sent.body
    assert f"http://testserver/support/t/{closed.access_token}/surveys/" in sent.body
    assert "change your answer within 14 days" in sent.body
    html = sent.alternatives[0][0]
    assert f'href="http://testserver{rate_url(closed, marks[SATISFIES])}"' in html.replace(
        "&amp;", "&"
    )
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"


def test_the_survey_threads_into_the_conversation_and_comes_from_the_ticket_mailbox(
    marks, department, tech, mailoutbox
):
    box = Mailbox.objects.create(
        name="Support",
        department=department,
        email_address="support@example.test",
        host="127.0.0.1",
        username="support",
    )
    raw = mail(sender="Vera <vera@example.org>", to=box.email_address, subject="Printer")
    ticket = inbound_receive(raw=raw, channel="imap", mailbox=box).inbound.ticket
    close(ticket, tech)
    reply = Message.objects.get(ticket=ticket, kind=Message.Kind.REPLY)

    sent = survey_send(mailoutbox, ticket)

    assert sent.from_email == "support@example.test"
    assert sent.extra_headers["In-Reply-To"] == reply.email_message_id


def test_with_change_days_zero_the_mail_promises_no_change(closed, mailoutbox, settings):
    settings.SATISFACTION_CHANGE_DAYS = 0

    sent = survey_send(mailoutbox, closed)

    assert "change your answer" not in sent.body
    assert len(rating_links(sent)) == 4


# Not asked


def test_a_case_closed_automatically_after_waiting_asks_nothing(marks, department, submit, tech):
    waiting_days_set(department, remind=None, close=2)
    ticket = set_waiting(submit(), tech)

    pending_steps_sweep(now=ticket.pending_since + days(2))

    ticket.refresh_from_db()
    assert ticket.status_type == StatusType.CLOSED
    assert Closure.objects.get(ticket=ticket).reason == Closure.Reason.AUTO_CLOSED
    assert not survey_rows(ticket).exists()


@pytest.fixture
def mailbox_of(department):
    return Mailbox.objects.create(
        name="Support",
        department=department,
        email_address="support@example.test",
        host="127.0.0.1",
        username="support",
    )


def test_a_case_closed_as_spam_asks_nothing(marks, mailbox_of, tech):
    raw = mail(sender="Prize <prize@lottery.example>", to=mailbox_of.email_address)
    inbound = inbound_receive(raw=raw, channel="imap", mailbox=mailbox_of).inbound

    spam_verdict_change(inbound=inbound, is_spam=True, by=tech)

    assert Closure.objects.get(ticket=inbound.ticket).reason == Closure.Reason.SPAM
    assert not survey_rows().exists()


def test_a_survey_of_a_case_marked_spam_after_it_closed_is_held_back(
    marks, mailbox_of, tech, mailoutbox
):
    raw = mail(sender="Prize <prize@lottery.example>", to=mailbox_of.email_address)
    inbound = inbound_receive(raw=raw, channel="imap", mailbox=mailbox_of).inbound
    close(inbound.ticket, tech)
    spam_verdict_change(inbound=inbound, is_spam=True, by=tech)

    assert survey_send(mailoutbox, inbound.ticket) is None
    row = survey_rows(inbound.ticket).get()
    assert (row.status, row.error) == (Status.HELD, "The case was marked as spam.")


def test_a_customer_who_opted_out_is_not_asked(marks, submit, tech):
    ticket = submit()
    survey_opt_out_set(customer=ticket.customer, opt_out=True)

    close(ticket, tech)

    assert not survey_rows().exists()


def test_a_customer_without_an_address_is_not_asked(marks, submit, tech):
    ticket = submit()
    CustomerEmail.objects.filter(customer=ticket.customer).delete()

    close(ticket, tech)

    assert not survey_rows().exists()


def test_without_an_active_mark_nobody_is_asked(marks, submit, tech):
    SatisfactionMark.objects.update(is_active=False)

    close(submit(), tech)

    assert not survey_rows().exists()


def test_a_customer_who_opts_out_after_the_survey_was_written_gets_none(closed, mailoutbox):
    survey_opt_out_set(customer=closed.customer, opt_out=True)

    assert survey_send(mailoutbox, closed) is None
    assert survey_rows(closed).get().error == "The customer asked for no satisfaction surveys."


def test_a_case_rated_on_its_page_before_the_survey_went_out_gets_none(closed, marks, mailoutbox):
    rating_record(ticket=closed, mark=marks[EXCELLENT])

    assert survey_send(mailoutbox, closed) is None
    assert survey_rows(closed).get().error == (
        "The customer rated the case before the survey went out."
    )


# Once per case


def test_a_case_reopened_and_closed_again_after_its_survey_went_out_is_not_asked_again(
    closed, tech, mailoutbox
):
    assert survey_send(mailoutbox, closed) is not None
    services.ticket_reply_from_customer(ticket=closed, body="It came back.")
    close(closed, tech, body="Replaced the fuser.")

    row = survey_rows(closed).get()
    assert row.status == Status.SENT
    outbox.outbox_send_due(outbox_ids=[row.pk])
    assert len([m for m in mailoutbox if "How did we do?" in m.subject]) == 1
    assert Closure.objects.filter(ticket=closed).count() == 2


def test_a_survey_held_because_the_case_reopened_goes_out_at_the_next_closing(
    closed, tech, mailoutbox
):
    services.ticket_reply_from_customer(ticket=closed, body="One more question.")
    assert survey_send(mailoutbox, closed) is None
    assert survey_rows(closed).get().error == "The case was reopened before the survey went out."

    close(closed, tech, body="Answered.")

    row = survey_rows(closed).get()
    assert (row.status, row.error, row.attempts) == (Status.PENDING, "", 0)
    assert survey_send(mailoutbox, closed) is not None


def test_asking_twice_for_one_closing_writes_one_row(closed):
    from tickets.satisfaction import survey_queue

    closure = Closure.objects.get(ticket=closed)
    survey_queue(ticket=closed, closure=closure)

    assert survey_rows(closed).count() == 1


# When things fail


def test_closing_while_the_broker_is_down_succeeds_and_the_survey_is_sent_once_later(
    marks, submit, tech, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = submit()
    OutboundEmail.objects.all().delete()  # the confirmation of the request
    with broker_unreachable(), django_capture_on_commit_callbacks(execute=True):
        close(ticket, tech)

    assert ticket.status_type == StatusType.CLOSED
    row = survey_rows(ticket).get()
    assert row.status == Status.PENDING
    OutboundEmail.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert tasks.outbox_sweep_due() == 2  # the reply and the survey, now the broker is back
    OutboundEmail.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert tasks.outbox_sweep_due() == 0
    assert len([m for m in mailoutbox if "How did we do?" in m.subject]) == 1


# The editable template


def test_an_admins_version_of_the_survey_is_used_for_the_department(closed, department, mailoutbox):
    MailTemplate.objects.create(
        key=MailTemplate.Key.SATISFACTION_SURVEY,
        department=department,
        subject="Rate us",
        body="Pick one:\n{{ rating_links }}\nStop these: {{ survey_opt_out_link }}",
    )

    sent = survey_send(mailoutbox, closed)

    assert sent.subject == f"{closed.tag} Rate us"
    assert len(rating_links(sent)) == 4
    assert sent.body.startswith("Pick one:\n- Excellent, thank you: http://testserver/")


def test_a_survey_template_with_an_unknown_placeholder_is_refused():
    template = MailTemplate(
        key=MailTemplate.Key.SATISFACTION_SURVEY, subject="Rate", body="{{ rating_buttons }}"
    )

    with pytest.raises(ValidationError, match="rating_buttons"):
        template.full_clean()


def test_the_admin_preview_shows_example_links():
    from responses.mail_defaults import DEFAULTS

    subject, body = DEFAULTS[MailTemplate.Key.SATISFACTION_SURVEY]
    preview = mail_preview(
        key=MailTemplate.Key.SATISFACTION_SURVEY, subject=str(subject), body=str(body)
    )

    assert "How did we do?" in preview.subject
    assert "- Excellent, thank you: https://helpdesk.example.com/support/t/" in preview.text
    assert "/surveys/" in preview.text
    assert "{{" not in preview.text
