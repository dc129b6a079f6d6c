"""An absence's effect on tickets: the hand-over at the start (to the substitute where they may
own the ticket, else the general pool), routing, get-next, transfers and reopened tickets
passing the absent tech over, the end, and taking tickets back."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.absences import absence_record, absent_now
from accounts.models import Absence, HandOver
from tests.concurrency import run_in_threads
from tests.factories import CustomerFactory, DepartmentFactory, MembershipFactory, TechFactory
from tests.mail.mails import mail
from tickets import handover, services, workflow
from tickets.mail.intake import IncomingMail, inbound_receive_many
from tickets.models import Message, StatusType, Ticket
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


# The end and taking back


def test_the_end_leaves_tickets_with_the_substitute_and_offers_them_back(submit, tech, substitute):
    ticket = owned(submit, tech)
    absence = started(tech, substitute)
    assert list(handover.handed_over_waiting(tech)) == []  # not before the end

    back(absence)

    ticket.refresh_from_db()
    assert absence.ended_at is not None
    assert ticket.assignee == substitute
    assert [h.ticket_id for h in handover.handed_over_waiting(tech)] == [ticket.pk]


def test_take_back_moves_the_ticket_home_with_an_event(submit, tech, substitute):
    ticket = owned(submit, tech)
    back(started(tech, substitute))

    handover.ticket_take_back(tech=tech, ticket_id=ticket.pk)

    ticket.refresh_from_db()
    assert ticket.assignee == tech
    event = Message.objects.get(ticket=ticket, event_data__event="taken_back")
    assert event.author == tech and event.activity == "transferred"
    assert list(handover.handed_over_waiting(tech)) == []
    with pytest.raises(ValidationError, match="already taken"):
        handover.ticket_take_back(tech=tech, ticket_id=ticket.pk)


def test_take_back_from_the_general_pool_makes_the_ticket_in_progress(submit, tech):
    ticket = owned(submit, tech)
    back(started(tech, None))

    handover.ticket_take_back(tech=tech, ticket_id=ticket.pk)

    ticket.refresh_from_db()
    assert ticket.assignee == tech
    assert ticket.status_type == StatusType.OPEN


def test_take_back_never_steals_a_ticket_someone_has_taken_since(submit, tech, substitute, manager):
    ticket = owned(submit, tech)
    absence = started(tech, substitute)
    workflow.ticket_transfer(ticket=ticket, by=substitute, to_tech=manager)
    back(absence)

    assert list(handover.handed_over_waiting(tech)) == []
    with pytest.raises(ValidationError, match="Maria Manager now"):
        handover.ticket_take_back(tech=tech, ticket_id=ticket.pk)

    ticket.refresh_from_db()
    assert ticket.assignee == manager


def test_take_back_of_a_ticket_not_handed_over_from_you_is_refused(submit, tech, substitute):
    ticket = owned(submit, tech)
    back(started(tech, substitute))

    with pytest.raises(ValidationError, match="not handed over from your pool"):
        handover.ticket_take_back(tech=substitute, ticket_id=ticket.pk)
    closed = owned(submit, substitute, subject="Other")
    with pytest.raises(ValidationError, match="not handed over from your pool"):
        handover.ticket_take_back(tech=tech, ticket_id=closed.pk)


def test_take_back_of_a_closed_ticket_is_refused(submit, tech, substitute):
    ticket = owned(submit, tech)
    absence = started(tech, substitute)
    workflow.ticket_status_change(ticket=ticket, author=substitute, status_type=StatusType.CLOSED)
    back(absence)

    with pytest.raises(ValidationError, match="is closed"):
        handover.ticket_take_back(tech=tech, ticket_id=ticket.pk)


def test_ending_an_absence_early_carries_the_end_out_at_once(submit, tech, substitute):
    ticket = owned(submit, tech)
    absence = started(tech, substitute)

    absence = handover.absence_stop(absence=absence)

    assert absence.ended_at is not None and absence.cancelled_at is None
    assert [h.ticket_id for h in handover.handed_over_waiting(tech)] == [ticket.pk]
    assert handover.absences_due_run() == (0, 0)
    waiting = submit(subject="Arrived meanwhile")
    assert workflow.ticket_next_for(tech=tech) == waiting  # back: get-next serves them again


# Pages


def test_the_desk_box_and_the_handed_over_page_list_the_tickets(client, submit, tech, substitute):
    ticket = owned(submit, tech)
    back(started(tech, substitute))
    client.force_login(tech)

    desk = client.get(reverse("tickets:desk"))
    page = client.get(reverse("tickets:desk_handed_over"))
    partial = client.get(reverse("tickets:desk_handed_over"), headers=HTMX)

    assert 'data-testid="handed-over-box"' in desk.content.decode()
    assert ticket.subject in desk.content.decode()
    assert page.status_code == 200
    assert 'data-testid="handed-over-row"' in page.content.decode()
    assert "Sam Substitute" in page.content.decode()
    assert "<html" not in partial.content.decode()
    assert 'id="handed-over-list"' in partial.content.decode()


def test_take_back_without_javascript_redirects_with_a_message(client, submit, tech, substitute):
    ticket = owned(submit, tech)
    back(started(tech, substitute))
    client.force_login(tech)

    response = client.post(
        reverse("tickets:desk_take_back"),
        {"ticket": str(ticket.pk), "next": reverse("tickets:desk")},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("tickets:desk")
    assert f"{ticket.tag} is back in your pool." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee == tech


def test_take_back_all_over_htmx_answers_the_list(client, submit, tech, substitute, manager):
    first, second = owned(submit, tech), owned(submit, tech, subject="Second")
    back(started(tech, substitute))
    client.force_login(tech)

    response = client.post(reverse("tickets:desk_take_back"), {"ticket": "all"}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="handed-over-empty"' in html
    assert "2 tickets are back in your pool." in html
    assert set(Ticket.objects.filter(assignee=tech).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }


def test_take_back_refused_says_why_and_changes_nothing(client, submit, tech, substitute, manager):
    ticket = owned(submit, tech)
    absence = started(tech, substitute)
    workflow.ticket_transfer(ticket=ticket, by=substitute, to_tech=manager)
    back(absence)
    client.force_login(tech)

    bad = client.post(reverse("tickets:desk_take_back"), {"ticket": "12x"}, follow=True)
    taken = client.post(reverse("tickets:desk_take_back"), {"ticket": ticket.pk}, follow=True)

    assert "Choose a ticket to take back." in bad.content.decode()
    assert "is with Maria Manager now" in taken.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee == manager


def test_a_redirect_after_take_back_stays_on_this_site(client, tech):
    client.force_login(tech)

    response = client.post(
        reverse("tickets:desk_take_back"), {"ticket": "all", "next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("tickets:desk_handed_over")


def test_the_handed_over_page_costs_the_same_queries_with_more_tickets(client, submit, department):
    def page_queries(count):
        tech, substitute = TechFactory(), TechFactory()
        for person in (tech, substitute):
            MembershipFactory(user=person, department=department)
        for n in range(count):
            owned(submit, tech, subject=f"Case {n}", email=f"p{count}-{n}@example.org")
        back(started(tech, substitute))
        client.force_login(tech)
        client.get(reverse("tickets:desk_handed_over"))  # the session settles
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("tickets:desk_handed_over"))
        assert response.content.decode().count('data-testid="handed-over-row"') == count
        return len(captured)

    assert page_queries(8) == page_queries(2)


def test_the_team_queue_marks_an_absent_owner_in_one_query(
    client, submit, tech, substitute, manager
):
    waiting = owned(submit, tech)
    workflow.ticket_status_change(ticket=waiting, author=tech, status_type=StatusType.OPEN)
    absence = away(tech, substitute, starts_in=timedelta(minutes=-1))  # beat has not run yet
    client.force_login(manager)

    response = client.get(reverse("tickets:desk") + "?queue=team")

    assert absence.is_current
    assert 'data-testid="absent-badge"' in response.content.decode()


def test_the_customer_page_marks_an_absent_account_manager(client, submit, tech, substitute):
    ticket = owned(submit, tech)
    ticket.customer.account_manager = tech
    ticket.customer.save()
    started(tech, substitute)
    client.force_login(substitute)

    response = client.get(reverse("tickets:desk_customer", args=[ticket.customer_id]))

    assert 'data-testid="absent-badge"' in response.content.decode()


def test_the_thread_shows_the_hand_over_line(client, submit, tech, substitute):
    ticket = owned(submit, tech)
    started(tech, substitute)
    client.force_login(substitute)

    response = client.get(reverse("tickets:desk_ticket", args=[ticket.number]))

    assert "Handed over to Sam Substitute while Tom Tech is absent (until" in (
        response.content.decode()
    )


def test_the_demo_shows_a_tech_away_whose_substitute_holds_the_handed_over_tickets(db):
    from django.core.management import call_command

    from accounts.models import User
    from helpdesk.demo_absence import AWAY_EMAIL, AWAY_TICKETS

    call_command("demo_data")

    away = User.objects.get(email=AWAY_EMAIL)
    absence = absent_now([away.pk])[away.pk]
    assert absence.substitute.email == "tech@example.com" and absence.started_at
    subjects = [subject for subject, *_rest in AWAY_TICKETS]
    for ticket in Ticket.objects.filter(subject__in=subjects):
        assert ticket.assignee == absence.substitute
        assert handed_over_events(ticket).count() == 1
