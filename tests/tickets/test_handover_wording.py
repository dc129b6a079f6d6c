"""How a hand-over at an absence's start and a take-back at its end read in the managers' feed
and in the notifications (their event rows carry no department pair like a transfer: the feed
once read "general pool of → general pool of" and the bell "Someone transferred the ticket to
you")."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.absences import absence_record
from accounts.models import Absence
from tests.factories import MembershipFactory, TechFactory
from tickets import handover, workflow
from tickets.activity_feed import feed_page
from tickets.models import Message, Notification
from tickets.notification_inbox import notification_summary
from tickets.tasks import absences_carry_out

pytestmark = pytest.mark.django_db


@pytest.fixture
def substitute(department):
    user = TechFactory(full_name="Sam Substitute")
    MembershipFactory(user=user, department=department)
    return user


def away_with_ticket(submit, tech, substitute):
    ticket = workflow.ticket_claim_on_open(ticket=submit(), tech=tech).ticket
    starts_at = timezone.now() - timedelta(minutes=1)
    absence = absence_record(
        tech=tech,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(days=2),
        substitute=substitute,
        created_by=tech,
    )
    assert handover.absence_start(absence_id=absence.pk)
    return ticket, absence


def event(ticket, name) -> Message:
    return Message.objects.get(ticket=ticket, kind="event", event_data__event=name)


def test_the_feed_says_who_is_absent_and_who_took_the_ticket(
    submit, tech, substitute, manager, department
):
    ticket, _absence = away_with_ticket(submit, tech, substitute)

    page = feed_page(user=manager, department_ids=[department.pk])

    (row,) = [row for row in page.rows if row.message == event(ticket, "handed_over")]
    assert row.excerpt == "Tom Tech is absent: handed over to Sam Substitute"


def test_the_feed_says_when_no_substitute_took_it(submit, tech, manager, department):
    ticket, _absence = away_with_ticket(submit, tech, None)

    page = feed_page(user=manager, department_ids=[department.pk])

    (row,) = [row for row in page.rows if row.message == event(ticket, "handed_over")]
    assert row.excerpt == f"Tom Tech is absent: put in the general pool of {department.name}"


def test_the_substitute_and_the_absent_tech_are_told_in_words(submit, tech, substitute):
    ticket, _absence = away_with_ticket(submit, tech, substitute)
    handed = event(ticket, "handed_over")

    to_substitute = Notification.objects.get(message=handed, recipient=substitute)
    to_absent = Notification.objects.get(message=handed, recipient=tech)

    assert notification_summary(to_substitute) == "Handed over to you while Tom Tech is absent"
    assert notification_summary(to_absent) == "Handed over to Sam Substitute while you are away"


def test_taking_back_reads_in_the_feed_and_tells_the_substitute(
    submit, tech, substitute, manager, department
):
    ticket, absence = away_with_ticket(submit, tech, substitute)
    Absence.objects.filter(pk=absence.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    absences_carry_out()
    handover.ticket_take_back(tech=tech, ticket_id=ticket.pk)
    taken = event(ticket, "taken_back")

    page = feed_page(user=manager, department_ids=[department.pk])
    (row,) = [row for row in page.rows if row.message == taken]
    told = Notification.objects.get(message=taken, recipient=substitute)

    assert row.excerpt == "Tom Tech, back from absence, took it back from Sam Substitute"
    assert notification_summary(told) == "Tom Tech is back and took the ticket back"
