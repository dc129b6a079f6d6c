"""The transfer form's tech list follows the chosen department (htmx), and without
JavaScript a tech of another department is refused by name."""

import pytest
from django.urls import reverse

from tests.factories import DepartmentFactory, MembershipFactory, TechFactory
from tickets import workflow
from tickets.models import Message

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def url(ticket, action=""):
    base = reverse("tickets:desk_ticket", args=[ticket.number])
    return f"{base}{action}/" if action else base


def tech_options(html: str) -> str:
    return html.split('name="tech"')[1].split("</select>")[0]


@pytest.fixture
def mine(submit, tech):
    return workflow.ticket_claim_on_open(ticket=submit(), tech=tech).ticket


@pytest.fixture
def colleague(department):
    user = TechFactory(full_name="Olga Other")
    MembershipFactory(user=user, department=department)
    return user


@pytest.fixture
def sales():
    return DepartmentFactory(name="Sales", slug="sales")


@pytest.fixture
def seller(sales):
    user = TechFactory(full_name="Sam Seller")
    MembershipFactory(user=user, department=sales)
    return user


def test_ticket_page_lists_the_techs_of_the_tickets_department_only(
    client, tech, mine, colleague, seller
):
    client.force_login(tech)
    options = tech_options(client.get(url(mine)).content.decode())
    assert "Olga Other" in options and "Tom Tech" in options
    assert "Sam Seller" not in options
    assert "General pool" in options


def test_changing_the_department_reloads_its_techs(client, tech, mine, colleague, seller, sales):
    client.force_login(tech)
    response = client.get(url(mine, "transfer/techs"), {"department": sales.pk}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="transfer-techs"' in html and "<html" not in html
    assert "Sam Seller" in tech_options(html)
    assert "Olga Other" not in tech_options(html)


@pytest.mark.parametrize("posted", ["", "abc", "999999", "-1", "1 OR 1=1"])
def test_no_or_a_bad_department_lists_the_tickets_own(client, tech, mine, colleague, posted):
    client.force_login(tech)
    response = client.get(url(mine, "transfer/techs"), {"department": posted})
    assert response.status_code == 200
    assert "Olga Other" in tech_options(response.content.decode())


def test_inactive_department_is_not_listed(client, tech, mine, colleague):
    closed = DepartmentFactory(name="Closed shop", slug="closed", is_active=False)
    ghost = TechFactory(full_name="Gus Ghost")
    MembershipFactory(user=ghost, department=closed)
    client.force_login(tech)
    response = client.get(url(mine, "transfer/techs"), {"department": closed.pk})
    assert "Gus Ghost" not in response.content.decode()


def test_the_tech_list_is_hidden_from_those_who_cannot_see_the_ticket(
    client, mine, seller, sales, customer_user
):
    client.force_login(seller)
    assert client.get(url(mine, "transfer/techs"), {"department": sales.pk}).status_code == 404
    client.force_login(customer_user)
    response = client.get(url(mine, "transfer/techs"), {"department": sales.pk})
    assert response.status_code != 200


def test_without_javascript_a_tech_of_another_department_is_refused_by_name(
    client, tech, mine, colleague, sales
):
    client.force_login(tech)
    before = Message.objects.filter(ticket=mine).count()

    response = client.post(
        url(mine, "transfer"), {"department": sales.pk, "tech": colleague.pk, "note": "x"}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Olga Other does not work in Sales." in html
    assert "Olga Other" not in tech_options(html)  # the list now shows Sales' techs
    mine.refresh_from_db()
    assert mine.department.name == "Technical support" and mine.assignee == tech
    assert Message.objects.filter(ticket=mine).count() == before


def test_a_tech_of_the_chosen_department_is_accepted(client, tech, mine, seller, sales):
    client.force_login(tech)
    response = client.post(url(mine, "transfer"), {"department": sales.pk, "tech": seller.pk})

    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.department == sales and mine.assignee == seller


def test_a_customer_posted_as_tech_is_refused(client, tech, mine, customer_user):
    client.force_login(tech)
    response = client.post(url(mine, "transfer"), {"tech": customer_user.pk})
    assert response.status_code == 400
    mine.refresh_from_db()
    assert mine.assignee == tech


def test_the_tech_list_query_count_does_not_grow_with_techs(
    client, tech, mine, sales, django_assert_max_num_queries
):
    client.force_login(tech)
    for n in range(10):
        MembershipFactory(user=TechFactory(full_name=f"Seller {n}"), department=sales)
    with django_assert_max_num_queries(8):
        client.get(url(mine, "transfer/techs"), {"department": sales.pk})
