"""/desk/customers/: the list and the search, as a page and as the htmx partial; the message for
a search too long; who gets in; the desk's link to it; a flat query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.customer_search import MAX_QUERY_LENGTH, PAGE_SIZE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("tickets:desk_customers")
HTMX = {"HX-Request": "true"}


@pytest.fixture
def vera(make_customer, make_ticket, department):
    customer = make_customer(
        "Vera Visitor", "vera@example.org", phone="+49 30 1234567", company="Acme Widgets"
    )
    make_ticket(customer, department, order_number="ORD-7781")
    make_ticket(customer, department, status_type="closed")
    return customer


@pytest.fixture
def bea(make_customer, make_ticket, billing):
    customer = make_customer("Bea Billing", "bea@example.org")
    make_ticket(customer, billing)
    return customer


def test_the_full_page_lists_the_customers_the_tech_may_see(client, tech, vera, bea):
    client.force_login(tech)

    response = client.get(URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page and 'id="customer-results"' in page
    assert 'for="id_q"' in page  # the search box is labelled
    assert reverse("tickets:desk_customer", args=[vera.pk]) in page
    assert "vera@example.org" in page and "Acme Widgets" in page and "+49 30 1234567" in page
    assert "2 tickets" in page and "1 open" in page
    assert "Bea Billing" not in page


def test_a_search_finds_by_order_number_as_a_page_and_as_the_htmx_partial(
    client, tech, vera, bea, make_customer, make_ticket, department
):
    make_ticket(make_customer("Ben Brown", "ben@example.org"), department)
    client.force_login(tech)

    full = client.get(URL, {"q": "ord-778"})
    partial = client.get(URL, {"q": "ord-778"}, headers=HTMX)

    for response in (full, partial):
        page = response.content.decode()
        assert response.status_code == 200
        assert "Vera Visitor" in page and "Ben Brown" not in page
        assert "1 customer matches “ord-778”." in page
    assert "<html" not in partial.content.decode()
    assert partial.content.decode().lstrip().startswith('<div id="customer-results"')
    assert 'value="ord-778"' in full.content.decode()  # the box keeps the query


def test_a_tech_of_another_department_is_told_no_one_matches(client, billing_tech, vera):
    client.force_login(billing_tech)

    response = client.get(URL, {"q": "vera"})

    page = response.content.decode()
    assert "No customer you may see matches “vera”." in page
    assert "Vera Visitor" not in page and "vera@example.org" not in page


def test_a_search_too_long_is_refused_with_a_message(client, tech, vera):
    client.force_login(tech)

    response = client.get(URL, {"q": "v" * (MAX_QUERY_LENGTH + 1)}, headers=HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="search-error"' in page
    assert f"at most {MAX_QUERY_LENGTH} characters" in page
    assert "Vera Visitor" not in page


@pytest.mark.parametrize("query", ["%", "_", "\\", "100%_\\"])
def test_wildcards_match_nothing_but_themselves(client, admin_user, vera, query):
    client.force_login(admin_user)

    response = client.get(URL, {"q": query})

    assert response.status_code == 200
    assert "Vera Visitor" not in response.content.decode()


def test_the_list_pages_on(client, tech, make_customer, make_ticket, department):
    for number in range(PAGE_SIZE + 2):
        make_ticket(make_customer(f"Customer {number:02}"), department)
    client.force_login(tech)

    first = client.get(URL).content.decode()
    assert 'data-testid="next-page"' in first and "Customer 26" not in first
    cursor = first.split('href="?cursor=')[1].split('"')[0]
    second = client.get(URL, {"cursor": cursor}).content.decode()

    assert "Customer 25" in second and "Customer 26" in second and "Customer 24" not in second
    assert "First page" in second and 'data-testid="next-page"' not in second


def test_anonymous_visitors_sign_in_and_customers_are_refused(client, vera):
    assert client.get(URL).status_code == 302
    client.force_login(UserFactory())
    assert client.get(URL, {"q": "vera"}).status_code == 403


def test_the_desk_links_to_the_customers(client, tech):
    client.force_login(tech)

    page = client.get(reverse("tickets:desk")).content.decode()

    assert f'href="{URL}"' in page


def _count(client, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, params).status_code == 200
    return len(captured.captured_queries)


def test_the_page_costs_the_same_queries_with_more_customers_and_tickets(
    client, tech, vera, make_customer, make_ticket, department
):
    client.force_login(tech)
    small = (_count(client), _count(client, q="visitor"))
    for number in range(15):
        customer = make_customer(f"Vera Visitor {number}", f"vera{number}@example.org")
        for _ in range(3):
            make_ticket(customer, department)

    assert (_count(client), _count(client, q="visitor")) == small
