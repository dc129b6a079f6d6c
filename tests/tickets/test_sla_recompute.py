"""A change of calendar or limit marks the department stale; the beat recomputes the due times of
its open cases in batches (departments/sla_changes.py, tickets/sla/recompute.py)."""

from datetime import date, timedelta

import pytest
from django.conf import settings

from departments.models import Department, Holiday
from tests.tickets.sla_support import HOUR, at, office_calendar, utc
from tickets import workflow
from tickets.models import StatusType, Ticket
from tickets.sla import recompute
from tickets.sla.policies import policy_for
from tickets.sla.recompute import stale_clocks_recompute

pytestmark = pytest.mark.django_db

FRIDAY = (2026, 12, 4)


def stale_since(department):
    return Department.objects.get(pk=department.pk).clocks_stale_since


def test_changing_a_limit_marks_the_department_stale(department):
    department = Department.objects.get(pk=department.pk)
    department.response_time_limit = 2 * HOUR
    department.save()
    assert stale_since(department) is not None


def test_saving_other_fields_leaves_the_clocks_alone(department):
    department = Department.objects.get(pk=department.pk)
    department.name = "Helpdesk"
    department.save()
    assert stale_since(department) is None


def test_calendar_hours_and_holidays_mark_every_department_using_it(department):
    calendar = office_calendar()
    Department.objects.filter(pk=department.pk).update(calendar=calendar, clocks_stale_since=None)
    Holiday.objects.create(calendar=calendar, date=date(2026, 12, 25), name="Christmas")
    assert stale_since(department) is not None


def test_the_cached_policy_goes_when_the_change_commits(
    department, django_capture_on_commit_callbacks
):
    assert policy_for(department.pk).limits.response == department.response_time_limit
    department = Department.objects.get(pk=department.pk)
    with django_capture_on_commit_callbacks(execute=True):
        department.response_time_limit = 3 * HOUR
        department.save()
    assert policy_for(department.pk).limits.response == 3 * HOUR


def test_recompute_moves_open_cases_in_batches_and_clears_the_mark(department, submit, tech):
    with at(utc(*FRIDAY, 10)):
        tickets = [submit(subject=f"Case {n}") for n in range(5)]
        workflow.ticket_status_change(ticket=tickets[4], author=tech, status_type=StatusType.CLOSED)
    closed_due = Ticket.objects.get(pk=tickets[4].pk).resolution_due_at
    department = Department.objects.get(pk=department.pk)
    department.response_time_limit = 2 * HOUR
    department.save()
    with at(utc(*FRIDAY, 11)):
        assert stale_clocks_recompute(batch=2) == 4
    for ticket in tickets[:4]:
        ticket.refresh_from_db()
        assert ticket.response_limit == 2 * HOUR
        assert ticket.due_at == utc(*FRIDAY, 12)
    assert Ticket.objects.get(pk=tickets[4].pk).resolution_due_at == closed_due
    assert stale_since(department) is None
    assert stale_clocks_recompute() == 0


def test_a_holiday_added_for_tomorrow_pushes_the_due_time(department, submit):
    department.calendar = office_calendar()
    department.response_time_limit = 4 * HOUR
    department.save()
    with at(utc(*FRIDAY, 15)):
        ticket = submit()
    assert ticket.due_at == utc(2026, 12, 7, 11)
    Holiday.objects.create(calendar=department.calendar, date=date(2026, 12, 7), name="Bridge")
    with at(utc(*FRIDAY, 16)):
        stale_clocks_recompute()
    ticket.refresh_from_db()
    assert ticket.due_at == utc(2026, 12, 8, 11)
    assert ticket.response_used == HOUR


def test_a_change_during_the_recompute_stays_stale_for_the_next_run(
    department, submit, monkeypatch
):
    submit()
    department = Department.objects.get(pk=department.pk)
    department.response_time_limit = 2 * HOUR
    department.save()
    real = recompute.department_clocks_recompute

    def changed_meanwhile(**kwargs):
        rewritten = real(**kwargs)
        Department.objects.filter(pk=department.pk).update(
            clocks_stale_since=stale_since(department) + timedelta(seconds=1)
        )
        return rewritten

    monkeypatch.setattr(recompute, "department_clocks_recompute", changed_meanwhile)
    stale_clocks_recompute()
    assert stale_since(department) is not None


def test_recompute_runs_from_the_beat_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["sla-clocks-recompute"]
    assert entry["task"] == "tickets.tasks.sla_clocks_recompute"
    assert entry["schedule"] == timedelta(minutes=1)
