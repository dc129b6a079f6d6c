"""The end of an absence and taking handed-over tickets back, and the pages that show them."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.absences import absent_now
from tests.factories import MembershipFactory, TechFactory
from tests.tickets.absence_support import (
    HTMX,
    away,
    back,
    billing,
    handed_over_events,
    owned,
    started,
    substitute,
)
from tickets import handover, workflow
from tickets.models import Message, StatusType, Ticket

__all__ = ["billing", "substitute"]  # fixtures

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
