"""Category and priority on the desk's ticket page, and the statuses the case is offered."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import PriorityLimit
from tests.factories import CategoryFactory, DepartmentFactory, MembershipFactory, TechFactory
from tickets import workflow
from tickets.models import Message, Priority, Status, StatusType
from tickets.properties import ticket_properties_change
from tickets.statuses import status_default, statuses_offered

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def url(ticket, action=""):
    base = reverse("tickets:desk_ticket", args=[ticket.number])
    return f"{base}{action}/" if action else base


def events(ticket):
    return list(
        Message.objects.filter(ticket=ticket, kind=Message.Kind.EVENT)
        .exclude(event_data__event__in=["claimed", "status_changed"])
        .values_list("event_data", flat=True)
    )


@pytest.fixture
def mine(submit, tech):
    return workflow.ticket_claim_on_open(ticket=submit(), tech=tech).ticket


@pytest.fixture
def billing(department):
    return CategoryFactory(name="Billing «счёт»", department=department)


@pytest.fixture
def foreign_category(db):
    return CategoryFactory(name="Refunds", department=DepartmentFactory(name="Sales"))


# Service


def test_change_writes_an_event_each_and_leaves_routing_alone(mine, tech, billing):
    before = (mine.department_id, mine.assignee_id, mine.status_id)

    added = ticket_properties_change(
        ticket=mine, by=tech, category=billing, priority=Priority.EMERGENCY
    )

    mine.refresh_from_db()
    assert (mine.department_id, mine.assignee_id, mine.status_id) == before
    assert mine.category == billing and mine.priority == Priority.EMERGENCY
    assert [m.event_data["event"] for m in added] == ["category_changed", "priority_changed"]
    assert events(mine) == [
        {"event": "category_changed", "from": "Problem with a product", "to": "Billing «счёт»"},
        {"event": "priority_changed", "from": Priority.HIGH, "to": Priority.EMERGENCY},
    ]
    assert all(m.author == tech for m in added)


def test_unchanged_values_write_nothing(mine, tech):
    assert ticket_properties_change(ticket=mine, by=tech, category=mine.category, priority=3) == []
    assert events(mine) == []


def test_category_can_be_removed(mine, tech):
    ticket_properties_change(ticket=mine, by=tech, category=None, priority=mine.priority)
    mine.refresh_from_db()
    assert mine.category is None
    assert events(mine)[0]["to"] == ""


def test_category_of_another_department_is_refused_and_nothing_changes(
    mine, tech, foreign_category
):
    with pytest.raises(ValidationError) as refused:
        ticket_properties_change(ticket=mine, by=tech, category=foreign_category, priority=1)

    assert "Refunds" in str(refused.value.message_dict["category"])
    mine.refresh_from_db()
    assert mine.priority == Priority.HIGH and mine.category.name == "Problem with a product"
    assert events(mine) == []


def test_inactive_category_and_unknown_priority_are_refused(mine, tech, department):
    retired = CategoryFactory(name="Old", department=department, is_active=False)
    with pytest.raises(ValidationError):
        ticket_properties_change(ticket=mine, by=tech, category=retired, priority=3)
    with pytest.raises(ValidationError):
        ticket_properties_change(ticket=mine, by=tech, category=None, priority=99)
    assert events(mine) == []


def test_new_priority_rederives_the_due_times(mine, tech, department):
    PriorityLimit.objects.create(
        department=department,
        priority=Priority.EMERGENCY,
        response_time_limit=timedelta(minutes=30),
        resolution_time_limit=timedelta(hours=2),
    )
    before = mine.resolution_due_at

    ticket_properties_change(ticket=mine, by=tech, category=mine.category, priority=4)

    mine.refresh_from_db()
    assert mine.resolution_due_at < before


# Views


def test_full_page_post_changes_and_redirects_with_a_message(client, tech, mine, billing):
    client.force_login(tech)
    response = client.post(url(mine, "properties"), {"category": billing.pk, "priority": 1})

    assert response.status_code == 302 and response.url == url(mine)
    page = client.get(url(mine)).content.decode()
    assert "Properties saved." in page
    assert "Tom Tech changed the priority from High to Low" in page
    assert "changed the category from Problem with a product to Billing «счёт»" in page


def test_htmx_post_returns_the_panel_and_the_new_event_lines(client, tech, mine, billing):
    client.force_login(tech)
    response = client.post(
        url(mine, "properties"), {"category": billing.pk, "priority": 4}, headers=HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="ticket-properties"' in html and "<html" not in html
    assert 'hx-swap-oob="beforeend:#thread"' in html
    assert "changed the priority from High to Emergency" in html
    assert 'id="priority-badge" hx-swap-oob="true"' in html


def test_foreign_category_full_page_shows_the_error_and_changes_nothing(
    client, tech, mine, foreign_category
):
    client.force_login(tech)
    response = client.post(
        url(mine, "properties"), {"category": foreign_category.pk, "priority": 1}
    )

    assert response.status_code == 400
    assert "Choose one of the categories of Technical support" in response.content.decode()
    mine.refresh_from_db()
    assert mine.priority == Priority.HIGH and events(mine) == []


def test_foreign_category_htmx_shows_the_error_in_the_panel(client, tech, mine, foreign_category):
    client.force_login(tech)
    response = client.post(
        url(mine, "properties"),
        {"category": foreign_category.pk, "priority": 1},
        headers=HTMX,
    )

    html = response.content.decode()
    assert "Choose one of the categories of Technical support" in html
    assert "hx-swap-oob" not in html
    mine.refresh_from_db()
    assert mine.priority == Priority.HIGH


@pytest.mark.parametrize("priority", ["", "9", "high", "1e3"])
def test_garbage_priority_is_refused(client, tech, mine, priority):
    client.force_login(tech)
    response = client.post(url(mine, "properties"), {"category": "", "priority": priority})
    assert response.status_code == 400
    mine.refresh_from_db()
    assert mine.priority == Priority.HIGH and events(mine) == []


def test_another_techs_pool_ticket_cannot_be_changed(client, mine, department):
    other = TechFactory(full_name="Olga Other")
    MembershipFactory(user=other, department=department)
    client.force_login(other)

    response = client.post(url(mine, "properties"), {"category": "", "priority": 1})

    assert response.status_code == 404
    mine.refresh_from_db()
    assert mine.priority == Priority.HIGH


def test_tech_of_another_department_and_customers_cannot_change(client, mine, customer_user):
    outsider = TechFactory(full_name="Sam Sales")
    MembershipFactory(user=outsider, department=DepartmentFactory(name="Sales"))
    client.force_login(outsider)
    assert client.post(url(mine, "properties"), {"priority": 1}).status_code == 404
    client.force_login(customer_user)
    assert client.post(url(mine, "properties"), {"priority": 1}).status_code in (302, 403, 404)
    mine.refresh_from_db()
    assert mine.priority == Priority.HIGH


def test_get_is_not_allowed(client, tech, mine):
    client.force_login(tech)
    assert client.get(url(mine, "properties")).status_code == 405


def test_ticket_page_lists_only_its_departments_categories(client, tech, mine, foreign_category):
    client.force_login(tech)
    html = client.get(url(mine)).content.decode()
    assert "Problem with a product" in html
    assert "Refunds" not in html


def test_ticket_page_query_count_is_flat_with_more_categories_and_events(
    client, tech, mine, department, django_assert_num_queries
):
    client.force_login(tech)
    client.get(url(mine))
    with CaptureQueriesContext(connection) as first:
        assert client.get(url(mine)).status_code == 200
    for n in range(8):
        category = CategoryFactory(name=f"Category {n}", department=department)
        ticket_properties_change(ticket=mine, by=tech, category=category, priority=1 + n % 4)
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get(url(mine)).status_code == 200


# Statuses offered


def test_no_consultation_status_without_an_open_consultation(mine):
    offered = set(statuses_offered(mine).values_list("type", flat=True))
    assert StatusType.CONSULTATION not in offered
    assert StatusType.NEW not in offered  # it has an owner
    assert {StatusType.OPEN, StatusType.PENDING, StatusType.CLOSED} <= offered


def test_consultation_status_offered_while_one_is_open(mine, tech):
    consulted = DepartmentFactory(name="Legal", consultation_email="legal@example.org")
    workflow.ticket_consult(ticket=mine, tech=tech, department=consulted, question="May we?")
    mine.refresh_from_db()
    assert statuses_offered(mine).filter(type=StatusType.CONSULTATION).exists()


def test_general_pool_ticket_keeps_new(submit):
    ticket = submit()
    assert statuses_offered(ticket).filter(type=StatusType.NEW).exists()


def test_status_select_on_the_page_hides_consultation(client, tech, mine):
    status_default(StatusType.CONSULTATION)
    client.force_login(tech)
    html = client.get(url(mine)).content.decode()
    assert "Under consultation" not in html.split('name="status"')[1].split("</select>")[0]


def test_posting_consultation_status_without_one_is_refused(client, tech, mine):
    consultation = status_default(StatusType.CONSULTATION)
    client.force_login(tech)
    response = client.post(url(mine, "status"), {"status": consultation.pk}, follow=True)

    assert "Choose one of the statuses in the list." in response.content.decode()
    mine.refresh_from_db()
    assert mine.status_type == StatusType.OPEN


def test_admin_defined_status_of_an_offered_type_is_offered(mine):
    extra = Status.objects.create(name="Waiting for parts", type=StatusType.PENDING)
    assert statuses_offered(mine).filter(pk=extra.pk).exists()
