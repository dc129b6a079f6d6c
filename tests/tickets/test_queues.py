"""The desk's queues: which tickets each holds, their order, filters, keyset pages and counts."""

import base64
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    CategoryFactory,
    DepartmentFactory,
    MembershipFactory,
    TechFactory,
    WebFormFactory,
)
from tickets import queues, services, workflow
from tickets.models import Priority, Source, StatusType, Ticket

pytestmark = pytest.mark.django_db

DESK = reverse("tickets:desk")


@pytest.fixture
def other_tech(department):
    user = TechFactory(full_name="Olga Other")
    MembershipFactory(user=user, department=department)
    return user


def claim(ticket, tech):
    return workflow.ticket_claim_on_open(ticket=ticket, tech=tech).ticket


def aged(ticket, minutes):
    """Pretend the ticket was opened `minutes` ago."""
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )
    return ticket


def held(user, queue):
    return set(queues.queue_tickets(user=user, queue=queue).values_list("pk", flat=True))


def shown(client, **params):
    """The ticket pks the desk lists for these query parameters, in order."""
    response = client.get(DESK, params)
    assert response.status_code == 200
    return [ticket.pk for ticket in response.context["page"].tickets]


def phone_ticket(staff, department, subject="Called in"):
    return services.ticket_create_for_customer(
        staff=staff,
        email="caller@example.org",
        name="Carl Caller",
        phone="",
        subject=subject,
        body="Told us on the phone.",
        category=None,
        department=department,
        priority=Priority.MEDIUM,
        source=Source.PHONE,
        assign_to_me=False,
        send_confirmation=False,
    )


def to_pending(ticket, tech):
    workflow.ticket_reply(
        ticket=ticket, tech=tech, body="Please try again.", internal=False, then_status="pending"
    )


def test_my_pool_holds_my_new_and_open_tickets_only(tech, other_tech, submit, department):
    claimed = claim(submit(subject="Claimed"), tech)
    entered = services.ticket_create_for_customer(
        staff=tech,
        email="walkin@example.org",
        name="Walt Walkin",
        phone="",
        subject="Entered for a walk-in",
        body="At the counter.",
        category=None,
        department=department,
        priority=Priority.LOW,
        source=Source.WALK_IN,
        assign_to_me=True,
        send_confirmation=False,
    )
    waiting = claim(submit(subject="Waiting"), tech)
    to_pending(waiting, tech)
    closed = claim(submit(subject="Closed"), tech)
    workflow.ticket_status_change(ticket=closed, author=tech, status_type=StatusType.CLOSED)
    claim(submit(subject="Someone else's"), other_tech)
    submit(subject="Still in the general pool")

    assert entered.status_type == StatusType.NEW
    assert held(tech, "mine") == {claimed.pk, entered.pk}


def test_general_pool_holds_unassigned_open_tickets_of_my_departments_only(
    tech, other_tech, submit
):
    fresh = submit(subject="Fresh")
    returned = claim(submit(subject="Handed back"), other_tech)
    workflow.ticket_transfer(ticket=returned, by=other_tech)
    claim(submit(subject="Owned"), other_tech)
    closed = submit(subject="Closed unowned")
    workflow.ticket_status_change(ticket=closed, author=None, status_type=StatusType.CLOSED)
    elsewhere = DepartmentFactory(name="Billing")
    phone_ticket(other_tech, elsewhere, subject="Other department")

    assert held(tech, "general") == {fresh.pk, returned.pk}


def test_pending_and_consultation_queues_hold_my_tickets_of_that_status(tech, other_tech, submit):
    waiting = claim(submit(subject="Waiting"), tech)
    to_pending(waiting, tech)
    consulting = claim(submit(subject="Consulting"), tech)
    workflow.ticket_status_change(
        ticket=consulting, author=tech, status_type=StatusType.CONSULTATION
    )
    theirs = claim(submit(subject="Their pending"), other_tech)
    to_pending(theirs, other_tech)
    claim(submit(subject="Mine, open"), tech)

    assert held(tech, "pending") == {waiting.pk}
    assert held(tech, "consultation") == {consulting.pk}
    assert held(other_tech, "pending") == {theirs.pk}


def test_a_tech_never_sees_another_techs_pool_in_any_queue_or_by_url(
    client, tech, other_tech, submit
):
    open_one = claim(submit(subject="Olga open"), other_tech)
    waiting = claim(submit(subject="Olga pending"), other_tech)
    to_pending(waiting, other_tech)
    consulting = claim(submit(subject="Olga consulting"), other_tech)
    workflow.ticket_status_change(
        ticket=consulting, author=other_tech, status_type=StatusType.CONSULTATION
    )
    client.force_login(tech)

    for queue in queues.queues_for(tech):
        assert held(tech, queue).isdisjoint({open_one.pk, waiting.pk, consulting.pk})
        assert "Olga" not in client.get(DESK, {"queue": queue}).content.decode()
    # By URL: the ticket stays closed to them; since they could have seen it in their
    # department's general pool before Olga took it, they are told who took it (issue 14) and
    # sent back to the queue, never shown the case.
    for ticket in (open_one, waiting, consulting):
        response = client.get(reverse("tickets:desk_ticket", args=[ticket.number]), follow=True)
        assert response.redirect_chain == [(f"{DESK}?queue=general", 302)]
        html = response.content.decode()
        assert f"Olga Other took {ticket.tag} a moment ago" in html
        assert ticket.subject not in html


