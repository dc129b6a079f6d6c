"""The customer page's extras: order numbers linked to the shop (ORDER_URL_TEMPLATE), "New
ticket for this customer", the Account card, and logging a phone call from the page."""

import pytest
from django.urls import reverse

from accounts.models import CustomerEmail
from tests.factories import DepartmentFactory, TechFactory, UserFactory
from tests.test_settings import load_settings, loaded, refused
from tickets.models import Message, PhoneCall, StatusType, Ticket
from tickets.orders import order_url, orders_of

pytestmark = pytest.mark.django_db


def page(customer_id):
    return reverse("tickets:desk_customer", args=[customer_id])


def call_url(customer_id):
    return reverse("tickets:desk_customer_call", args=[customer_id])


# Order numbers


def test_order_numbers_are_distinct_and_linked_quoted(settings, submit, tech):
    settings.ORDER_URL_TEMPLATE = "https://shop.example/admin/orders/{order}"
    first = submit(order_number="A-1001")
    submit(order_number="A-1001", subject="Again")
    submit(order_number="B 7/2", subject="Other order")
    client_tickets = Ticket.objects.filter(customer=first.customer).order_by("pk")

    orders = orders_of(client_tickets)

    assert [order.number for order in orders] == ["A-1001", "B 7/2"]
    assert orders[1].url == "https://shop.example/admin/orders/B%207%2F2"


def test_the_page_links_order_numbers_when_the_setting_is_given(client, settings, submit, tech):
    settings.ORDER_URL_TEMPLATE = "https://shop.example/admin/orders/{order}"
    ticket = submit(order_number="A-1001")
    client.force_login(tech)

    html = client.get(page(ticket.customer_id)).content.decode()

    assert 'href="https://shop.example/admin/orders/A-1001"' in html


def test_without_the_setting_order_numbers_are_plain_text(client, settings, submit, tech):
    settings.ORDER_URL_TEMPLATE = ""
    ticket = submit(order_number="A-1001")
    client.force_login(tech)

    html = client.get(page(ticket.customer_id)).content.decode()

    assert "A-1001" in html
    assert "shop.example" not in html and order_url("A-1001") == ""


def test_order_numbers_of_tickets_the_tech_may_not_open_are_not_shown(client, submit, tech):
    submit(order_number="A-1001")
    hidden = submit(order_number="SECRET-9", subject="Elsewhere")
    Ticket.objects.filter(pk=hidden.pk).update(department=DepartmentFactory(name="Billing"))
    client.force_login(tech)

    html = client.get(page(hidden.customer_id)).content.decode()

    assert "A-1001" in html and "SECRET-9" not in html


@pytest.mark.parametrize(
    "template", ["javascript:alert(1)//{order}", "ftp://shop.example/{order}", "https://x/"]
)
def test_only_http_templates_with_the_order_are_accepted_at_settings_load(tmp_path, template):
    stderr = refused(load_settings(DEBUG="1", VAR_DIR=str(tmp_path), ORDER_URL_TEMPLATE=template))

    assert "ORDER_URL_TEMPLATE" in stderr


def test_an_https_template_loads(tmp_path):
    template = "https://shop.example/admin/orders/{order}"

    values = loaded(
        load_settings(
            "ORDER_URL_TEMPLATE", DEBUG="1", VAR_DIR=str(tmp_path), ORDER_URL_TEMPLATE=template
        )
    )

    assert values["ORDER_URL_TEMPLATE"] == template


# New ticket for this customer


def test_new_ticket_for_this_customer_is_prefilled(client, submit, tech):
    customer = submit().customer
    customer.phone = "+1 555 0100"
    customer.save()
    CustomerEmail.objects.create(customer=customer, email="alias@example.org")
    client.force_login(tech)

    assert f"?customer={customer.pk}" in client.get(page(customer.pk)).content.decode()
    response = client.get(reverse("tickets:desk_ticket_new"), {"customer": customer.pk})

    form = response.context["form"]
    assert form.initial["email"] == "vera@example.org"
    assert form.initial["name"] == "Vera Visitor"
    assert form.initial["phone"] == "+1 555 0100"
    assert 'data-testid="new-ticket-customer"' in response.content.decode()


