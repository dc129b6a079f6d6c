"""Shared by the absence and hand-over tests: a substitute, a second department, and absences
recorded, started and ended as the beat task would."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.absences import absence_record
from accounts.models import Absence
from tests.factories import DepartmentFactory, MembershipFactory, TechFactory
from tickets import handover, workflow
from tickets.models import Message
from tickets.tasks import absences_carry_out

HTMX = {"HX-Request": "true"}


@pytest.fixture
def substitute(department):
    user = TechFactory(full_name="Sam Substitute")
    MembershipFactory(user=user, department=department)
    return user


@pytest.fixture
def billing(tech):
    """A second department of the tech's, where the substitute does not work."""
    billing = DepartmentFactory(name="Billing", slug="billing")
    MembershipFactory(user=tech, department=billing)
    return billing


def owned(submit, tech, **fields):
    ticket = submit(**fields)
    return workflow.ticket_claim_on_open(ticket=ticket, tech=tech).ticket


def away(tech, substitute, *, starts_in=timedelta(minutes=-1), lasts=timedelta(days=2)):
    starts_at = timezone.now() + starts_in
    return absence_record(
        tech=tech,
        starts_at=starts_at,
        ends_at=starts_at + lasts,
        substitute=substitute,
        created_by=tech,
    )


def started(tech, substitute=None, **kwargs) -> Absence:
    absence = away(tech, substitute, **kwargs)
    assert handover.absence_start(absence_id=absence.pk)
    absence.refresh_from_db()
    return absence


def back(absence: Absence) -> None:
    """Time passes: the absence's end is due, and the beat runs."""
    Absence.objects.filter(pk=absence.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    absences_carry_out()
    absence.refresh_from_db()


def handed_over_events(ticket):
    return Message.objects.filter(ticket=ticket, kind="event", event_data__event="handed_over")
