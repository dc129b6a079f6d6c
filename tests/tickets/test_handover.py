"""An absence's effect on tickets: the hand-over at the start (to the substitute where they may
own the ticket, else the general pool), and routing, get-next, transfers and reopened tickets
passing the absent tech over. The end and taking back: test_handover_take_back.py."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Absence, HandOver
from tests.concurrency import run_in_threads
from tests.factories import CustomerFactory, MembershipFactory, TechFactory
from tests.mail.mails import mail
from tests.tickets.absence_support import (
    away,
    back,
    billing,
    handed_over_events,
    owned,
    started,
    substitute,
)
from tickets import handover, services, workflow
from tickets.mail.intake import IncomingMail, inbound_receive_many
from tickets.models import StatusType, Ticket
from tickets.tasks import absences_carry_out

__all__ = ["billing", "substitute"]  # fixtures

# The start


def test_start_hands_open_tickets_to_the_substitute_and_keeps_pending_ones(
    submit, tech, substitute
):
    first, second = owned(submit, tech), owned(submit, tech, subject="Second")
    waiting = owned(submit, tech, subject="Waiting")
    workflow.ticket_status_change(ticket=waiting, author=tech, status_type=StatusType.PENDING)
    absence = away(tech, substitute)

    result = absences_carry_out()

    assert result == {"started": 1, "ended": 0}
    for ticket in (first, second):
        ticket.refresh_from_db()
        assert ticket.assignee == substitute
        assert ticket.status_type == StatusType.OPEN
        event = handed_over_events(ticket).get()
        assert event.activity == "transferred"
        assert event.event_data["from"] == "Tom Tech"
        assert event.event_data["to"] == "Sam Substitute"
        assert event.event_data["absence"] == absence.pk
        assert event.event_data["until"] == absence.ends_at.isoformat()
    waiting.refresh_from_db()
    assert waiting.assignee == tech
    assert set(HandOver.objects.values_list("ticket_id", "to_user_id")) == {
        (first.pk, substitute.pk),
        (second.pk, substitute.pk),
    }
    absence.refresh_from_db()
    assert absence.started_at is not None and absence.ended_at is None


def test_tickets_of_a_department_the_substitute_does_not_work_in_go_to_its_general_pool(
    submit, tech, substitute, billing
):
    support = owned(submit, tech)
    invoice = owned(submit, tech, subject="Invoice")
    workflow.ticket_transfer(ticket=invoice, by=tech, to_department=billing, to_tech=tech)

    started(tech, substitute)

    support.refresh_from_db()
    invoice.refresh_from_db()
    assert support.assignee == substitute
    assert invoice.assignee is None
    assert invoice.department == billing
    assert invoice.status_type == StatusType.NEW
    assert handed_over_events(invoice).get().event_data["to"] == ""


def test_without_a_substitute_every_open_ticket_goes_to_the_general_pool(submit, tech):
    ticket = owned(submit, tech)

    started(tech, None)

    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert ticket.status_type == StatusType.NEW


def test_a_substitute_away_themselves_at_the_start_gets_nothing(submit, tech, substitute):
    ticket = owned(submit, tech)
    absence = away(tech, substitute, starts_in=timedelta(minutes=10))
    other = TechFactory()
    MembershipFactory(user=other, department=ticket.department)
    started(substitute, other)  # recorded later, for a period that covers the tech's start
    Absence.objects.filter(pk=absence.pk).update(starts_at=timezone.now() - timedelta(minutes=1))

    absences_carry_out()

    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_an_absence_ahead_is_not_started_and_a_cancelled_one_never_is(submit, tech, substitute):
    ticket = owned(submit, tech)
    ahead = away(tech, substitute, starts_in=timedelta(hours=1))

    assert absences_carry_out() == {"started": 0, "ended": 0}
    handover.absence_stop(absence=ahead)
    Absence.objects.filter(pk=ahead.pk).update(starts_at=timezone.now() - timedelta(minutes=1))

    assert absences_carry_out() == {"started": 0, "ended": 0}
    ticket.refresh_from_db()
    assert ticket.assignee == tech


def test_two_beat_runs_start_and_end_once(submit, tech, substitute):
    ticket = owned(submit, tech)
    absence = away(tech, substitute)

    assert absences_carry_out() == {"started": 1, "ended": 0}
    assert absences_carry_out() == {"started": 0, "ended": 0}
    assert handed_over_events(ticket).count() == 1
    back(absence)
    ended_at = absence.ended_at
    assert absences_carry_out() == {"started": 0, "ended": 0}
    absence.refresh_from_db()
    assert absence.ended_at == ended_at


def test_a_period_that_passed_while_no_worker_ran_hands_nothing_over(submit, tech, substitute):
    ticket = owned(submit, tech)
    absence = away(tech, substitute)
    Absence.objects.filter(pk=absence.pk).update(ends_at=timezone.now() - timedelta(seconds=1))

    assert absences_carry_out() == {"started": 1, "ended": 0}

    absence.refresh_from_db()
    ticket.refresh_from_db()
    assert absence.started_at and absence.ended_at
    assert ticket.assignee == tech


@pytest.mark.django_db(transaction=True)
def test_two_workers_starting_and_ending_at_once_change_things_once(department):
    tech, substitute = TechFactory(), TechFactory()
    for person in (tech, substitute):
        MembershipFactory(user=person, department=department)
    customer = CustomerFactory()
    tickets = [
        services.ticket_create_for_customer(
            staff=tech,
            email=f"c{n}@example.org",
            name=customer.name,
            phone="",
            subject=f"Case {n}",
            body="Help",
            category=None,
            department=department,
            priority=2,
            source="phone",
            assign_to_me=True,
            send_confirmation=False,
        )
        for n in range(5)
    ]
    absence = away(tech, substitute)
    results = []

    run_in_threads(4, lambda i: results.append(handover.absence_start(absence_id=absence.pk)))

    assert sorted(results) == [False, False, False, True]
    for ticket in tickets:
        assert handed_over_events(ticket).count() == 1
    assert HandOver.objects.count() == 5
    Absence.objects.filter(pk=absence.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    ends = []

    run_in_threads(4, lambda i: ends.append(handover.absences_due_run()))

    assert sum(ended for _started, ended in ends) == 1


# During the absence


def test_routing_passes_over_an_absent_account_manager(submit, tech, substitute, public_form):
    started(tech, substitute)
    submit(email="known@example.org")
    customer = Ticket.objects.get(customer__emails__email="known@example.org").customer
    customer.account_manager = tech
    customer.save()
    public_form.default_tech = substitute
    public_form.save()

    ticket = submit(email="known@example.org", subject="Again")

    assert ticket.assignee == substitute  # the next candidate: the form's default tech


def test_routing_sends_a_new_ticket_to_the_general_pool_when_every_candidate_is_away(
    submit, tech, substitute
):
    submit(email="known@example.org")
    customer = Ticket.objects.get(customer__emails__email="known@example.org").customer
    customer.account_manager = tech
    customer.save()
    assert submit(email="known@example.org", subject="Before").assignee == tech
    started(tech, substitute)

    assert submit(email="known@example.org", subject="During").assignee is None


def test_get_next_hands_an_absent_tech_nothing(client, submit, tech, substitute):
    started(tech, substitute)
    waiting = submit()
    client.force_login(tech)

    response = client.post(reverse("tickets:desk_next"), follow=True)

    assert workflow.ticket_next_for(tech=tech) is None
    assert "You are recorded as absent" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.assignee is None


def test_a_transfer_to_an_absent_tech_is_refused_with_their_substitute_named(
    submit, tech, substitute, manager
):
    started(tech, substitute)
    ticket = submit()

    with pytest.raises(ValidationError, match="Sam Substitute stands in"):
        workflow.ticket_transfer(ticket=ticket, by=manager, to_tech=tech)

    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_the_transfer_picker_and_the_ticket_header_mark_an_absent_tech(
    client, submit, tech, substitute, manager
):
    waiting = owned(submit, tech)
    workflow.ticket_status_change(ticket=waiting, author=tech, status_type=StatusType.PENDING)
    started(tech, substitute)
    client.force_login(manager)

    page = client.get(reverse("tickets:desk_ticket", args=[waiting.number]) + "?peek=1")

    html = page.content.decode()
    assert "Tom Tech — absent until" in html  # the picker
    assert 'data-testid="absent-badge"' in html  # the header: the pending ticket stayed


def test_a_customer_reply_to_a_pending_ticket_of_an_absent_tech_goes_to_the_substitute(
    submit, tech, substitute
):
    ticket = owned(submit, tech)
    workflow.ticket_status_change(ticket=ticket, author=tech, status_type=StatusType.PENDING)
    absence = started(tech, substitute)

    services.ticket_reply_from_customer(ticket=ticket, body="Still broken.")

    ticket.refresh_from_db()
    assert ticket.assignee == substitute
    assert ticket.status_type == StatusType.OPEN
    assert handed_over_events(ticket).get().event_data["absence"] == absence.pk
    assert HandOver.objects.filter(absence=absence, ticket=ticket).exists()


def test_a_customer_reply_to_a_closed_ticket_elsewhere_reaches_the_general_pool(
    submit, tech, substitute, billing
):
    ticket = owned(submit, tech)
    workflow.ticket_transfer(ticket=ticket, by=tech, to_department=billing, to_tech=tech)
    workflow.ticket_status_change(ticket=ticket, author=tech, status_type=StatusType.CLOSED)
    started(tech, substitute)

    services.ticket_reply_from_customer(ticket=ticket, body="It is back.")

    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert ticket.status_type == StatusType.NEW


def test_a_reply_to_a_pending_ticket_of_a_tech_not_away_stays_with_them(submit, tech):
    ticket = owned(submit, tech)
    workflow.ticket_status_change(ticket=ticket, author=tech, status_type=StatusType.PENDING)

    services.ticket_reply_from_customer(ticket=ticket, body="Thanks")

    ticket.refresh_from_db()
    assert ticket.assignee == tech
    assert ticket.status_type == StatusType.OPEN


def test_mailed_replies_in_a_batch_reach_the_substitute(mailbox, tech, substitute):
    def receive_many(*raws):
        mails = [IncomingMail(raw=raw, server_uid=str(n)) for n, raw in enumerate(raws)]
        return inbound_receive_many(mails=mails, channel="imap", mailbox=mailbox)

    tickets = []
    for n in range(3):
        [result] = receive_many(mail(sender=f"c{n}@example.net", subject=f"Case {n}"))
        ticket = workflow.ticket_claim_on_open(ticket=result.inbound.ticket, tech=tech).ticket
        workflow.ticket_status_change(ticket=ticket, author=tech, status_type=StatusType.PENDING)
        tickets.append(ticket)
    started(tech, substitute)

    results = receive_many(
        *[mail(sender=f"c{n}@example.net", subject=f"Re: {t.tag}") for n, t in enumerate(tickets)]
    )

    assert [r.inbound.status for r in results] == ["reply"] * 3
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.assignee == substitute
        assert ticket.status_type == StatusType.OPEN
        assert handed_over_events(ticket).count() == 1