def test_team_queue_is_offered_to_managers_and_admins_only(client, tech, manager, admin_user):
    assert "team" not in queues.queues_for(tech)
    assert "team" in queues.queues_for(manager)
    assert "team" in queues.queues_for(admin_user)
    client.force_login(tech)

    response = client.get(DESK, {"queue": "team"})

    assert response.context["queue"] == "mine"
    assert 'data-testid="queue-team"' not in response.content.decode()


def test_team_queue_spans_every_pool_of_the_managed_departments(
    tech, other_tech, manager, admin_user, submit
):
    general = submit(subject="General")
    toms = claim(submit(subject="Tom's"), tech)
    olgas = claim(submit(subject="Olga's"), other_tech)
    elsewhere = phone_ticket(manager, DepartmentFactory(name="Billing"))

    assert held(manager, "team") == {general.pk, toms.pk, olgas.pk}
    assert held(admin_user, "team") == {general.pk, toms.pk, olgas.pk, elsewhere.pk}


def test_team_queue_owner_filter_picks_one_pool_and_zero_means_the_general_pool(
    client, tech, other_tech, manager, submit
):
    general = submit(subject="General")
    toms = claim(submit(subject="Tom's"), tech)
    olgas = claim(submit(subject="Olga's"), other_tech)
    client.force_login(manager)

    assert set(shown(client, queue="team", owner=tech.pk)) == {toms.pk}
    assert set(shown(client, queue="team", owner=0)) == {general.pk}
    assert set(shown(client, queue="team", owner="nobody")) == {general.pk, toms.pk, olgas.pk}


def test_queues_rank_emergency_to_low_then_oldest_first(client, tech, submit):
    low_old = aged(submit(subject="Low old", priority=Priority.LOW), 300)
    high_new = aged(submit(subject="High new", priority=Priority.HIGH), 5)
    emergency = aged(submit(subject="Emergency", priority=Priority.EMERGENCY), 1)
    high_old = aged(submit(subject="High old", priority=Priority.HIGH), 60)
    medium = aged(submit(subject="Medium", priority=Priority.MEDIUM), 600)
    client.force_login(tech)

    assert shown(client, queue="general") == [
        emergency.pk,
        high_old.pk,
        high_new.pk,
        medium.pk,
        low_old.pk,
    ]


def test_a_ticket_the_customer_wrote_back_to_comes_first_in_my_pool(tech, submit):
    urgent = claim(submit(subject="Urgent", priority=Priority.EMERGENCY), tech)
    quiet = claim(submit(subject="Quiet", priority=Priority.LOW), tech)
    to_pending(quiet, tech)
    services.ticket_reply_from_customer(ticket=quiet, body="Still broken.")

    page = queues.queue_page(user=tech, queue="mine")

    assert [ticket.pk for ticket in page.tickets] == [quiet.pk, urgent.pk]


def test_queue_filters_by_department_category_source_and_form(
    client, tech, submit, department, category
):
    billing = DepartmentFactory(name="Billing")
    MembershipFactory(user=tech, department=billing)
    billing_form = WebFormFactory(default_department=billing)
    by_category = submit(subject="By category")
    uncategorised = submit(subject="No category", category=None)
    by_form = submit(subject="Billing form", category=None, form=billing_form)
    by_phone = phone_ticket(tech, department)
    other_category = CategoryFactory(department=department)
    client.force_login(tech)

    everything = {by_category.pk, uncategorised.pk, by_form.pk, by_phone.pk}
    assert set(shown(client, queue="general")) == everything
    assert shown(client, queue="general", department=billing.pk) == [by_form.pk]
    assert shown(client, queue="general", category=category.pk) == [by_category.pk]
    assert shown(client, queue="general", category=other_category.pk) == []
    assert shown(client, queue="general", source=Source.PHONE) == [by_phone.pk]
    assert shown(client, queue="general", form=billing_form.pk) == [by_form.pk]


@pytest.mark.parametrize(
    "bad",
    [
        {"department": "abc"},
        {"department": "999999"},
        {"category": "1e9"},
        {"source": "carrier-pigeon"},
        {"form": "-1"},
        {"queue": "secret"},
    ],
)
def test_an_invalid_filter_value_is_ignored_not_an_error(client, tech, submit, bad):
    tickets = {submit(subject="One").pk, submit(subject="Two").pk}
    client.force_login(tech)

    params = {"queue": "general", **bad}
    response = client.get(DESK, params)

    assert response.status_code == 200
    if bad.get("queue") == "secret":
        assert response.context["queue"] == "mine"
    else:
        assert {ticket.pk for ticket in response.context["page"].tickets} == tickets


