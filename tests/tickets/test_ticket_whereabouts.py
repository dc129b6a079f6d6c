"""Rough edges of issue 14: a ticket that leaves a tech's sight (created for another department,
taken from the pool by a colleague, transferred away) is explained on the desk, never a bare
404 — but only to staff who had it in hand; anyone else still gets the 404."""

import pytest
from django.urls import reverse

from tests.factories import DepartmentFactory, MembershipFactory, TechFactory
from tickets import access, workflow
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

DESK = reverse("tickets:desk")
NEW = reverse("tickets:desk_ticket_new")


def page_url(ticket):
    return reverse("tickets:desk_ticket", args=[ticket.number])


@pytest.fixture
def billing():
    return DepartmentFactory(name="Billing", slug="billing")


@pytest.fixture
def olga(department):
    user = TechFactory(full_name="Olga Other")
    MembershipFactory(user=user, department=department)
    return user


def new_ticket_data(department, **overrides):
    data = {
        "email": "caller@example.org",
        "name": "Carl Caller",
        "source": "phone",
        "department": str(department.pk),
        "priority": "2",
        "subject": "Invoice question",
        "message": "Called about invoice 42.",
    }
    data.update(overrides)
    return data


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# Creating a ticket for a department the tech does not work in


def test_a_ticket_created_for_another_department_lands_on_the_desk_saying_where(
    client, tech, billing
):
    client.force_login(tech)

    response = client.post(NEW, new_ticket_data(billing), follow=True)

    ticket = Ticket.objects.get(subject="Invoice question")
    assert response.redirect_chain == [(DESK, 302)]
    assert messages_of(response) == [
        f"Ticket {ticket.tag} created; it went to Billing, in the general pool."
    ]


def test_a_ticket_created_for_own_department_opens_as_before(client, tech, department):
    client.force_login(tech)

    response = client.post(NEW, new_ticket_data(department, assign_to_me="on"))

    ticket = Ticket.objects.get(subject="Invoice question")
    assert response.status_code == 302
    assert response.url == page_url(ticket)


def test_bad_input_on_the_new_ticket_form_writes_nothing(client, tech, billing):
    client.force_login(tech)

    response = client.post(NEW, new_ticket_data(billing, email="not an address"))

    assert response.status_code == 200
    assert not Ticket.objects.exists()


# A general-pool ticket another tech took


def test_a_pool_ticket_a_colleague_took_names_them_and_goes_back_to_the_queue(
    client, tech, olga, submit
):
    ticket = submit()
    workflow.ticket_claim_on_open(ticket=ticket, tech=olga)
    client.force_login(tech)

    response = client.get(page_url(ticket), follow=True)

    assert response.redirect_chain == [(DESK + "?queue=general", 302)]
    assert messages_of(response) == [
        f"Olga Other took {ticket.tag} a moment ago; it is in their pool now."
    ]


def test_with_htmx_the_desk_is_reached_by_a_client_redirect(client, tech, olga, submit):
    ticket = submit()
    workflow.ticket_claim_on_open(ticket=ticket, tech=olga)
    client.force_login(tech)

    response = client.get(page_url(ticket), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["HX-Redirect"] == DESK + "?queue=general"


def test_a_tech_of_another_department_still_gets_a_404(client, olga, submit, billing):
    ticket = submit()
    workflow.ticket_claim_on_open(ticket=ticket, tech=olga)
    stranger = TechFactory()
    MembershipFactory(user=stranger, department=billing)
    client.force_login(stranger)

    assert client.get(page_url(ticket)).status_code == 404
    assert access.ticket_gone_from_staff(user=stranger, number=ticket.number) is None


def test_a_ticket_put_straight_into_a_colleagues_pool_is_not_revealed(
    client, tech, olga, manager, submit
):
    ticket = submit()
    workflow.ticket_transfer(ticket=ticket, by=manager, to_tech=olga)
    client.force_login(tech)

    assert client.get(page_url(ticket)).status_code == 404


def test_unknown_numbers_and_customers_get_a_404(client, tech, customer_user, olga, submit):
    ticket = submit()
    workflow.ticket_claim_on_open(ticket=ticket, tech=olga)
    client.force_login(tech)
    assert client.get(reverse("tickets:desk_ticket", args=[999999])).status_code == 404

    client.force_login(customer_user)
    assert client.get(page_url(ticket)).status_code in (302, 403, 404)
    assert access.ticket_gone_from_staff(user=customer_user, number=ticket.number) is None


# Transferred away


def test_a_ticket_transferred_away_explains_where_it_went(client, tech, submit, billing):
    ticket = submit()
    workflow.ticket_claim_on_open(ticket=ticket, tech=tech)
    billing_tech = TechFactory(full_name="Bea Billing")
    MembershipFactory(user=billing_tech, department=billing)
    workflow.ticket_transfer(ticket=ticket, by=tech, to_department=billing, to_tech=billing_tech)
    client.force_login(tech)

    response = client.get(page_url(ticket), follow=True)

    assert response.redirect_chain == [(DESK, 302)]
    assert messages_of(response) == [
        f"{ticket.tag} is no longer yours to open: it is in Billing, in Bea Billing's pool."
    ]


def test_the_previous_owner_is_told_even_when_a_manager_moved_it(
    client, tech, manager, submit, billing
):
    ticket = submit()
    workflow.ticket_claim_on_open(ticket=ticket, tech=tech)
    workflow.ticket_transfer(ticket=ticket, by=manager, to_department=billing)
    client.force_login(tech)

    response = client.get(page_url(ticket), follow=True)

    assert messages_of(response) == [
        f"{ticket.tag} is no longer yours to open: it is in Billing, in the general pool."
    ]


def test_staff_who_never_had_a_transferred_ticket_get_a_404(client, tech, olga, submit, billing):
    ticket = submit()
    workflow.ticket_claim_on_open(ticket=ticket, tech=tech)
    workflow.ticket_transfer(ticket=ticket, by=tech, to_department=billing)
    client.force_login(olga)  # same department, but the ticket never was in her sight by a claim

    response = client.get(page_url(ticket))

    assert response.status_code == 404