@pytest.mark.parametrize("value", ["999999", "abc", "-1", "1" * 40])
def test_an_unknown_or_bad_customer_parameter_leaves_the_form_empty(client, tech, value):
    client.force_login(tech)

    response = client.get(reverse("tickets:desk_ticket_new"), {"customer": value})

    assert response.status_code == 200
    assert "email" not in response.context["form"].initial


def test_a_customer_the_tech_may_not_open_is_not_prefilled(client, submit, tech):
    ticket = submit()
    Ticket.objects.filter(pk=ticket.pk).update(department=DepartmentFactory(name="Billing"))
    client.force_login(tech)

    response = client.get(reverse("tickets:desk_ticket_new"), {"customer": ticket.customer_id})

    assert "vera@example.org" not in response.content.decode()


# The Account card (where the password-reset button goes)


def test_the_account_card_shows_the_accounts_email_and_state(client, submit, tech):
    ticket = submit()
    account = UserFactory(email="vera@example.org", is_active=False)
    ticket.customer.user = account
    ticket.customer.save()
    client.force_login(tech)

    html = client.get(page(ticket.customer_id)).content.decode()

    assert 'data-testid="customer-account"' in html
    assert "Deactivated" in html


# A call from the customer page


def call_data(ticket, **overrides):
    data = {
        "ticket": str(ticket.number),
        "direction": "outgoing",
        "reached": "yes",
        "duration_minutes": "4",
        "agreed": "Will send the invoice again.",
    }
    data.update(overrides)
    return data


def test_a_call_logged_from_the_customer_page_appears_in_the_tickets_thread(client, submit, tech):
    ticket = submit()
    client.force_login(tech)

    response = client.post(call_url(ticket.customer_id), call_data(ticket))

    assert response.status_code == 302 and response["Location"] == page(ticket.customer_id)
    call = PhoneCall.objects.select_related("message").get()
    assert call.message.ticket == ticket and call.reached and call.duration_minutes == 4
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None
    thread = client.get(reverse("tickets:desk_ticket", args=[ticket.number])).content.decode()
    assert "Will send the invoice again." in thread


def test_the_call_form_offers_only_open_tickets_the_tech_may_open(client, submit, tech):
    mine = submit(subject="Open one")
    closed = submit(subject="Closed one")
    Ticket.objects.filter(pk=closed.pk).update(status_type=StatusType.CLOSED)
    waiting = submit(subject="Waiting one")
    Ticket.objects.filter(pk=waiting.pk).update(status_type=StatusType.PENDING)
    elsewhere = submit(subject="Other pool")
    Ticket.objects.filter(pk=elsewhere.pk).update(assignee=TechFactory())
    client.force_login(tech)

    html = client.get(page(mine.customer_id)).content.decode()
    refused_closed = client.post(call_url(mine.customer_id), call_data(closed))
    refused_hidden = client.post(call_url(mine.customer_id), call_data(elsewhere))

    assert f"#{mine.number} — Open one" in html and f"#{waiting.number} — Waiting one" in html
    assert "Closed one</option>" not in html and "Other pool" not in html
    assert refused_closed.status_code == refused_hidden.status_code == 400
    assert "Choose one of the customer&#x27;s open tickets." in refused_closed.content.decode()
    assert not PhoneCall.objects.exists()


def test_bad_call_input_is_shown_and_nothing_is_written(client, submit, tech):
    ticket = submit()
    client.force_login(tech)

    response = client.post(
        call_url(ticket.customer_id), call_data(ticket, agreed="", duration_minutes="-3")
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "The duration cannot be negative." in html
    assert not Message.objects.filter(kind=Message.Kind.PHONE_CALL).exists()


def test_a_reached_call_without_what_was_agreed_is_refused(client, submit, tech):
    ticket = submit()
    client.force_login(tech)

    response = client.post(call_url(ticket.customer_id), call_data(ticket, agreed=" "))

    assert response.status_code == 400
    assert "Write what was agreed with the customer." in response.content.decode()
    assert not PhoneCall.objects.exists()


def test_a_tech_who_may_see_none_of_the_tickets_cannot_log_a_call(client, submit):
    ticket = submit()
    outsider = TechFactory()
    client.force_login(outsider)

    assert client.post(call_url(ticket.customer_id), call_data(ticket)).status_code == 404
    assert not PhoneCall.objects.exists()
