"""Staff-entered tickets, the staff ticket page and who may see it, and splitting a message."""

import pytest
from django.urls import reverse

from tests.factories import DepartmentFactory, MembershipFactory, TechFactory
from tests.tickets.conftest import png_upload
from tickets.models import Message, Source, Ticket

pytestmark = pytest.mark.django_db

NEW = reverse("tickets:desk_ticket_new")


def desk_url(ticket):
    return reverse("tickets:desk_ticket", args=[ticket.number])


def test_tech_enters_a_phone_ticket_for_a_new_customer(
    client, tech, department, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(tech)
    data = {
        "email": "caller@example.org",
        "name": "Carl Caller",
        "phone": "+1 555 0100",
        "source": "phone",
        "department": str(department.pk),
        "priority": "4",
        "subject": "Outage reported by phone",
        "message": "Nothing loads since 9:00.",
        "assign_to_me": "on",
        "send_confirmation": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, data)

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response.url == desk_url(ticket)
    assert ticket.source == Source.PHONE
    assert ticket.assignee == tech
    assert ticket.customer.name == "Carl Caller"
    assert len(mailoutbox) == 1
    page = client.get(response.url).content.decode()
    assert "Outage reported by phone" in page
    assert "Entered by Tom Tech" in page


def test_staff_ticket_needs_a_department_or_category(client, tech):
    client.force_login(tech)

    response = client.post(
        NEW,
        {
            "email": "a@example.org",
            "name": "A",
            "source": "phone",
            "priority": "2",
            "subject": "S",
            "message": "M",
        },
    )

    assert response.status_code == 200
    assert "Choose a department or a category." in response.content.decode()
    assert Ticket.objects.count() == 0


def test_customers_cannot_enter_tickets_for_others(client, customer_user):
    client.force_login(customer_user)

    assert client.get(NEW).status_code == 403


def test_general_pool_ticket_of_my_department_is_visible_to_me(client, tech, submit):
    ticket = submit()
    client.force_login(tech)

    response = client.get(desk_url(ticket))

    assert response.status_code == 200
    assert "General pool" in response.content.decode()


def test_another_techs_pool_is_not_mine_to_see(client, tech, submit, department):
    other = TechFactory()
    MembershipFactory(user=other, department=department)
    ticket = submit()
    Ticket.objects.filter(pk=ticket.pk).update(assignee=other)
    client.force_login(tech)

    assert client.get(desk_url(ticket)).status_code == 404


def test_tickets_of_other_departments_are_404(client, tech, submit):
    elsewhere = DepartmentFactory()
    ticket = submit(category=None)
    Ticket.objects.filter(pk=ticket.pk).update(department=elsewhere)
    client.force_login(tech)

    assert client.get(desk_url(ticket)).status_code == 404


def test_manager_and_admin_see_every_pool(client, manager, admin_user, submit, department):
    other = TechFactory()
    MembershipFactory(user=other, department=department)
    ticket = submit()
    Ticket.objects.filter(pk=ticket.pk).update(assignee=other)

    for person in (manager, admin_user):
        client.force_login(person)
        assert client.get(desk_url(ticket)).status_code == 200


def test_staff_page_shows_internal_notes_marked_as_such(client, tech, submit):
    ticket = submit()
    Message.objects.create(ticket=ticket, kind=Message.Kind.NOTE, author=tech, body="Secret note")
    client.force_login(tech)

    html = client.get(desk_url(ticket)).content.decode()

    assert "Secret note" in html
    assert "Internal note" in html
    assert "bi-lock-fill" in html


def test_tech_creates_a_new_ticket_from_a_customer_message(client, tech, submit, department):
    origin = submit(body="Problem A. Also problem B.", files=[png_upload()])
    message = origin.messages.get(kind=Message.Kind.CUSTOMER)
    client.force_login(tech)
    url = reverse("tickets:desk_ticket_split", args=[origin.number, message.pk])

    assert "Problem A. Also problem B." in client.get(url).content.decode()
    response = client.post(
        url, {"subject": "Problem B", "department": str(department.pk), "priority": "2"}
    )

    new = Ticket.objects.exclude(pk=origin.pk).get()
    assert response.url == desk_url(new)
    assert new.split_from == message
    assert new.assignee == tech
    assert new.messages.get(kind=Message.Kind.CUSTOMER).attachments.count() == 1


def test_splitting_a_message_of_an_invisible_ticket_is_404(client, tech, submit):
    ticket = submit(category=None)
    Ticket.objects.filter(pk=ticket.pk).update(department=DepartmentFactory())
    message = ticket.messages.get()
    client.force_login(tech)

    url = reverse("tickets:desk_ticket_split", args=[ticket.number, message.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, {"subject": "x"}).status_code == 404


def test_staff_ticket_page_queries_do_not_grow_with_the_thread(
    client, tech, submit, django_assert_num_queries
):
    ticket = submit(files=[png_upload()])
    client.force_login(tech)
    client.get(desk_url(ticket))
    # user, ticket, manager check, nav, thread, attachments, canned responses, addresses,
    # other tickets, the status / transfer choices, the departments one may consult, and the
    # questionnaire's questions and answers, the notification bell's unread count, whether the
    # owner is absent and which techs of the transfer picker are, whether a consultation is open
    # (the status list) and the department's categories (the properties)
    with django_assert_num_queries(21) as few:
        client.get(desk_url(ticket))
    for index in range(5):
        Message.objects.create(
            ticket=ticket, kind=Message.Kind.NOTE, author=tech, body=f"Note {index}"
        )

    with django_assert_num_queries(len(few.captured_queries)):
        client.get(desk_url(ticket))
