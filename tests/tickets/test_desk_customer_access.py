"""The customer page of the desk follows the ticket rules: a staff member sees a customer only
while they may see one of the customer's tickets, so ids cannot be counted through."""

import pytest
from django.http import Http404
from django.urls import reverse

from accounts.customer_edits import change_record
from accounts.customer_history import HISTORY_SHOWN
from accounts.models import Customer, CustomerEmail
from tests.factories import (
    CustomerFactory,
    DepartmentFactory,
    MembershipFactory,
    TechFactory,
)
from tickets import access, workflow
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def customer_url(customer_id):
    return reverse("tickets:desk_customer", args=[customer_id])


@pytest.fixture
def billing():
    return DepartmentFactory(name="Billing", slug="billing")


@pytest.fixture
def other_tech(department):
    return MembershipFactory(user=TechFactory(full_name="Olga Other"), department=department).user


def test_tech_sees_the_customer_of_a_general_pool_ticket_of_their_department(client, tech, submit):
    ticket = submit()
    client.force_login(tech)

    response = client.get(customer_url(ticket.customer_id))

    assert response.status_code == 200
    assert "vera@example.org" in response.content.decode()


@pytest.mark.parametrize("person", ["no_department", "other_department", "trainee_elsewhere"])
def test_staff_who_may_see_none_of_the_tickets_get_404(client, submit, billing, person):
    ticket = submit()
    user = {
        "no_department": lambda: TechFactory(),
        "other_department": lambda: MembershipFactory(department=billing).user,
        "trainee_elsewhere": lambda: (
            MembershipFactory(department=billing, user=TechFactory(replies_need_approval=True)).user
        ),
    }[person]()
    client.force_login(user)

    response = client.get(customer_url(ticket.customer_id))

    assert response.status_code == 404
    assert b"vera@example.org" not in response.content


def test_a_customer_whose_only_ticket_is_in_another_techs_pool_is_404(
    client, tech, other_tech, submit
):
    ticket = workflow.ticket_claim_on_open(ticket=submit(), tech=other_tech).ticket
    client.force_login(tech)

    assert client.get(customer_url(ticket.customer_id)).status_code == 404


def test_unknown_and_hidden_customers_answer_alike(client, tech, submit, billing):
    hidden = submit(category=None)
    Ticket.objects.filter(pk=hidden.pk).update(department=billing)
    client.force_login(tech)

    unknown = client.get(customer_url(hidden.customer_id + 1000))
    refused = client.get(customer_url(hidden.customer_id))

    assert unknown.status_code == refused.status_code == 404


def test_counting_through_customer_ids_reveals_only_my_customers(client, tech, submit, billing):
    mine = submit(email="mine@example.org")
    theirs = [submit(email=f"other{n}@example.org", category=None) for n in range(3)]
    Ticket.objects.filter(pk__in=[t.pk for t in theirs]).update(department=billing)
    no_tickets = CustomerFactory(name="Nobody's customer")
    client.force_login(tech)
    ids = range(min(mine.customer_id, no_tickets.pk), max(mine.customer_id, no_tickets.pk) + 5)

    found = [id_ for id_ in ids if client.get(customer_url(id_)).status_code == 200]

    assert found == [mine.customer_id]


def test_a_manager_sees_customers_of_every_pool_of_their_department(
    client, manager, other_tech, submit
):
    ticket = workflow.ticket_claim_on_open(ticket=submit(), tech=other_tech).ticket

    client.force_login(manager)

    assert client.get(customer_url(ticket.customer_id)).status_code == 200


def test_a_manager_of_another_department_gets_404(client, submit, billing):
    ticket = submit()
    client.force_login(MembershipFactory(department=billing, is_manager=True).user)

    assert client.get(customer_url(ticket.customer_id)).status_code == 404


def test_an_admin_sees_every_customer_even_without_tickets(client, admin_user):
    customer = CustomerFactory(name="Quiet Customer")
    client.force_login(admin_user)

    response = client.get(customer_url(customer.pk))

    assert response.status_code == 200
    assert "Quiet Customer" in response.content.decode()


def test_an_inactive_tech_sees_no_customer(tech, submit):
    ticket = workflow.ticket_claim_on_open(ticket=submit(), tech=tech).ticket
    tech.is_active = False

    with pytest.raises(Http404):
        access.customer_for_staff(user=tech, customer_id=ticket.customer_id)


def test_the_ticket_pages_other_tickets_list_only_what_i_may_open(
    client, tech, other_tech, submit, billing
):
    current = submit(subject="Current")
    submit(subject="Also in my general pool")
    workflow.ticket_claim_on_open(ticket=submit(subject="Olga's own case"), tech=other_tech)
    elsewhere = submit(subject="Billing's own case", category=None)
    Ticket.objects.filter(pk=elsewhere.pk).update(department=billing)
    client.force_login(tech)

    html = client.get(reverse("tickets:desk_ticket", args=[current.number])).content.decode()

    assert "Also in my general pool" in html
    assert "Olga&#x27;s own case" not in html
    assert "Billing&#x27;s own case" not in html


def test_customer_page_queries_do_not_grow_with_tickets_or_addresses(
    client, tech, submit, django_assert_num_queries
):
    ticket = workflow.ticket_claim_on_open(ticket=submit(), tech=tech).ticket
    customer_id = ticket.customer_id
    client.force_login(tech)
    client.get(customer_url(customer_id))
    # session, user, the customer if visible, their addresses, the visible tickets, the count
    # of the others, the history, which of the owners are absent, the notification bell's
    # unread count
    with django_assert_num_queries(9) as few:
        client.get(customer_url(customer_id))
    for index in range(6):
        submit(subject=f"Another {index}")
        CustomerEmail.objects.create(customer_id=customer_id, email=f"alias{index}@example.org")
    workflow.ticket_claim_on_open(ticket=submit(subject="Mine"), tech=tech)
    customer = Customer.objects.get(pk=customer_id)
    for index in range(HISTORY_SHOWN + 5):
        change_record(customer=customer, actor=tech, field="phone", new=f"+1 555 {index:04}")

    with django_assert_num_queries(len(few.captured_queries)):
        html = client.get(customer_url(customer_id)).content.decode()
    assert html.count("?peek=1") == 8
    assert "alias5@example.org" in html
    assert html.count('data-testid="history-row"') == HISTORY_SHOWN
    assert "5 older changes are not shown." in html
