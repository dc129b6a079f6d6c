"""The desk pages: the queue page and its htmx partial, query counts, who may enter, the ticket
page, and the customer page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import DepartmentFactory, MembershipFactory, TechFactory
from tests.tickets.conftest import png_upload
from tickets import queues, services, workflow
from tickets.models import Message, StatusType, Ticket
from tickets.statuses import status_default

pytestmark = pytest.mark.django_db

DESK = reverse("tickets:desk")


def page_url(ticket):
    return reverse("tickets:desk_ticket", args=[ticket.number])


@pytest.fixture
def mine(submit, tech):
    """A ticket in Tom's pool."""
    return workflow.ticket_claim_on_open(ticket=submit(), tech=tech).ticket


@pytest.fixture
def other_tech(department):
    user = TechFactory(full_name="Olga Other")
    MembershipFactory(user=user, department=department)
    return user


def test_desk_shows_the_queues_and_my_pool(client, tech, submit):
    ticket = workflow.ticket_claim_on_open(ticket=submit(subject="Paper jam"), tech=tech).ticket
    submit(subject="Still unclaimed")
    client.force_login(tech)

    response = client.get(DESK)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert '<div id="desk-body"' in html
    assert "Paper jam" in html
    assert f"#{ticket.number}" in html
    assert "Still unclaimed" not in html
    assert 'data-testid="count-general">1</span>' in html
    assert 'data-testid="queue-team"' not in html


def test_desk_htmx_request_gets_only_the_desk_body(client, tech, submit):
    submit(subject="Unclaimed printer")
    client.force_login(tech)

    response = client.get(DESK, {"queue": "general"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="desk-body"')
    assert "<html" not in html
    assert "Unclaimed printer" in html


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}], ids=["page", "htmx"])
def test_the_filter_form_is_kept_across_the_desks_refresh(client, tech, headers):
    """The 30-second refresh swaps #desk-body; the filter form is preserved (hx-preserve needs
    the same id on both sides) so choices not yet applied survive. The browser test
    tests/browser/test_desk_refresh_keeps_filters.py watches it happen."""
    client.force_login(tech)

    html = client.get(DESK, {"queue": "general"}, headers=headers).content.decode()

    assert '<form method="get" id="queue-filters" hx-preserve' in html
    assert 'hx-trigger="every 30s"' in html


def test_empty_general_pool_says_so(client, tech):
    client.force_login(tech)

    html = client.get(DESK, {"queue": "general"}).content.decode()

    assert "The general pools of your departments are empty." in html


def test_managers_see_every_pool_with_owners(client, manager, tech, submit):
    workflow.ticket_claim_on_open(ticket=submit(subject="Tom's case"), tech=tech)
    client.force_login(manager)

    html = client.get(DESK, {"queue": "team"}).content.decode()

    assert "Tom&#x27;s case" in html
    assert '<option value="0" ' in html
    assert f'<option value="{tech.pk}"' in html


def test_customers_may_not_enter_the_desk(client, customer_user):
    client.force_login(customer_user)

    assert client.get(DESK).status_code == 403
    assert client.get(DESK, headers={"HX-Request": "true"}).status_code == 403


def test_visitors_are_sent_to_sign_in(client):
    response = client.get(DESK)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign_in"))


def measure_then_compare(client, url, params, grow, django_assert_num_queries):
    """Count the queries of one page, add rows, and expect exactly as many again."""
    client.get(url, params)  # warm-up: sessions, caches
    with CaptureQueriesContext(connection) as first:
        assert client.get(url, params).status_code == 200
    grow()
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url, params)
    return response


@pytest.mark.parametrize("queue", ["mine", "general", "team"])
def test_desk_queries_do_not_grow_with_rows(
    client, manager, submit, other_tech, queue, django_assert_num_queries
):
    def add(count):
        for index in range(count):
            ticket = submit(subject=f"Row {index}", email=f"row{index}@example.org")
            if queue == "mine" or (queue == "team" and index % 2):
                owner = manager if queue == "mine" else other_tech
                workflow.ticket_claim_on_open(ticket=ticket, tech=owner)

    add(3)
    client.force_login(manager)

    response = measure_then_compare(
        client, DESK, {"queue": queue}, lambda: add(22), django_assert_num_queries
    )

    assert len(response.context["page"].tickets) == 25


def test_ticket_page_queries_do_not_grow_with_the_thread(
    client, tech, submit, django_assert_num_queries
):
    ticket = submit(files=[png_upload()])
    for index in range(2):
        submit(subject=f"Other {index}")
    client.force_login(tech)
    client.get(page_url(ticket))  # claims it

    def grow():
        for index in range(6):
            workflow.ticket_reply(ticket=ticket, tech=tech, body=f"Note {index}", internal=True)
            services.ticket_reply_from_customer(ticket=ticket, body=f"Answer {index}")
        for index in range(4):
            submit(subject=f"More {index}")

    response = measure_then_compare(client, page_url(ticket), {}, grow, django_assert_num_queries)

    # The first message, then six notes and six customer answers.
    assert response.content.decode().count('<li class="card message-card') == 13


