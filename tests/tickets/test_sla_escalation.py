"""Escalation (SPEC "SLA and escalation"): when a case's clock passes, its department's managers
and its owner (the department's techs while nobody owns it) get the escalation mail, and the
thread records it, once per clock per case. Cases are made through the services; time moves
through the sweep's `now`."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.faults import broker_unreachable
from tests.tickets.escalation_support import (
    MINUTE,
    RESOLUTION,
    RESPONSE,
    boss,
    case,
    colleague,
    desk,
    outsider,
    owner,
    recipients_of,
    sla_events,
    sla_mails,
    staff,
)
from tickets import services, tasks, workflow
from tickets.mail import outbox
from tickets.models import OutboundEmail, StatusType, Ticket
from tickets.sla.clocks import Alert
from tickets.sla.escalation import escalation_recipients, sla_alerts_sweep

pytestmark = pytest.mark.django_db

# The shared desk (tests/tickets/escalation_support.py).
__all__ = ["boss", "case", "colleague", "desk", "outsider", "owner", "staff"]

MANAGER_AND_OWNER = ["maria@example.com", "tom@example.com"]
MANAGER_AND_TECHS = ["cleo@example.com", "maria@example.com", "tom@example.com"]


def sweep(at, **kwargs) -> int:
    return sla_alerts_sweep(now=at, **kwargs)


def test_a_passed_first_response_mails_the_managers_and_the_owner_once(
    case, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = case()
    assert sweep(ticket.created_at + RESPONSE - MINUTE) == 0

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep(ticket.created_at + RESPONSE + MINUTE) == 1

    assert recipients_of() == MANAGER_AND_OWNER
    assert sorted(mail.to[0] for mail in mailoutbox) == MANAGER_AND_OWNER
    assert {row.status for row in sla_mails()} == {OutboundEmail.Status.SENT}
    ticket.refresh_from_db()
    assert ticket.sla_alerts == Alert.RESPONSE_WARNED | Alert.RESPONSE_ESCALATED
    assert ticket.sla_alert_at == ticket.resolution_due_at  # next: the resolution clock


def test_a_second_sweep_sends_nothing(case, django_capture_on_commit_callbacks):
    ticket = case()
    passed = ticket.created_at + RESPONSE + MINUTE
    sweep(passed)

    assert sweep(passed) == 0
    assert sweep(passed + 30 * MINUTE) == 0
    assert len(recipients_of()) == 2
    assert len(sla_events(ticket)) == 1


def test_an_unowned_case_mails_the_managers_and_the_departments_techs(case):
    ticket = case(owned=False)
    assert ticket.assignee is None

    sweep(ticket.created_at + RESPONSE + MINUTE)

    # Otto works elsewhere and hears nothing.
    assert recipients_of() == MANAGER_AND_TECHS


def test_recipients_are_chosen_for_many_cases_in_two_queries(case, desk, django_assert_num_queries):
    tickets = [case(), case(owned=False), case()]

    with django_assert_num_queries(2):
        found = escalation_recipients(tickets)

    roles = {pk: sorted((r.email, r.role) for r in people) for pk, people in found.items()}
    assert roles[tickets[0].pk] == [("maria@example.com", "manager"), ("tom@example.com", "owner")]
    assert roles[tickets[1].pk] == [
        ("cleo@example.com", "tech"),
        ("maria@example.com", "manager"),
        ("tom@example.com", "tech"),
    ]


def test_an_owner_who_left_is_replaced_by_the_departments_techs(case, owner):
    ticket = case()
    owner.is_active = False
    owner.save(update_fields=["is_active"])

    sweep(ticket.created_at + RESPONSE + MINUTE)

    assert recipients_of() == ["cleo@example.com", "maria@example.com"]


def test_after_the_first_reply_the_resolution_clock_escalates_on_its_own_later(case, owner):
    ticket = case()
    sweep(ticket.created_at + RESPONSE + MINUTE)
    workflow.ticket_reply(ticket=ticket, tech=owner, body="We are on our way.", internal=False)

    assert sweep(ticket.created_at + RESOLUTION - MINUTE) == 0
    assert sweep(ticket.created_at + RESOLUTION + MINUTE) == 1

    clocks = [event.event_data["clock"] for event in sla_events(ticket)]
    assert clocks == ["response", "resolution"]
    assert recipients_of() == sorted(MANAGER_AND_OWNER * 2)  # one mail per person per clock
    ticket.refresh_from_db()
    assert ticket.sla_alert_at is None
    assert sweep(ticket.created_at + 3 * RESOLUTION) == 0


def test_both_clocks_passed_at_once_give_two_escalations(case):
    ticket = case()

    assert sweep(ticket.created_at + RESOLUTION + MINUTE) == 2

    assert sorted(e.event_data["clock"] for e in sla_events(ticket)) == ["resolution", "response"]
    assert len(recipients_of()) == 4


def test_a_case_waiting_for_the_customer_is_not_escalated_until_it_runs_again(case, owner):
    ticket = case()
    workflow.ticket_status_change(ticket=ticket, author=owner, status_type=StatusType.PENDING)

    assert sweep(ticket.created_at + 10 * RESOLUTION) == 0
    assert not sla_mails().exists()

    # The customer writes back: the clock runs again with the time it had left.
    services.ticket_reply_from_customer(ticket=Ticket.objects.get(pk=ticket.pk), body="Hello?")
    ticket.refresh_from_db()
    assert ticket.sla_alert_at is not None
    assert sweep(ticket.response_due_at + MINUTE) == 1


def test_a_closed_case_is_never_escalated(case, owner):
    ticket = case()
    workflow.ticket_status_change(ticket=ticket, author=owner, status_type=StatusType.CLOSED)
    ticket.refresh_from_db()
    assert ticket.sla_alert_at is None

    assert sweep(ticket.created_at + 10 * RESOLUTION) == 0
    assert not sla_mails().exists()
    assert sla_events(ticket) == []


def test_a_reopened_case_escalates_its_new_resolution_clock(case, owner):
    ticket = case()
    sweep(ticket.created_at + RESOLUTION + MINUTE)  # both clocks escalated
    workflow.ticket_status_change(ticket=ticket, author=owner, status_type=StatusType.CLOSED)
    workflow.ticket_status_change(ticket=ticket, author=owner, status_type=StatusType.OPEN)
    ticket.refresh_from_db()
    first_due = sla_events(ticket)[-1].event_data["due"]

    assert sweep(ticket.resolution_due_at - MINUTE) == 0  # nothing for the old clocks
    assert sweep(ticket.resolution_due_at + MINUTE) == 1

    resolution = [e for e in sla_events(ticket) if e.event_data["clock"] == "resolution"]
    assert len(resolution) == 2
    assert resolution[1].event_data["due"] != first_due
    assert resolution[1].event_data["due"] == ticket.resolution_due_at.isoformat()
    assert len(recipients_of()) == 6  # 2 people × (response, resolution, new resolution)


def test_the_warning_goes_only_where_the_department_warns(case, desk):
    ticket = case()
    at_risk = ticket.risk_at + MINUTE

    assert sweep(at_risk) == 0
    assert not OutboundEmail.objects.exists()


def test_a_warning_department_warns_first_then_escalates(
    case, desk, mailoutbox, django_capture_on_commit_callbacks
):
    desk.sla_warning_enabled = True
    desk.save()
    ticket = case()
    assert ticket.sla_alert_at == ticket.risk_at  # the warning comes first

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep(ticket.risk_at + MINUTE) == 1
    assert sweep(ticket.risk_at + 2 * MINUTE) == 0

    assert recipients_of(outbox.SLA_WARNING) == MANAGER_AND_OWNER
    [warning] = sla_events(ticket, "sla_warning")
    assert warning.event_data["clock"] == "response"
    assert all("At risk: first response due" in mail.subject for mail in mailoutbox)
    assert all("less than a fifth of its first response time left" in m.body for m in mailoutbox)

    assert sweep(ticket.response_due_at + MINUTE) == 1
    assert recipients_of(outbox.ESCALATION) == MANAGER_AND_OWNER
    assert len(sla_events(ticket, "sla_warning")) == 1


def test_a_late_sweep_sends_the_escalation_without_the_warning_it_missed(case, desk):
    desk.sla_warning_enabled = True
    desk.save()
    ticket = case()

    assert sweep(ticket.response_due_at + MINUTE) == 1

    assert not sla_mails(outbox.SLA_WARNING).exists()
    assert recipients_of(outbox.ESCALATION) == MANAGER_AND_OWNER


def test_a_case_whose_warning_was_switched_off_is_rescheduled_without_a_mail(
    case, desk, django_capture_on_commit_callbacks
):
    desk.sla_warning_enabled = True
    desk.save()
    ticket = case()
    with django_capture_on_commit_callbacks(execute=True):  # the cached policy goes at commit
        desk.sla_warning_enabled = False
        desk.save()

    assert sweep(ticket.risk_at + MINUTE) == 0

    ticket.refresh_from_db()
    assert ticket.sla_alert_at == ticket.response_due_at
    assert not OutboundEmail.objects.exists()


def test_a_sweep_that_finds_nothing_is_one_query(case, owner, django_assert_num_queries):
    running = case()
    closed = case()
    workflow.ticket_status_change(ticket=closed, author=owner, status_type=StatusType.CLOSED)

    with django_assert_num_queries(1) as captured:
        assert sweep(running.created_at + RESPONSE - MINUTE) == 0

    assert '"sla_alert_at" <=' in captured.captured_queries[0]["sql"]


def test_the_sweeps_queries_stay_flat_with_more_cases(case):
    def queries_for(count: int) -> int:
        tickets = [case(subject=f"Case {n}") for n in range(count)]
        with CaptureQueriesContext(connection) as captured:
            assert sweep(tickets[-1].created_at + RESPONSE + MINUTE) == count
        return len(captured)

    few = queries_for(2)
    many = queries_for(8)
    assert many == few


def test_the_batches_go_on_until_every_due_case_is_done(case):
    tickets = [case(subject=f"Case {n}") for n in range(5)]

    assert sweep(tickets[-1].created_at + RESPONSE + MINUTE, batch=2) == 5

    for ticket in tickets:
        assert len(sla_events(ticket)) == 1


def test_with_the_broker_down_nothing_is_lost_and_the_outbox_sweep_sends_it_once(
    case, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = case()

    with broker_unreachable(), django_capture_on_commit_callbacks(execute=True):
        assert sweep(ticket.created_at + RESPONSE + MINUTE) == 1

    assert mailoutbox == []
    assert {row.status for row in sla_mails()} == {OutboundEmail.Status.PENDING}
    sla_mails().update(next_attempt_at=ticket.created_at)  # past due for the outbox sweep
    assert tasks.outbox_sweep_due() == 2
    assert sorted(mail.to[0] for mail in mailoutbox) == MANAGER_AND_OWNER
    assert tasks.outbox_sweep_due() == 0
    assert len(mailoutbox) == 2


def test_the_beat_runs_the_sweep_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["sla-alerts"]
    assert entry["task"] == "tickets.tasks.sla_alerts_sweep"
    assert entry["schedule"].total_seconds() == 60


def test_the_task_sweeps_now(case):
    ticket = case()
    Ticket.objects.filter(pk=ticket.pk).update(
        response_due_at=ticket.created_at - MINUTE, sla_alert_at=ticket.created_at - MINUTE
    )

    assert tasks.sla_alerts_sweep() == 1
    assert len(recipients_of()) == 2


def test_two_clocks_passing_at_the_same_instant_make_one_escalation(case, desk):
    desk.resolution_time_limit = None  # the same as the response limit: both pass together
    desk.save()
    ticket = case()
    assert ticket.response_due_at == ticket.resolution_due_at

    assert sweep(ticket.response_due_at + MINUTE) == 1

    assert [e.event_data["clock"] for e in sla_events(ticket)] == ["response"]
    assert len(recipients_of()) == 2  # the manager and the owner, once each
    ticket.refresh_from_db()
    assert ticket.sla_alert_at is None  # the deadline's escalation is recorded with it
    assert sweep(ticket.resolution_due_at + RESOLUTION) == 0


def test_a_warning_coming_with_an_escalation_is_not_sent(case, desk):
    desk.sla_warning_enabled = True
    desk.resolution_time_limit = RESPONSE * 5 / 4  # at risk just as the first response passes
    desk.save()
    ticket = case()

    assert sweep(ticket.response_due_at + MINUTE) == 1

    assert not sla_mails(outbox.SLA_WARNING).exists()
    assert [e.event_data["clock"] for e in sla_events(ticket)] == ["response"]
    assert sweep(ticket.resolution_due_at + MINUTE) == 1  # the deadline still escalates later
