"""The customer area: a signed-in customer sees and answers only their own tickets."""

import pytest
from django.urls import reverse

from accounts.models import CustomerEmail
from tests.factories import CustomerFactory, UserFactory
from tests.tickets.conftest import png_upload
from tickets.models import Attachment, Message

pytestmark = pytest.mark.django_db

MY = reverse("tickets:my_tickets")


@pytest.fixture
def own_ticket(submit, customer_with_account, customer_user):
    return submit(email=customer_user.email, subject="My printer", files=[png_upload()])


@pytest.fixture
def foreign_ticket(submit):
    return submit(email="stranger@example.org", subject="Stranger's secret problem")


def test_my_tickets_lists_only_the_customers_own(client, customer_user, own_ticket, foreign_ticket):
    client.force_login(customer_user)

    html = client.get(MY).content.decode()

    assert "My printer" in html
    assert f"#{own_ticket.number}" in html
    assert "Stranger&#x27;s secret problem" not in html
    assert "Stranger's secret problem" not in html


def test_my_tickets_htmx_request_gets_the_list_partial(client, customer_user, own_ticket):
    client.force_login(customer_user)

    response = client.get(MY, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="ticket-list">')
    assert "My printer" in html
    assert "<nav" not in html


def test_customer_without_tickets_sees_a_friendly_empty_list(client, customer_user):
    client.force_login(customer_user)

    assert "You have no tickets yet." in client.get(MY).content.decode()


def test_customer_record_found_by_email_is_linked_to_the_account(client, customer_user, submit):
    submit(email=customer_user.email, subject="Sent before signing up")
    client.force_login(customer_user)

    assert "Sent before signing up" in client.get(MY).content.decode()


def test_other_customers_ticket_number_in_the_url_is_404(client, customer_user, foreign_ticket):
    client.force_login(customer_user)

    url = reverse("tickets:my_ticket", args=[foreign_ticket.number])

    assert client.get(url).status_code == 404
    assert client.post(url, {"message": "let me in"}).status_code == 404
    assert not foreign_ticket.messages.filter(body="let me in").exists()


def test_customer_reads_and_replies_in_their_ticket(client, customer_user, own_ticket):
    client.force_login(customer_user)
    url = reverse("tickets:my_ticket", args=[own_ticket.number])

    assert "My printer" in client.get(url).content.decode()
    response = client.post(url, {"message": "Any news?"})

    assert response.status_code == 302
    reply = own_ticket.messages.filter(kind=Message.Kind.CUSTOMER).last()
    assert reply.body == "Any news?"
    assert reply.author == customer_user


def test_customer_downloads_their_own_attachment_but_not_anothers(
    client, customer_user, own_ticket, submit
):
    client.force_login(customer_user)
    mine = Attachment.objects.get(message__ticket=own_ticket)
    other = submit(email="x@example.org", files=[png_upload()])
    theirs = Attachment.objects.get(message__ticket=other)
    base = reverse("tickets:my_ticket", args=[own_ticket.number])

    assert client.get(f"{base}files/{mine.pk}/").status_code == 200
    assert client.get(f"{base}files/{theirs.pk}/").status_code == 404
    other_base = reverse("tickets:my_ticket", args=[other.number])
    assert client.get(f"{other_base}files/{theirs.pk}/").status_code == 404


def test_another_customer_account_cannot_open_my_ticket(client, own_ticket):
    intruder = UserFactory()
    customer = CustomerFactory(user=intruder)
    CustomerEmail.objects.create(customer=customer, email=intruder.email, is_primary=True)
    client.force_login(intruder)

    assert client.get(reverse("tickets:my_ticket", args=[own_ticket.number])).status_code == 404


def test_staff_cannot_use_the_customer_area(client, tech, own_ticket):
    client.force_login(tech)

    assert client.get(MY).status_code == 403
    assert client.get(reverse("tickets:my_ticket", args=[own_ticket.number])).status_code == 403


def test_my_tickets_queries_do_not_grow_with_tickets(
    client, customer_user, customer_with_account, submit, django_assert_num_queries
):
    submit(email=customer_user.email)
    client.force_login(customer_user)
    client.get(MY)
    with django_assert_num_queries(5) as few:
        client.get(MY)
    for index in range(6):
        submit(email=customer_user.email, subject=f"More {index}")

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(MY)
    assert response.content.decode().count("tickets/my/t/") == 0
    assert response.content.decode().count('href="/my/t/') == 7


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}], ids=["page", "htmx"])
def test_staff_replies_show_the_techs_name_and_support_team_not_staff_jargon(
    client, customer_user, own_ticket, tech, headers
):
    from tickets import workflow

    workflow.ticket_reply(ticket=own_ticket, tech=tech, body="Try a restart.", internal=False)
    client.force_login(customer_user)

    html = client.get(reverse("tickets:my_ticket", args=[own_ticket.number]), headers=headers)
    html = html.content.decode()

    assert "Try a restart." in html
    assert "Tom Tech" in html
    assert 'data-testid="support-team">· Support team' in html
    assert "Public reply" not in html


def test_the_desk_still_names_the_kind_of_message(client, own_ticket, tech):
    from tickets import workflow

    workflow.ticket_reply(ticket=own_ticket, tech=tech, body="Try a restart.", internal=False)
    client.force_login(tech)

    html = client.get(reverse("tickets:desk_ticket", args=[own_ticket.number])).content.decode()

    assert "Public reply" in html