def test_customer_page_lists_the_tickets_i_may_open_and_counts_the_rest(
    client, tech, other_tech, submit
):
    mine = workflow.ticket_claim_on_open(ticket=submit(subject="Tom's own"), tech=tech).ticket
    general = submit(subject="In the general pool")
    theirs = submit(subject="Olga's secret case")
    workflow.ticket_claim_on_open(ticket=theirs, tech=other_tech)
    elsewhere = submit(subject="Billing's secret case", category=None)
    Ticket.objects.filter(pk=elsewhere.pk).update(department=DepartmentFactory())
    client.force_login(tech)

    response = client.get(reverse("tickets:desk_customer", args=[mine.customer_id]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Vera Visitor" in html
    assert "vera@example.org" in html
    assert "Tom&#x27;s own" in html
    assert "In the general pool" in html
    assert f"#{general.number}" in html
    assert "secret case" not in html
    assert f"#{theirs.number}" not in html
    assert "2 more tickets are in other pools." in html


def test_a_manager_sees_every_ticket_of_the_customer_in_their_department(
    client, manager, other_tech, submit
):
    theirs = workflow.ticket_claim_on_open(ticket=submit(subject="Olga's case"), tech=other_tech)
    client.force_login(manager)

    html = client.get(reverse("tickets:desk_customer", args=[theirs.ticket.customer_id])).content

    assert b"Olga&#x27;s case" in html
    assert b"more ticket" not in html


def test_customer_page_of_an_unknown_customer_is_404(client, tech):
    client.force_login(tech)

    assert client.get(reverse("tickets:desk_customer", args=[999999])).status_code == 404


def test_customers_cannot_open_the_desk_customer_page(client, customer_user, submit):
    ticket = submit()
    client.force_login(customer_user)

    assert client.get(reverse("tickets:desk_customer", args=[ticket.customer_id])).status_code == (
        403
    )


# The ticket page's status box


def status_url(ticket):
    return page_url(ticket) + "status/"


def test_status_change_moves_the_ticket_and_records_an_event(client, tech, mine):
    waiting = status_default(StatusType.PENDING)
    client.force_login(tech)

    response = client.post(status_url(mine), {"status": waiting.pk}, follow=True)

    mine.refresh_from_db()
    assert mine.status == waiting
    assert mine.status_type == StatusType.PENDING
    assert "Status changed." in response.content.decode()
    event = Message.objects.filter(ticket=mine, event_data__event="status_changed").last()
    assert event.event_data["to"] == waiting.name
    assert event.author == tech


def test_closing_by_status_stamps_closed_at(client, tech, mine):
    closed = status_default(StatusType.CLOSED)
    client.force_login(tech)

    client.post(status_url(mine), {"status": closed.pk})

    mine.refresh_from_db()
    assert mine.closed_at is not None
    assert not queues.queue_tickets(user=tech, queue="mine").filter(pk=mine.pk).exists()


def test_a_closed_tickets_header_says_when_it_was_closed_not_when_it_was_due(client, tech, mine):
    assert mine.due_at is not None
    client.force_login(tech)
    open_html = client.get(page_url(mine)).content.decode()
    assert 'data-testid="due"' in open_html and 'data-testid="closed-at"' not in open_html

    client.post(status_url(mine), {"status": status_default(StatusType.CLOSED).pk})

    html = client.get(page_url(mine)).content.decode()
    assert 'data-testid="closed-at"' in html
    assert 'data-testid="due"' not in html
    assert "due " not in html.split("<header", 1)[1].split("</header>", 1)[0]
    assert " left<" not in html and "overdue" not in html


def test_an_unknown_status_changes_nothing(client, tech, mine):
    client.force_login(tech)

    response = client.post(status_url(mine), {"status": "999999"}, follow=True)

    mine.refresh_from_db()
    assert mine.status_type == StatusType.OPEN
    assert "Choose one of the statuses in the list." in response.content.decode()


def test_customers_cannot_reply_transfer_or_change_status(client, customer_user, submit):
    ticket = submit()
    client.force_login(customer_user)

    for action in ("reply", "transfer", "status"):
        assert client.post(f"{page_url(ticket)}{action}/", {"body": "x"}).status_code == 403
    assert Message.objects.filter(ticket=ticket).count() == 1
    assert Ticket.objects.get(pk=ticket.pk).assignee is None
