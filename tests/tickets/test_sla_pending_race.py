"""Pending reminders and auto-close, exactly once: two sweeps at the same moment in real
threads (two beat runs, two workers), and a sweep racing the customer's answer."""

import threading

import pytest
from django.db import connection, transaction

from tests.concurrency import run_in_threads
from tests.tickets.pending_support import (
    CLOSE_AFTER,
    REMIND_AFTER,
    closed_events,
    days,
    events,
    reminded_events,
    reminder_mails,
    reminder_rows,
    set_waiting,
    waiting,
    waiting_department,
)
from tickets import services
from tickets.models import Message, StatusType, Ticket
from tickets.sla.pending import pending_steps_sweep

__all__ = ["waiting", "waiting_department"]  # fixtures

SWEEPS = 4


def sweeps_at_once(now):
    results = []
    run_in_threads(SWEEPS, lambda _index: results.append(pending_steps_sweep(now=now)))
    return results


@pytest.mark.django_db(transaction=True)
def test_sweeps_at_once_send_one_reminder_and_close_once(waiting, mailoutbox):
    since = waiting.pending_since

    reminders = sweeps_at_once(since + days(REMIND_AFTER))

    assert sum(result["reminded"] for result in reminders) == 1
    assert reminder_rows().count() == 1
    assert len(reminded_events(waiting)) == 1
    assert len(reminder_mails(mailoutbox, waiting)) == 1

    closes = sweeps_at_once(since + days(REMIND_AFTER + CLOSE_AFTER))

    assert sum(result["closed"] for result in closes) == 1
    waiting.refresh_from_db()
    assert waiting.status_type == StatusType.CLOSED
    assert len(closed_events(waiting)) == 1
    assert [e.event_data["to"] for e in events(waiting, "status_changed")].count(
        waiting.status.name
    ) == 1


@pytest.mark.django_db(transaction=True)
def test_sweeps_at_once_over_many_cases_take_each_once(waiting_department, submit, tech):
    tickets = [set_waiting(submit(subject=f"Case {n}"), tech) for n in range(12)]
    now = tickets[-1].pending_since + days(REMIND_AFTER)

    results = []
    run_in_threads(SWEEPS, lambda _index: results.append(pending_steps_sweep(now=now, batch=3)))

    assert sum(result["reminded"] for result in results) == 12
    assert reminder_rows().count() == 12
    assert Message.objects.filter(event_data__event="pending_reminder_sent").count() == 12


@pytest.mark.django_db(transaction=True)
def test_an_auto_close_racing_the_customers_answer_leaves_the_case_open(waiting):
    since = waiting.pending_since
    pending_steps_sweep(now=since + days(REMIND_AFTER))

    def work(index):
        if index == 0:
            pending_steps_sweep(now=since + days(REMIND_AFTER + CLOSE_AFTER))
        else:
            services.ticket_reply_from_customer(ticket=waiting, body="Still broken, sorry.")

    run_in_threads(2, work)

    ticket = Ticket.objects.get(pk=waiting.pk)
    # Whichever came first, the answer is kept and the case is open again (an answer to a
    # closed case reopens it).
    assert Message.objects.filter(ticket=ticket, body="Still broken, sorry.").count() == 1
    assert ticket.status_type == StatusType.OPEN
    assert ticket.pending_action_at is None
    assert pending_steps_sweep(now=since + days(60)) == {
        "reminded": 0,
        "skipped": 0,
        "closed": 0,
        "rescheduled": 0,
    }


@pytest.mark.django_db(transaction=True)
def test_a_case_another_transaction_holds_is_passed_over_not_waited_for(
    waiting_department, submit, tech
):
    tickets = [set_waiting(submit(subject=f"Case {n}"), tech) for n in range(3)]
    now = tickets[-1].pending_since + days(REMIND_AFTER)
    held, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                Ticket.objects.select_for_update().get(pk=tickets[0].pk)
                held.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(timeout=10)
    try:
        result = pending_steps_sweep(now=now, batch=1)
    finally:
        release.set()
        holder.join()

    assert result["reminded"] == 2
    assert reminder_rows(tickets[0]).count() == 0
    # The next run takes it.
    assert pending_steps_sweep(now=now)["reminded"] == 1
    assert reminder_rows().count() == 3
