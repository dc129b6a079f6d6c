"""Opening a general-pool ticket takes it; "get next" hands out cases; two techs never share one."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.concurrency import run_in_threads
from tests.factories import DepartmentFactory, MembershipFactory, TechFactory, UserFactory
from tickets import access, workflow
from tickets.models import Message, Priority, StatusType, Ticket

NEXT = reverse("tickets:desk_next")
DESK = reverse("tickets:desk")


def page_url(ticket, **query):
    url = reverse("tickets:desk_ticket", args=[ticket.number])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def claims_of(ticket):
    return Message.objects.filter(ticket=ticket, event_data__event="claimed")


def aged(ticket, minutes):
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )
    return ticket


@pytest.fixture
def other_tech(department):
    user = TechFactory(full_name="Olga Other")
    MembershipFactory(user=user, department=department)
    return user


# Claim on open


@pytest.mark.django_db
def test_opening_a_general_pool_ticket_claims_it(client, tech, submit):
    ticket = submit()
    client.force_login(tech)

    response = client.get(page_url(ticket))

    ticket.refresh_from_db()
    assert response.status_code == 200
    assert ticket.assignee == tech
    assert ticket.status_type == StatusType.OPEN
    assert ticket.status.name == "In progress"
    assert claims_of(ticket).get().event_data == {"event": "claimed", "how": "opened"}
    html = response.content.decode()
    assert f"[#{ticket.number}] is now in your pool." in html
    assert "Tom Tech took the ticket" in html


@pytest.mark.django_db
def test_opening_my_own_ticket_again_claims_nothing_more(client, tech, submit):
    ticket = submit()
    client.force_login(tech)
    client.get(page_url(ticket))

    response = client.get(page_url(ticket))

    assert claims_of(ticket).count() == 1
    assert "is now in your pool" not in response.content.decode()


@pytest.mark.django_db
def test_an_admin_who_is_not_a_member_looks_without_claiming(client, admin_user, submit):
    ticket = submit()
    client.force_login(admin_user)

    response = client.get(page_url(ticket))

    ticket.refresh_from_db()
    assert response.status_code == 200
    assert ticket.assignee is None
    assert ticket.status_type == StatusType.NEW
    assert not claims_of(ticket).exists()
    assert 'data-testid="owner"' in response.content.decode()


@pytest.mark.django_db
def test_a_manager_peeking_does_not_claim_but_opening_does(client, manager, submit):
    ticket = submit()
    client.force_login(manager)

    client.get(page_url(ticket, peek=1))
    ticket.refresh_from_db()
    assert ticket.assignee is None

    client.get(page_url(ticket))
    ticket.refresh_from_db()
    assert ticket.assignee == manager


@pytest.mark.django_db
def test_peek_from_a_plain_tech_still_claims(client, tech, submit):
    ticket = submit()
    client.force_login(tech)

    client.get(page_url(ticket, peek=1))

    ticket.refresh_from_db()
    assert ticket.assignee == tech


@pytest.mark.django_db
def test_a_tech_of_another_department_cannot_claim_through_the_service(submit):
    outsider = TechFactory()
    MembershipFactory(user=outsider, department=DepartmentFactory())
    ticket = submit()

    result = workflow.ticket_claim_on_open(ticket=ticket, tech=outsider)

    ticket.refresh_from_db()
    assert (result.claimed, result.taken_by, ticket.assignee) == (False, None, None)


@pytest.mark.django_db
def test_claim_on_a_stale_ticket_reports_who_took_it_first(tech, other_tech, submit):
    ticket = submit()
    stale = Ticket.objects.get(pk=ticket.pk)
    first = workflow.ticket_claim_on_open(ticket=Ticket.objects.get(pk=ticket.pk), tech=other_tech)

    late = workflow.ticket_claim_on_open(ticket=stale, tech=tech)

    assert first.claimed
    assert not late.claimed
    assert late.taken_by == other_tech
    assert claims_of(ticket).count() == 1


@pytest.mark.django_db
def test_the_desk_names_the_tech_who_took_the_ticket_a_moment_earlier(
    client, tech, other_tech, submit, monkeypatch
):
    ticket = submit()
    fetch = access.ticket_for_staff

    def fetched_just_before_olga_claims(*, user, number):
        seen = fetch(user=user, number=number)
        if seen.assignee_id is None:
            fresh = Ticket.objects.get(pk=seen.pk)
            workflow.ticket_claim_on_open(ticket=fresh, tech=other_tech)
        return seen

    monkeypatch.setattr(access, "ticket_for_staff", fetched_just_before_olga_claims)
    client.force_login(tech)

    response = client.get(page_url(ticket))

    assert response.status_code == 302
    assert response.url == DESK + "?queue=general"
    monkeypatch.undo()
    html = client.get(response.url).content.decode()
    assert f"Olga Other took [#{ticket.number}] a moment ago" in html
    ticket.refresh_from_db()
    assert ticket.assignee == other_tech


@pytest.mark.django_db(transaction=True)
def test_only_one_of_many_techs_opening_a_ticket_at_once_claims_it(department, submit):
    techs = [TechFactory() for _ in range(8)]
    for person in techs:
        MembershipFactory(user=person, department=department)
    ticket = submit()
    results = []

    run_in_threads(
        len(techs),
        lambda i: results.append(
            workflow.ticket_claim_on_open(ticket=Ticket.objects.get(pk=ticket.pk), tech=techs[i])
        ),
    )

    winners = [result for result in results if result.claimed]
    ticket.refresh_from_db()
    assert len(results) == 8
    assert len(winners) == 1
    assert ticket.assignee == winners[0].ticket.assignee
    assert claims_of(ticket).count() == 1
    for result in results:
        assert result.claimed or result.taken_by in (None, ticket.assignee)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_get_next_clicks_never_hand_out_a_ticket_twice(department, submit):
    techs = [TechFactory() for _ in range(8)]
    for person in techs:
        MembershipFactory(user=person, department=department)
    tickets = [submit(subject=f"Case {index}") for index in range(20)]
    handed = []

    def three_clicks(index):
        for _click in range(3):
            ticket = workflow.ticket_next_for(tech=techs[index])
            handed.append((techs[index].pk, ticket.pk if ticket else None))

    run_in_threads(len(techs), three_clicks)

    given = [pk for _tech, pk in handed if pk is not None]
    assert len(handed) == 24
    assert len(given) == min(24, len(tickets)) == 20
    assert len(set(given)) == 20
    owners = dict(Ticket.objects.values_list("pk", "assignee_id"))
    for tech_pk, ticket_pk in handed:
        if ticket_pk is not None:
            assert owners[ticket_pk] == tech_pk
    assert Message.objects.filter(event_data__event="claimed").count() == 20


# Get next, one tech at a time


@pytest.mark.django_db
def test_get_next_hands_an_emergency_before_an_older_lower_priority_ticket(tech, submit):
    aged(submit(subject="Old high", priority=Priority.HIGH), 600)
    emergency = aged(submit(subject="New emergency", priority=Priority.EMERGENCY), 1)

    ticket = workflow.ticket_next_for(tech=tech)

    assert ticket.pk == emergency.pk
    assert ticket.assignee == tech
    assert ticket.status_type == StatusType.OPEN
    assert claims_of(ticket).get().event_data["how"] == "get_next"


@pytest.mark.django_db
def test_get_next_hands_the_oldest_first_at_equal_priority(tech, submit):
    middle = aged(submit(subject="Middle"), 30)
    oldest = aged(submit(subject="Oldest"), 90)
    newest = aged(submit(subject="Newest"), 5)

    order = [workflow.ticket_next_for(tech=tech).pk for _ in range(3)]

    assert order == [oldest.pk, middle.pk, newest.pk]
    assert workflow.ticket_next_for(tech=tech) is None


@pytest.fixture
def weighted(tech, department, submit):
    """Tom works in technical support (weight 1) and in billing, weighted 3."""
    billing = DepartmentFactory(name="Billing")
    MembershipFactory(user=tech, department=billing, retrieval_priority=3)

    def open_ticket(*, weighted_department, minutes, priority=Priority.MEDIUM):
        ticket = submit(category=None, priority=priority, subject=f"{minutes} minutes")
        if weighted_department:
            Ticket.objects.filter(pk=ticket.pk).update(department=billing)
        return aged(ticket, minutes)

    return open_ticket


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("unweighted_minutes", "winner"),
    # The weight-3 ticket waited 20 minutes, counting as 60: an unweighted ticket must have
    # waited longer than that to go first.
    [(25, "weighted"), (59, "weighted"), (61, "unweighted"), (200, "unweighted")],
)
def test_get_next_weighs_each_department_by_retrieval_priority(
    tech, weighted, unweighted_minutes, winner
):
    tickets = {
        "weighted": weighted(weighted_department=True, minutes=20),
        "unweighted": weighted(weighted_department=False, minutes=unweighted_minutes),
    }

    assert workflow.ticket_next_for(tech=tech).pk == tickets[winner].pk


@pytest.mark.django_db
def test_priority_still_beats_retrieval_weight(tech, weighted):
    weighted(weighted_department=True, minutes=500, priority=Priority.HIGH)
    urgent = weighted(weighted_department=False, minutes=1, priority=Priority.EMERGENCY)

    assert workflow.ticket_next_for(tech=tech).pk == urgent.pk


@pytest.mark.django_db
def test_get_next_passes_over_owned_tickets_and_other_departments(tech, other_tech, submit):
    owned = submit(subject="Olga's")
    workflow.ticket_claim_on_open(ticket=owned, tech=other_tech)
    elsewhere = aged(submit(subject="Billing", category=None), 600)
    Ticket.objects.filter(pk=elsewhere.pk).update(department=DepartmentFactory())

    assert workflow.ticket_next_for(tech=tech) is None
    assert Ticket.objects.get(pk=elsewhere.pk).assignee is None


@pytest.mark.django_db
def test_inactive_techs_and_customers_get_nothing(department, submit):
    ticket = submit()
    inactive = TechFactory(is_active=False)
    MembershipFactory(user=inactive, department=department)
    customer = UserFactory()
    MembershipFactory(user=customer, department=department)
    admin_without_departments = TechFactory(is_superuser=True)

    for person in (inactive, customer, admin_without_departments):
        assert workflow.ticket_next_for(tech=person) is None
    ticket.refresh_from_db()
    assert ticket.assignee is None


@pytest.mark.django_db
def test_get_next_button_takes_the_tech_to_the_handed_ticket(client, tech, submit):
    ticket = submit()
    client.force_login(tech)

    response = client.post(NEXT)

    assert response.status_code == 302
    assert response.url == page_url(ticket)
    assert f"[#{ticket.number}] is now in your pool." in client.get(response.url).content.decode()
    assert Ticket.objects.get(pk=ticket.pk).assignee == tech


@pytest.mark.django_db
def test_get_next_with_empty_pools_says_nothing_is_waiting(client, tech):
    client.force_login(tech)

    response = client.post(NEXT, follow=True)

    assert response.redirect_chain == [(DESK, 302)]
    assert "Nothing is waiting in your departments&#x27; general pools." in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_get_next_is_a_post_and_for_staff_only(client, tech, customer_user, submit):
    submit()
    client.force_login(tech)
    assert client.get(NEXT).status_code == 405

    client.force_login(customer_user)
    assert client.post(NEXT).status_code == 403
    assert Ticket.objects.get().assignee is None
