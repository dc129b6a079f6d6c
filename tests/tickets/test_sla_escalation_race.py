"""Exactly once, whatever runs at the same moment: two beat runs or two workers sweeping the same
cases, in real threads on their own connections, send one mail per recipient per clock and
write one event line; a case locked by someone working on it is left for the next run, not
waited for."""

import threading

import pytest

from tests.concurrency import run_in_threads
from tests.tickets.escalation_support import (
    MINUTE,
    RESPONSE,
    boss,
    case,
    colleague,
    desk,
    outsider,
    owner,
    recipients_of,
    sla_events,
    staff,
)
from tickets.models import Message, OutboundEmail, Ticket
from tickets.sla import escalation
from tickets.sla.escalation import sla_alerts_sweep

__all__ = ["boss", "case", "colleague", "desk", "outsider", "owner", "staff"]  # fixtures


def both_see_it_due(monkeypatch, count: int) -> None:
    """Every sweep finds the cases due before any of them locks one (their first look only)."""
    seen = threading.Barrier(count)
    looked = threading.local()
    real = escalation._any_due

    def any_due(now):
        found = real(now)
        if not getattr(looked, "once", False):
            looked.once = True
            seen.wait(timeout=10)
        return found

    monkeypatch.setattr(escalation, "_any_due", any_due)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_one_mail_per_recipient(case, mailoutbox, monkeypatch):
    ticket = case()
    passed = ticket.created_at + RESPONSE + MINUTE
    both_see_it_due(monkeypatch, 2)
    recorded = [None, None]

    def run(index):
        recorded[index] = sla_alerts_sweep(now=passed)

    run_in_threads(2, run)

    assert sorted(recorded) == [0, 1]
    assert len(sla_events(ticket)) == 1
    assert recipients_of() == ["maria@example.com", "tom@example.com"]
    assert sorted(mail.to[0] for mail in mailoutbox) == ["maria@example.com", "tom@example.com"]


@pytest.mark.django_db(transaction=True)
def test_sweeps_at_once_share_many_cases_out_each_alerted_once(case, monkeypatch):
    tickets = [case(subject=f"Case {n}", owned=n % 3 != 0) for n in range(12)]
    passed = tickets[-1].created_at + RESPONSE + MINUTE
    both_see_it_due(monkeypatch, 3)
    recorded = [0, 0, 0]

    def run(index):
        recorded[index] = sla_alerts_sweep(now=passed, batch=2)

    run_in_threads(3, run)

    assert sum(recorded) == 12
    for ticket in tickets:
        assert len(sla_events(ticket)) == 1
    owned, unowned = 8, 4
    assert OutboundEmail.objects.count() == owned * 2 + unowned * 3
    keys = list(OutboundEmail.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys))
    assert not Ticket.objects.filter(sla_alert_at__lte=passed).exists()


@pytest.mark.django_db(transaction=True)
def test_a_case_locked_by_a_writer_is_left_for_the_next_run(case):
    ticket = case()
    passed = ticket.created_at + RESPONSE + MINUTE
    locked, release = threading.Event(), threading.Event()

    def tech_at_work(index):
        from django.db import transaction

        with transaction.atomic():
            Ticket.objects.select_for_update().get(pk=ticket.pk)
            locked.set()
            release.wait(timeout=10)

    worker = threading.Thread(target=run_in_threads, args=(1, tech_at_work))
    worker.start()
    assert locked.wait(timeout=10)
    try:
        assert sla_alerts_sweep(now=passed) == 0  # not waited for
        assert not Message.objects.filter(event_data__event="sla_escalated").exists()
    finally:
        release.set()
        worker.join()

    assert sla_alerts_sweep(now=passed) == 1
    assert len(recipients_of()) == 2