def make_ranked_tickets(submit, count):
    """`count` tickets over four priorities, in groups sharing one created_at, so that paging
    has to break ties by id."""
    base = timezone.now() - timedelta(days=1)
    tickets = []
    for index in range(count):
        ticket = submit(subject=f"Ticket {index}", priority=Priority.values[index % 4])
        moment = base + timedelta(minutes=index // 8)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=moment)
        tickets.append(ticket)
    return list(
        Ticket.objects.filter(pk__in=[t.pk for t in tickets])
        .order_by("-priority", "created_at", "id")
        .values_list("pk", flat=True)
    )


def test_keyset_pages_walk_every_ticket_exactly_once_in_order(tech, submit):
    expected = make_ranked_tickets(submit, 60)
    seen, cursor, pages = [], "", 0
    while True:
        page = queues.queue_page(user=tech, queue="general", cursor=cursor, size=7)
        pages += 1
        seen.extend(ticket.pk for ticket in page.tickets)
        assert page.first_page == (cursor == "")
        if page.next_cursor is None:
            break
        cursor = page.next_cursor

    assert seen == expected
    assert pages == 9


def test_desk_pages_of_25_walk_sixty_tickets_through_the_view(client, tech, submit):
    expected = make_ranked_tickets(submit, 60)
    client.force_login(tech)
    seen, sizes, cursor = [], [], ""
    while True:
        response = client.get(DESK, {"queue": "general", "cursor": cursor})
        page = response.context["page"]
        sizes.append(len(page.tickets))
        seen.extend(ticket.pk for ticket in page.tickets)
        if page.next_cursor is None:
            break
        assert f"cursor={page.next_cursor}" in response.content.decode()
        cursor = page.next_cursor

    assert sizes == [25, 25, 10]
    assert seen == expected


def test_my_pool_pages_keep_returned_tickets_first_across_pages(tech, submit):
    tickets = [claim(submit(subject=f"Mine {i}", priority=1 + i % 4), tech) for i in range(12)]
    for ticket in tickets[4:7]:
        to_pending(ticket, tech)
        services.ticket_reply_from_customer(ticket=ticket, body="Back again.")
    rows = Ticket.objects.filter(pk__in=[t.pk for t in tickets])
    expected = [
        t.pk
        for t in sorted(
            rows, key=lambda t: (t.returned_at is None, -t.priority, t.created_at, t.pk)
        )
    ]
    seen, cursor = [], ""
    while True:
        # Pages of two: the step from returned to ordinary tickets falls between pages.
        page = queues.queue_page(user=tech, queue="mine", cursor=cursor, size=2)
        seen.extend(ticket.pk for ticket in page.tickets)
        if not (cursor := page.next_cursor or ""):
            break

    assert seen == expected
    assert set(seen[:3]) == {ticket.pk for ticket in tickets[4:7]}


def encoded(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor!",
        "%%%",
        encoded({"priority": 4}),
        encoded([4, "2024-01-01T00:00:00+00:00"]),
        encoded([4, "yesterday", 1]),
        encoded([4, "2024-13-45T99:00:00+00:00", 1]),
        encoded(["4", "2024-01-01T00:00:00+00:00", 1]),
        encoded([True, "2024-01-01T00:00:00+00:00", 1]),
        encoded([4, None, 1]),
    ],
)
def test_a_malformed_cursor_gives_the_first_page(client, tech, submit, cursor):
    tickets = [submit(subject=f"T{i}").pk for i in range(3)]
    client.force_login(tech)

    response = client.get(DESK, {"queue": "general", "cursor": cursor})

    assert response.status_code == 200
    page = response.context["page"]
    assert page.first_page
    assert {ticket.pk for ticket in page.tickets} == set(tickets)


def test_a_cursor_with_out_of_range_numbers_is_not_an_error(client, tech, submit):
    tickets = [submit(subject=f"T{i}").pk for i in range(3)]
    client.force_login(tech)
    cursor = encoded([10**30, "2024-01-01T00:00:00+00:00", 10**30])

    response = client.get(DESK, {"queue": "general", "cursor": cursor})

    assert response.status_code == 200
    # Every real ticket ranks after a priority no ticket can have.
    assert {ticket.pk for ticket in response.context["page"].tickets} == set(tickets)


def test_counts_are_capped_and_labelled_with_a_plus(client, tech, submit, monkeypatch):
    monkeypatch.setattr(queues, "COUNT_CAP", 3)
    for index in range(5):
        submit(subject=f"Waiting {index}")
    claim(submit(subject="Mine"), tech)
    client.force_login(tech)

    counts = queues.queue_counts(user=tech)
    html = client.get(DESK).content.decode()

    assert counts == {"mine": 1, "general": 4, "pending": 0, "consultation": 0}
    assert 'data-testid="count-general">3+</span>' in html
    assert 'data-testid="count-mine">1</span>' in html


def test_a_count_at_the_cap_is_shown_exactly(client, tech, submit, monkeypatch):
    monkeypatch.setattr(queues, "COUNT_CAP", 3)
    for index in range(3):
        submit(subject=f"Waiting {index}")
    client.force_login(tech)

    assert 'data-testid="count-general">3</span>' in client.get(DESK).content.decode()
