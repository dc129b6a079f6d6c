"""Who may own a new ticket: "New ticket for a customer" and "New ticket from this message"
follow the transfer rule (tickets/ownership.py) — a ticket goes into a tech's pool only in a
department the tech works in; any department may receive one in its general pool."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from departments.models import Department
from tests.factories import CategoryFactory, DepartmentFactory, MembershipFactory, TechFactory
from tickets import services
from tickets.models import Message, Source, Ticket
from tickets.ownership import departments_to_own_in, tech_may_own

pytestmark = pytest.mark.django_db

NEW = reverse("tickets:desk_ticket_new")


@pytest.fixture
def billing():
    return DepartmentFactory(name="Billing", slug="billing")


def new_ticket_data(department, **overrides):
    data = {
        "email": "caller@example.org",
        "name": "Carl Caller",
        "source": "phone",
        "department": str(department.pk),
        "priority": "2",
        "subject": "Invoice question",
        "message": "Called about invoice 42.",
        "assign_to_me": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def split_url(ticket, message):
    return reverse("tickets:desk_ticket_split", args=[ticket.number, message.pk])


# The rule


def test_tech_may_own_only_in_their_departments_and_admins_anywhere(
    tech, trainee, admin_user, department, billing
):
    outsider = TechFactory()

    assert tech_may_own(tech=tech, department=department)
    assert tech_may_own(tech=trainee, department=department)
    assert not tech_may_own(tech=tech, department=billing)
    assert not tech_may_own(tech=outsider, department=department)
    assert tech_may_own(tech=admin_user, department=billing)
    tech.is_active = False
    assert not tech_may_own(tech=tech, department=department)


def test_departments_to_own_in(tech, admin_user, department, billing, customer_user):
    assert list(departments_to_own_in(tech)) == [department]
    assert set(departments_to_own_in(admin_user)) == {department, billing}
    assert not departments_to_own_in(TechFactory()).exists()
    assert not departments_to_own_in(customer_user).exists()


# New ticket for a customer


def test_the_department_list_says_where_a_ticket_cannot_be_mine(client, tech, billing):
    client.force_login(tech)

    html = client.get(NEW).content.decode()

    assert ">Technical support</option>" in html
    assert ">Billing — general pool only</option>" in html


def test_a_ticket_in_another_department_cannot_go_to_my_pool(client, tech, billing):
    client.force_login(tech)

    response = client.post(NEW, new_ticket_data(billing))

    assert response.status_code == 200
    assert "You do not work in Billing, so the ticket cannot go to your pool." in (
        response.content.decode()
    )
    assert not Ticket.objects.exists()


def test_a_category_of_another_department_cannot_go_to_my_pool(client, tech, billing):
    category = CategoryFactory(name="Invoices", department=billing)
    client.force_login(tech)

    data = {**new_ticket_data(billing), "department": "", "category": str(category.pk)}
    response = client.post(NEW, data)

    assert "You do not work in Billing" in response.content.decode()
    assert not Ticket.objects.exists()


def test_another_department_receives_it_in_its_general_pool(client, tech, billing):
    client.force_login(tech)

    response = client.post(NEW, new_ticket_data(billing, assign_to_me=None))

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert (ticket.department, ticket.assignee, ticket.created_by) == (billing, None, tech)
    assert ticket.source == Source.PHONE
    # Entered for Billing's pool, it is not Tom's to open: the desk says where it went, and so
    # does the ticket's own address afterwards.
    assert response.url == reverse("tickets:desk")
    page = client.get(reverse("tickets:desk_ticket", args=[ticket.number]))
    assert page.status_code == 302
    assert page.url == reverse("tickets:desk")


def test_the_pool_box_starts_ticked_only_for_a_tech_with_a_department(client, tech):
    client.force_login(tech)
    assert 'id="id_assign_to_me" checked' in client.get(NEW).content.decode()

    client.force_login(TechFactory())
    assert 'id="id_assign_to_me" checked' not in client.get(NEW).content.decode()


def test_an_admin_may_put_a_ticket_of_any_department_in_their_pool(client, admin_user, billing):
    client.force_login(admin_user)

    html = client.get(NEW).content.decode()
    client.post(NEW, new_ticket_data(billing))

    assert "general pool only" not in html
    assert Ticket.objects.get().assignee == admin_user


def test_the_service_refuses_ownership_outside_the_techs_departments(tech, billing):
    with pytest.raises(ValidationError) as error:
        services.ticket_create_for_customer(
            staff=tech,
            email="caller@example.org",
            name="Carl Caller",
            phone="",
            subject="Invoice",
            body="Text",
            category=None,
            department=billing,
            priority=2,
            source=Source.PHONE,
            assign_to_me=True,
            send_confirmation=True,
        )

    assert error.value.messages == ["Tom Tech does not work in Billing."]
    assert not Ticket.objects.exists()


def test_a_refusal_by_the_service_is_shown_on_the_form(client, tech, billing, monkeypatch):
    # As if Tom's Billing membership ended while the form was being checked.
    monkeypatch.setattr(
        "tickets.forms_desk.departments_to_own_in", lambda user: Department.objects.all()
    )
    client.force_login(tech)

    response = client.post(NEW, new_ticket_data(billing))

    assert response.status_code == 200
    assert "Tom Tech does not work in Billing." in response.content.decode()
    assert not Ticket.objects.exists()


# New ticket from this message


def test_split_offers_only_my_departments(client, tech, submit, billing):
    origin = submit()
    client.force_login(tech)

    html = client.get(split_url(origin, origin.messages.get())).content.decode()

    assert ">Technical support</option>" in html
    assert "Billing" not in html


def test_split_into_another_department_is_refused_and_writes_nothing(client, tech, submit, billing):
    origin = submit()
    client.force_login(tech)

    response = client.post(
        split_url(origin, origin.messages.get()),
        {"subject": "Invoice part", "department": str(billing.pk), "priority": "2"},
    )

    assert response.status_code == 200
    assert "Choose one of your departments: the new ticket is yours." in (response.content.decode())
    assert Ticket.objects.count() == 1


def test_split_service_refuses_another_department(tech, submit, billing):
    origin = submit()

    with pytest.raises(ValidationError):
        services.ticket_create_from_message(
            staff=tech,
            message=origin.messages.get(kind=Message.Kind.CUSTOMER),
            subject="Invoice part",
            department=billing,
            priority=2,
            send_confirmation=False,
        )

    assert Ticket.objects.count() == 1


def test_a_tech_of_two_departments_may_split_into_either(client, tech, submit, billing):
    MembershipFactory(user=tech, department=billing)
    origin = submit()
    client.force_login(tech)

    client.post(
        split_url(origin, origin.messages.get()),
        {"subject": "Invoice part", "department": str(billing.pk), "priority": "2"},
    )

    new = Ticket.objects.exclude(pk=origin.pk).get()
    assert (new.department, new.assignee) == (billing, tech)


def test_a_tech_without_a_department_is_told_why_nothing_can_be_chosen(client, tech, submit):
    origin = submit()
    Ticket.objects.filter(pk=origin.pk).update(assignee=tech)
    tech.memberships.all().delete()
    client.force_login(tech)

    html = client.get(split_url(origin, origin.messages.get())).content.decode()

    assert "You work in no department, so no new ticket can be yours." in html
