"""The search pages: the header box, the desk's results page and its htmx partial, the number
jump, filters ignored with a message, who may search, and the customer's search on /my/."""

import pytest
from django.urls import reverse

from tests.factories import DepartmentFactory, MembershipFactory, TechFactory
from tickets import search, workflow
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

SEARCH = reverse("tickets:desk_search")
MY_SEARCH = reverse("tickets:my_search")


@pytest.fixture
def other_tech(department):
    user = TechFactory(full_name="Olga Other")
    MembershipFactory(user=user, department=department)
    return user


def test_every_desk_page_has_the_search_box_in_its_header(client, tech):
    client.force_login(tech)

    for url in (reverse("tickets:desk"), reverse("accounts:preferences")):
        html = client.get(url).content.decode()
        assert 'data-testid="header-search"' in html
        assert f'action="{SEARCH}"' in html
        assert '<label class="visually-hidden" for="header-search-q">' in html


def test_customers_get_no_desk_search_box(client, customer_with_account):
    client.force_login(customer_with_account.user)

    html = client.get(reverse("tickets:my_tickets")).content.decode()

    assert 'data-testid="header-search"' not in html
    assert f'action="{MY_SEARCH}"' in html


def test_results_page_shows_highlighted_escaped_hits(client, tech, submit):
    ticket = submit(subject="Banjo <i>strings</i>", body="The banjo <script>x()</script> squeaks.")
    client.force_login(tech)

    response = client.get(SEARCH, {"q": "banjo"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert html.count('data-testid="search-hit"') == 1
    assert reverse("tickets:desk_ticket", args=[ticket.number]) in html
    assert "<mark>Banjo</mark> &lt;i&gt;strings&lt;/i&gt;" in html
    assert "<script>x()" not in html
    assert 'value="banjo"' in html  # the box keeps the query


def test_htmx_gets_only_the_results(client, tech, submit):
    submit(subject="Banjo strings")
    client.force_login(tech)

    response = client.get(SEARCH, {"q": "banjo"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "<html" not in html
    assert html.startswith('\n<section id="search-results"') or html.lstrip().startswith(
        '<section id="search-results"'
    )
    assert 'data-testid="search-hit"' in html


def test_a_number_jumps_to_the_ticket(client, tech, submit):
    ticket = submit(subject="Anything")
    client.force_login(tech)
    url = reverse("tickets:desk_ticket", args=[ticket.number])

    assert client.get(SEARCH, {"q": str(ticket.number)}).url == url
    assert client.get(SEARCH, {"q": f" #{ticket.number} "}).url == url


def test_a_number_of_a_ticket_out_of_reach_is_searched_and_said(client, tech, other_tech, submit):
    theirs = workflow.ticket_claim_on_open(ticket=submit(subject="Hers"), tech=other_tech).ticket
    client.force_login(tech)

    response = client.get(SEARCH, {"q": f"#{theirs.number}"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="number-not-found"' in html
    assert 'data-testid="search-hit"' not in html
    assert "Hers" not in html


def test_filters_apply_and_bad_ones_are_ignored_with_a_message(client, tech, submit):
    other = DepartmentFactory(name="Elsewhere", slug="elsewhere")
    submit(subject="Harp pedal broken")
    client.force_login(tech)

    response = client.get(
        SEARCH, {"q": "harp", "department": str(other.pk), "status": "x", "period": "week"}
    )

    html = response.content.decode()
    assert "Ignored a filter that does not apply: Status, Department." in html
    assert html.count('data-testid="search-hit"') == 1
    response = client.get(SEARCH, {"q": "harp", "owner": str(tech.pk)})
    assert 'data-testid="search-none"' in response.content.decode()


@pytest.mark.parametrize("text", ["", "x" * 1000, "& | ! : * ( )", "#", "%_\\"])
def test_bad_queries_answer_a_page(client, tech, submit, text):
    submit(subject="Printer")
    client.force_login(tech)

    response = client.get(SEARCH, {"q": text, "page": "-3"})

    assert response.status_code == 200


def test_a_long_query_says_it_was_cut(client, tech):
    client.force_login(tech)

    html = client.get(SEARCH, {"q": "x" * 1000}).content.decode()

    assert "Only the first 200 characters of the search were used." in html


def test_the_page_query_count_is_flat(
    client, tech, submit, django_assert_max_num_queries, monkeypatch
):
    # Ticket ids reach past the first window in a long test run: one window here, so the count
    # is the page's own (how many windows a search may read: test_search.py).
    monkeypatch.setattr(search, "SEARCH_FIRST_WINDOW", 10**15)
    for index in range(2):
        submit(subject=f"Tuba {index}", body="tuba")
    client.force_login(tech)
    client.get(SEARCH, {"q": "tuba"})  # sessions, content types warmed
    with django_assert_max_num_queries(30) as few:
        client.get(SEARCH, {"q": "tuba"})
    for index in range(20):
        submit(subject=f"Tuba {index}", body="tuba")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(SEARCH, {"q": "tuba"})
    assert response.content.decode().count('data-testid="search-hit"') == 22


def test_customers_and_anonymous_visitors_cannot_use_the_desk_search(client, customer_with_account):
    assert client.get(SEARCH, {"q": "x"}).status_code == 302
    client.force_login(customer_with_account.user)
    assert client.get(SEARCH, {"q": "x"}).status_code in (403, 404)


def test_a_customer_searches_their_own_tickets_public_text_only(
    client, tech, submit, customer_with_account
):
    own = submit(
        subject="Cello case", body="The cello case cracked.", user=customer_with_account.user
    )
    workflow.ticket_reply(ticket=own, tech=tech, body="Internal: fragile cello lot.", internal=True)
    submit(subject="Cello strings", name="Someone Else", email="else@example.org")
    client.force_login(customer_with_account.user)

    html = client.get(MY_SEARCH, {"q": "cello"}).content.decode()
    assert html.count('data-testid="search-hit"') == 1
    assert reverse("tickets:my_ticket", args=[own.number]) in html
    assert "Cello strings" not in html
    assert "fragile" not in html

    html = client.get(MY_SEARCH, {"q": "fragile"}).content.decode()
    assert 'data-testid="search-none"' in html

    partial = client.get(MY_SEARCH, {"q": "cello"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    assert Ticket.objects.count() == 2


def test_the_customers_the_words_find_come_first_within_the_viewers_reach(client, tech, submit):
    submit(name="Zoltan Quimby", email="zoltan@example.org", subject="Scanner jams")
    stranger = TechFactory(full_name="Sam Elsewhere")
    MembershipFactory(user=stranger, department=DepartmentFactory(name="Elsewhere"))

    client.force_login(tech)
    html = client.get(SEARCH, {"q": "quimb"}).content.decode()
    assert 'data-testid="search-customers"' in html
    assert html.count('data-testid="customer-row"') == 1 and "Zoltan Quimby" in html
    partial = client.get(SEARCH, {"q": "quimb"}, headers={"HX-Request": "true"}).content.decode()
    assert "Zoltan Quimby" in partial and "<html" not in partial

    client.force_login(stranger)
    html = client.get(SEARCH, {"q": "quimb"}).content.decode()
    assert 'data-testid="search-customers"' not in html and "Zoltan" not in html


def test_more_customers_than_shown_link_to_the_customer_list(client, tech, submit):
    for index in range(6):
        submit(name=f"Quentin Marlow {index}", email=f"quentin{index}@example.org")
    client.force_login(tech)

    html = client.get(SEARCH, {"q": "marlow"}).content.decode()

    assert html.count('data-testid="customer-row"') == 5
    assert f'href="{reverse("tickets:desk_customers")}?q=marlow"' in html
