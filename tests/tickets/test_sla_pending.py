"""Pending reminders and auto-close (tickets/sla/pending.py): a case waiting for its customer
sends them the editable reminder once after the department's reminder days, and closes itself
the auto-close days later with no answer. Time is moved with the sweep's `now`. Two sweeps at
once: test_sla_pending_race.py."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Department
from responses.models import MailTemplate
from tests.mail.mails import mail
from tests.tickets.pending_support import (
    CLOSE_AFTER,
    NOTHING,
    REMIND_AFTER,
    closed_events,
    days,
    events,
    reminded_events,
    reminder_mails,
    reminder_rows,
    set_waiting,
    skipped_events,
    waiting,
    waiting_days_set,
    waiting_department,
)
from tickets import services, tasks, workflow
from tickets.mail import outbox
from tickets.mail.intake import inbound_receive
from tickets.models import Message, OutboundEmail, StatusType
from tickets.sla.pending import pending_steps_sweep
from tickets.sla.recompute import stale_clocks_recompute

pytestmark = pytest.mark.django_db
__all__ = ["waiting", "waiting_department"]  # fixtures


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """The sweep at a moment after the case started waiting, with what its commit sends."""

    def sweep(ticket, after, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return pending_steps_sweep(now=ticket.pending_since + after, **kwargs)

    return sweep


def counts(**done):
    return {**NOTHING, **done}


# The reminder


def test_a_waiting_case_knows_when_its_reminder_is_due_and_its_clocks_are_paused(waiting):
    assert waiting.status_type == StatusType.PENDING
    assert waiting.pending_action_at == waiting.pending_since + days(REMIND_AFTER)
    assert waiting.pending_reminded_at is None
    assert waiting.due_at is None


def test_the_reminder_waits_for_its_day(waiting, sweep, mailoutbox):
    assert sweep(waiting, days(REMIND_AFTER) - days(1 / 24)) == NOTHING

    assert reminder_rows().count() == 0
    assert reminder_mails(mailoutbox, waiting) == []


def test_a_case_waiting_the_reminder_days_sends_its_customer_one_reminder_mail(
    waiting, sweep, mailoutbox
):
    reply = Message.objects.get(ticket=waiting, kind=Message.Kind.REPLY)

    assert sweep(waiting, days(REMIND_AFTER)) == counts(reminded=1)

    [sent] = reminder_mails(mailoutbox, waiting)
    assert sent.to == ["vera@example.org"]
    assert sent.subject == f"[#{waiting.number}] We are waiting for your answer: {waiting.subject}"
    assert f"waiting for your answer on [#{waiting.number}] {waiting.subject}" in sent.body
    assert waiting.access_token in sent.body
    assert f"within {CLOSE_AFTER} days, we will close the request" in sent.body
    # Threaded into the conversation like a reply.
    [event] = reminded_events(waiting)
    assert sent.extra_headers["Message-ID"] == event.email_message_id
    assert sent.extra_headers["In-Reply-To"] == reply.email_message_id
    assert reply.email_message_id in sent.extra_headers["References"].split()
    assert event.emailed_at is not None
    assert event.event_data["days"] == REMIND_AFTER


def test_the_reminder_moves_the_case_on_to_its_auto_close(waiting, sweep):
    now = waiting.pending_since + days(REMIND_AFTER)

    sweep(waiting, days(REMIND_AFTER))

    waiting.refresh_from_db()
    assert waiting.status_type == StatusType.PENDING
    assert waiting.pending_reminded_at == now
    assert waiting.pending_action_at == now + days(CLOSE_AFTER)
    assert waiting.due_at is None


def test_a_second_sweep_sends_no_second_reminder(waiting, sweep, mailoutbox):
    sweep(waiting, days(REMIND_AFTER))

    assert sweep(waiting, days(REMIND_AFTER)) == NOTHING
    assert sweep(waiting, days(REMIND_AFTER + 1)) == NOTHING

    assert reminder_rows().count() == 1
    assert len(reminder_mails(mailoutbox, waiting)) == 1
    assert len(reminded_events(waiting)) == 1


def test_the_reminder_line_is_for_staff_only(waiting, sweep, client, tech):
    sweep(waiting, days(REMIND_AFTER))

    client.force_login(tech)
    desk = client.get(reverse("tickets:desk_ticket", args=[waiting.number])).content.decode()
    client.logout()
    customer = client.get(
        reverse("tickets:ticket_by_token", args=[waiting.access_token])
    ).content.decode()

    line = f"Reminder sent to the customer after {REMIND_AFTER} days of waiting for their answer"
    assert f'{line} · <i class="bi bi-envelope-check" aria-hidden="true"></i> emailed' in desk
    assert "Reminder sent" not in customer


def test_a_customer_who_answers_before_the_reminder_gets_none(waiting, sweep, mailoutbox):
    since = waiting.pending_since
    services.ticket_reply_from_customer(ticket=waiting, body="Yes, with every job.")

    waiting.refresh_from_db()
    assert waiting.status_type == StatusType.OPEN
    assert (waiting.pending_since, waiting.pending_action_at) == (None, None)
    assert pending_steps_sweep(now=since + days(30)) == NOTHING
    assert reminder_rows().count() == 0
    assert reminder_mails(mailoutbox, waiting) == []


def test_a_tech_who_takes_the_case_out_of_waiting_stops_its_steps(waiting, tech):
    since = waiting.pending_since

    workflow.ticket_status_change(ticket=waiting, author=tech, status_type=StatusType.OPEN)

    waiting.refresh_from_db()
    assert waiting.pending_action_at is None
    assert pending_steps_sweep(now=since + days(30)) == NOTHING


def test_a_customer_without_an_email_address_is_not_reminded_but_the_step_is_recorded(
    waiting, sweep, mailoutbox, client, tech
):
    waiting.customer.emails.all().delete()

    assert sweep(waiting, days(REMIND_AFTER)) == counts(skipped=1)

    assert reminder_rows().count() == 0
    assert reminder_mails(mailoutbox, waiting) == []
    [line] = skipped_events(waiting)
    assert line.event_data["reason"] == "no_address"
    client.force_login(tech)
    desk = client.get(reverse("tickets:desk_ticket", args=[waiting.number])).content.decode()
    assert "No reminder sent after 3 days of waiting: the customer has no email address" in desk
    # A case nobody can reach still closes when its time is up.
    assert sweep(waiting, days(REMIND_AFTER + CLOSE_AFTER)) == counts(closed=1)


def test_a_reminder_not_yet_sent_when_the_customer_answers_is_held_back(waiting, mailoutbox):
    pending_steps_sweep(now=waiting.pending_since + days(REMIND_AFTER))  # its commit not run
    row = reminder_rows().get()
    services.ticket_reply_from_customer(ticket=waiting, body="Sorry, I was away. Yes.")

    assert outbox.outbox_send_due(outbox_ids=[row.pk]) == 0

    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.HELD
    assert row.error == "The case is no longer waiting for the customer."
    assert reminder_mails(mailoutbox, waiting) == []


def test_the_customers_mail_answer_to_the_reminder_threads_back_and_resumes_the_clocks(
    waiting, sweep, mailbox, mailoutbox, django_capture_on_commit_callbacks
):
    sweep(waiting, days(REMIND_AFTER))
    [reminder] = reminder_mails(mailoutbox, waiting)
    answer = mail(
        subject="Re: waiting",  # no tag: found by the reminder's Message-ID alone
        body="It happens with every job, sorry for the delay.",
        in_reply_to=reminder.extra_headers["Message-ID"],
    )

    with django_capture_on_commit_callbacks(execute=True):
        inbound_receive(raw=answer, channel="imap", mailbox=mailbox)

    waiting.refresh_from_db()
    assert Message.objects.filter(ticket=waiting, kind=Message.Kind.CUSTOMER).count() == 2
    assert waiting.status_type == StatusType.OPEN
    assert (waiting.pending_since, waiting.pending_reminded_at) == (None, None)
    assert waiting.pending_action_at is None
    assert waiting.due_at is not None
    assert pending_steps_sweep(now=waiting.created_at + days(30)) == NOTHING


def test_a_customer_answer_after_the_reminder_resumes_the_clocks(waiting, sweep):
    deadline = waiting.resolution_due_at
    sweep(waiting, days(REMIND_AFTER))

    services.ticket_reply_from_customer(ticket=waiting, body="Here is the photo.")

    waiting.refresh_from_db()
    assert waiting.status_type == StatusType.OPEN
    assert waiting.due_at is not None
    assert waiting.due_at >= deadline  # the time spent waiting did not count
    assert waiting.pending_reminded_at is None


def test_a_case_that_waits_again_gets_a_reminder_for_its_new_wait(waiting, sweep, tech, mailoutbox):
    sweep(waiting, days(REMIND_AFTER))
    services.ticket_reply_from_customer(ticket=waiting, body="Here is the photo.")
    set_waiting(waiting, tech, body="Thanks; does the new driver help?")

    assert sweep(waiting, days(REMIND_AFTER)) == counts(reminded=1)

    assert reminder_rows(waiting).count() == 2
    assert len(reminder_mails(mailoutbox, waiting)) == 2


# The auto-close


def test_the_case_closes_itself_the_autoclose_days_after_the_reminder(
    waiting, sweep, mailoutbox, client, tech
):
    sweep(waiting, days(REMIND_AFTER))
    assert sweep(waiting, days(REMIND_AFTER + CLOSE_AFTER) - days(1 / 24)) == NOTHING

    assert sweep(waiting, days(REMIND_AFTER + CLOSE_AFTER)) == counts(closed=1)

    waiting.refresh_from_db()
    assert waiting.status_type == StatusType.CLOSED
    assert waiting.closed_at is not None
    assert (waiting.pending_since, waiting.pending_action_at, waiting.due_at) == (None, None, None)
    [line] = closed_events(waiting)
    assert line.event_data["days"] == REMIND_AFTER + CLOSE_AFTER
    assert line.author is None
    assert events(waiting, "status_changed")[-1].event_data["to"] == waiting.status.name
    assert len(reminder_mails(mailoutbox, waiting)) == 1  # no second mail to the customer
    client.force_login(tech)
    desk = client.get(reverse("tickets:desk_ticket", args=[waiting.number])).content.decode()
    assert "Closed automatically: no answer from the customer for 7 days" in desk


def test_a_closed_case_is_closed_once(waiting, sweep):
    sweep(waiting, days(REMIND_AFTER))
    sweep(waiting, days(REMIND_AFTER + CLOSE_AFTER))

    assert sweep(waiting, days(REMIND_AFTER + CLOSE_AFTER + 10)) == NOTHING
    assert len(closed_events(waiting)) == 1


def test_without_reminders_the_case_closes_the_autoclose_days_after_it_started_waiting(
    department, submit, tech, sweep, mailoutbox
):
    waiting_days_set(department, remind=None, close=5)
    ticket = set_waiting(submit(), tech)
    assert ticket.pending_action_at == ticket.pending_since + days(5)

    assert sweep(ticket, days(5)) == counts(closed=1)

    ticket.refresh_from_db()
    assert ticket.status_type == StatusType.CLOSED
    assert reminded_events(ticket) == []
    assert reminder_rows().count() == 0
    assert closed_events(ticket)[0].event_data["days"] == 5


def test_a_reminder_without_auto_close_says_nothing_about_closing(
    department, submit, tech, sweep, mailoutbox
):
    waiting_days_set(department, remind=2, close=None)
    ticket = set_waiting(submit(), tech)

    assert sweep(ticket, days(2)) == counts(reminded=1)

    [sent] = reminder_mails(mailoutbox, ticket)
    assert "close" not in sent.body
    ticket.refresh_from_db()
    assert ticket.pending_action_at is None  # nothing more to do: it waits
    assert sweep(ticket, days(400)) == NOTHING


def test_with_both_off_a_waiting_case_has_no_next_step(department, submit, tech, sweep):
    ticket = set_waiting(submit(), tech)

    assert ticket.status_type == StatusType.PENDING
    assert ticket.pending_since is not None
    assert ticket.pending_action_at is None
    assert sweep(ticket, days(400)) == NOTHING
    ticket.refresh_from_db()
    assert ticket.status_type == StatusType.PENDING


# Changing the days


def test_a_recompute_after_the_reminder_days_change_moves_the_next_step(
    waiting, waiting_department, sweep, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        department = Department.objects.get(pk=waiting_department.pk)
        department.pending_reminder_days = 1
        department.save()
    assert Department.objects.get(pk=department.pk).clocks_stale_since is not None

    stale_clocks_recompute()

    waiting.refresh_from_db()
    assert waiting.pending_action_at == waiting.pending_since + days(1)
    assert sweep(waiting, days(1)) == counts(reminded=1)


def test_a_case_due_under_the_old_days_is_rescheduled_not_reminded(
    waiting, waiting_department, sweep, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):  # drops the cached policy
        department = Department.objects.get(pk=waiting_department.pk)
        department.pending_reminder_days = 5
        department.save()

    # The recompute has not run yet: the row still says day 3.
    assert sweep(waiting, days(REMIND_AFTER)) == counts(rescheduled=1)

    waiting.refresh_from_db()
    assert waiting.pending_action_at == waiting.pending_since + days(5)
    assert reminder_mails(mailoutbox, waiting) == []
    assert sweep(waiting, days(5)) == counts(reminded=1)


# The sweep's cost and reach


def test_a_sweep_that_finds_nothing_due_costs_one_query(
    waiting_department, submit, tech, django_assert_num_queries
):
    tickets = [set_waiting(submit(subject=f"Case {n}"), tech) for n in range(4)]
    services.ticket_reply_from_customer(ticket=tickets[0], body="Answered.")

    with django_assert_num_queries(1):
        assert pending_steps_sweep(now=tickets[-1].pending_since + days(1)) == NOTHING


def test_the_sweep_takes_every_due_case_in_batches(waiting_department, submit, tech, sweep):
    tickets = [set_waiting(submit(subject=f"Case {n}"), tech) for n in range(5)]

    assert sweep(tickets[-1], days(REMIND_AFTER), batch=2) == counts(reminded=5)

    assert reminder_rows().count() == 5
    assert sweep(tickets[-1], days(REMIND_AFTER + CLOSE_AFTER), batch=2) == counts(closed=5)


def test_the_sweep_reads_as_much_for_many_due_cases_as_for_few(waiting_department, submit, tech):
    """Reads per batch are fixed (the due ids, the locked rows, the customers' addresses); each
    case then costs only its own writes."""

    def reads(count):
        tickets = [set_waiting(submit(subject=f"Case {count}-{n}"), tech) for n in range(count)]
        with CaptureQueriesContext(connection) as captured:
            pending_steps_sweep(now=tickets[-1].pending_since + days(REMIND_AFTER))
        assert reminder_rows().count() >= count
        return [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]

    assert len(reads(2)) == len(reads(6))


# The mail template, the task and the beat


def test_a_departments_own_version_of_the_reminder_is_used(
    waiting, waiting_department, sweep, mailoutbox
):
    MailTemplate.objects.create(
        key=MailTemplate.Key.PENDING_REMINDER,
        department=waiting_department,
        subject="Still there, {{ customer_first_name }}?",
        body="We close {{ ticket_tag }} in {{ autoclose_days }} days. {{ ticket_link }}",
    )

    sweep(waiting, days(REMIND_AFTER))

    [sent] = reminder_mails(mailoutbox, waiting)
    assert sent.subject == f"[#{waiting.number}] Still there, Vera?"  # the tag is always kept
    assert sent.body.startswith(f"We close [#{waiting.number}] in {CLOSE_AFTER} days.")


def test_admins_see_the_reminder_template_with_example_values(admin_client):
    template = MailTemplate.objects.create(
        key=MailTemplate.Key.PENDING_REMINDER, subject="", body=""
    )

    response = admin_client.get(reverse("admin:responses_mailtemplate_change", args=[template.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "[#1042] We are waiting for your answer: Printer shows error E-042" in html
    assert "within 7 days, we will close the request" in html
    assert "autoclose_notice" in html  # listed among the placeholders


def test_the_reminder_template_refuses_unknown_placeholders():
    template = MailTemplate(
        key=MailTemplate.Key.PENDING_REMINDER,
        subject="{{ ticket_tag }}",
        body="{{ autoclose_days }} {{ closing_secret }}",
    )
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "closing_secret" in str(error.value)


def test_the_task_runs_the_sweep_and_the_beat_runs_the_task_every_five_minutes(waiting):
    assert tasks.pending_steps_sweep() == NOTHING  # nothing due yet

    [entry] = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "tickets.tasks.pending_steps_sweep"
    ]
    assert entry["schedule"].total_seconds() == 300
    assert tasks.pending_steps_sweep.name == "tickets.tasks.pending_steps_sweep"
