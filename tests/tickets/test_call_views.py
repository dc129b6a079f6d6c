"""Logging a phone call from the desk's ticket page: the full page and the htmx partial, who may,
bad input, the card in the thread (never on the customer's pages) and flat query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import DepartmentFactory, MembershipFactory, TechFactory
from tickets import workflow
from tickets.calls import CallDetails, call_log
from tickets.models import Message, PhoneCall, Ticket

pytestmark = pytest.mark.django_db

AGREED = "Agreed: courier picks the printer up on Monday"


def page(ticket):
    return reverse("tickets:desk_ticket", args=[ticket.number])


def call_url(ticket):
    return reverse("tickets:desk_call_log", args=[ticket.number])


def call_data(**overrides):
    data = {
        "direction": "outgoing",
        "reached": "yes",
        "duration_minutes": "6",
        "agreed": AGREED,
        "callback_at": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def own_ticket(submit, customer_with_account, customer_user, tech):
    ticket = submit(email=customer_user.email, subject="My printer")
    return workflow.ticket_claim_on_open(ticket=ticket, tech=tech).ticket


def test_logging_a_call_without_javascript_returns_to_the_ticket_with_the_card(
    client, tech, own_ticket
):
    client.force_login(tech)

    response = client.post(call_url(own_ticket), call_data())

    assert response.status_code == 302 and response.url == page(own_ticket)
    html = client.get(page(own_ticket)).content.decode()
    assert "message-phone_call" in html
    assert "Agreed: courier picks the printer up on Monday" in html
    assert 'data-testid="call-reached"' in html
    assert "Phone call logged." in html
    own_ticket.refresh_from_db()
    assert own_ticket.first_response_at is not None


def test_logging_a_call_with_htmx_swaps_the_form_and_the_thread_in_place(client, tech, own_ticket):
    client.force_login(tech)

    response = client.post(
        call_url(own_ticket),
        call_data(reached="no", agreed="", duration_minutes="0"),
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert '<section class="card mb-3" id="call-log"' in html
    assert 'data-testid="call-logged"' in html
    assert '<details class="call-log" open>' in html
    assert 'id="thread" aria-label="Conversation" hx-swap-oob="true"' in html
    assert 'data-testid="call-not-reached"' in html
    assert 'id="ticket-sla" class="small" data-testid="due" hx-swap-oob="true"' in html
    assert "<html" not in html
    own_ticket.refresh_from_db()
    assert own_ticket.first_response_at is None


def test_a_call_back_time_is_read_in_the_techs_time_zone_and_shown_on_the_card(
    client, tech, own_ticket
):
    tech.time_zone = "Europe/Kyiv"
    tech.save()
    client.force_login(tech)
    local = (timezone.now() + timedelta(days=1)).astimezone(
        __import__("zoneinfo").ZoneInfo("Europe/Kyiv")
    )

    client.post(call_url(own_ticket), call_data(callback_at=local.strftime("%Y-%m-%dT%H:%M")))

    call = PhoneCall.objects.get()
    assert call.callback_at == local.replace(second=0, microsecond=0)
    assert call.callback_for == tech
    assert 'data-testid="call-back"' in client.get(page(own_ticket)).content.decode()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"duration_minutes": "-5"}, "The duration cannot be negative."),
        ({"direction": ""}, "Say whether the call was incoming or outgoing."),
        ({"reached": ""}, "Say whether the call reached the customer."),
        ({"agreed": ""}, "Write what was agreed with the customer."),
        ({"duration_minutes": "ten"}, "Enter a whole number."),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_input_says_what_is_wrong_and_writes_nothing(
    client, tech, own_ticket, overrides, message, htmx
):
    client.force_login(tech)
    before = Message.objects.filter(ticket=own_ticket).count()
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.post(call_url(own_ticket), call_data(**overrides), headers=headers)

    html = response.content.decode()
    assert response.status_code == (200 if htmx else 400)
    assert message in html
    assert "Please correct the marked fields." in html
    assert '<details class="call-log" open>' in html  # the refusal is in view, not folded away
    if htmx:
        assert "<html" not in html and 'hx-swap-oob="true"' not in html
    assert Message.objects.filter(ticket=own_ticket).count() == before
    assert not PhoneCall.objects.exists()
    assert Ticket.objects.get(pk=own_ticket.pk).first_response_at is None


def test_a_call_back_in_the_past_is_refused_on_its_field(client, tech, own_ticket):
    client.force_login(tech)
    past = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(call_url(own_ticket), call_data(callback_at=past))

    assert response.status_code == 400
    assert "Choose a call-back time in the future." in response.content.decode()
    assert not PhoneCall.objects.exists()


def test_a_tech_who_cannot_see_the_ticket_gets_404_and_nothing_is_written(
    client, own_ticket, department
):
    same_department = TechFactory(full_name="Pool Neighbour")
    MembershipFactory(user=same_department, department=department)
    elsewhere = TechFactory(full_name="Other Department")
    MembershipFactory(user=elsewhere, department=DepartmentFactory())

    for outsider in (same_department, elsewhere):
        client.force_login(outsider)
        assert client.post(call_url(own_ticket), call_data()).status_code == 404

    assert not PhoneCall.objects.exists()


def test_a_customer_cannot_log_a_call(client, customer_user, own_ticket):
    client.force_login(customer_user)

    response = client.post(call_url(own_ticket), call_data())

    assert response.status_code in (302, 403, 404)
    assert not PhoneCall.objects.exists()


def test_the_customer_never_sees_a_call_in_their_area_or_by_the_secret_link(
    client, tech, customer_user, own_ticket
):
    call_log(
        ticket=own_ticket,
        tech=tech,
        details=CallDetails(
            direction="incoming", reached=True, duration_minutes=4, agreed="SECRET-CALL-TEXT"
        ),
    )
    workflow.ticket_reply(ticket=own_ticket, tech=tech, body="PUBLIC-REPLY-TEXT", internal=False)

    client.force_login(customer_user)
    mine = client.get(reverse("tickets:my_ticket", args=[own_ticket.number])).content.decode()
    client.logout()
    by_link = client.get(
        reverse("tickets:ticket_by_token", args=[own_ticket.access_token])
    ).content.decode()

    for html in (mine, by_link):
        assert "PUBLIC-REPLY-TEXT" in html
        assert "SECRET-CALL-TEXT" not in html
        assert "message-phone_call" not in html
        assert "Phone call" not in html


def test_ticket_page_queries_do_not_grow_with_call_cards(
    client, tech, own_ticket, django_assert_num_queries
):
    client.force_login(tech)

    def log(count, reached):
        for index in range(count):
            call_log(
                ticket=own_ticket,
                tech=tech,
                details=CallDetails(
                    direction="outgoing" if index % 2 else "incoming",
                    reached=reached,
                    duration_minutes=index,
                    agreed=f"Call {index}" if reached else "",
                    callback_at=timezone.now() + timedelta(days=1) if index % 3 == 0 else None,
                ),
            )

    log(2, reached=False)
    client.get(page(own_ticket))  # warm-up
    with CaptureQueriesContext(connection) as first:
        assert client.get(page(own_ticket)).status_code == 200
    log(10, reached=True)
    log(5, reached=False)

    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(page(own_ticket))

    assert response.content.decode().count("message-card message-phone_call") == 17


def test_the_call_log_is_folded_on_the_ticket_page_until_wanted(client, tech, own_ticket):
    client.force_login(tech)

    html = client.get(reverse("tickets:desk_ticket", args=[own_ticket.number])).content.decode()

    assert '<details class="call-log">' in html and 'data-testid="call-form"' in html
