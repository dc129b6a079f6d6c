"""accounts/customer_search.py: every field found by a fragment, Cyrillic and accents, phone
formats, ranking, input taken literally, and who finds whom."""

import datetime

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.customer_search import (
    MAX_QUERY_LENGTH,
    PAGE_SIZE,
    customers_page,
    customers_search,
)
from tests.factories import TechFactory, UserFactory
from tickets import access

pytestmark = pytest.mark.django_db


def names(viewer, query, **kwargs):
    return [row.customer.name for row in customers_search(viewer=viewer, query=query, **kwargs)]


@pytest.fixture
def seen(make_ticket, department):
    """A customer made visible to the department's techs: a general-pool ticket of theirs."""

    def seen(customer, **ticket):
        make_ticket(customer, department, **ticket)
        return customer

    return seen


def test_a_name_fragment_finds_the_customer_whatever_the_case(admin_user, make_customer):
    make_customer("Anna Andersen", "anna@example.org")
    make_customer("Ben Brown", "ben@example.org")

    assert names(admin_user, "ANDERS") == ["Anna Andersen"]
    assert names(admin_user, "nna and") == ["Anna Andersen"]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("ольг", "Ольга Петрова"),
        ("ПЕТРОВА", "Ольга Петрова"),
        ("семен", "Семён Ёлкин"),  # ё and е alike, as accents are
        ("ЁЛКИН", "Семён Ёлкин"),
        ("юлія", "Юлія Ковальчук"),  # Ukrainian і
        ("КОВАЛЬЧУК", "Юлія Ковальчук"),
        ("ґанна", "Ґанна Їжак"),
        ("ЇЖАК", "Ґанна Їжак"),
    ],
)
def test_cyrillic_names_are_found_without_regard_to_case(admin_user, make_customer, query, found):
    for name in ("Ольга Петрова", "Семён Ёлкин", "Юлія Ковальчук", "Ґанна Їжак", "Olga Petrova"):
        make_customer(name)

    assert names(admin_user, query) == [found]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("chloe", ["Chloé Dubois", "Chloe Martin"]),
        ("CHLOÉ", ["Chloé Dubois", "Chloe Martin"]),
        ("muller", ["Jonas Müller"]),
        ("garcía", ["Pedro Garcia"]),
    ],
)
def test_accents_do_not_matter(admin_user, make_customer, query, found):
    for name in ("Chloé Dubois", "Chloe Martin", "Jonas Müller", "Pedro Garcia"):
        make_customer(name)

    assert sorted(names(admin_user, query)) == sorted(found)


def test_any_of_the_addresses_finds_the_customer_by_a_fragment(admin_user, make_customer):
    make_customer("Vera Visitor", "vera@example.org", "v.visitor@Acme-Widgets.example")
    make_customer("Ben Brown", "ben@example.org")

    assert names(admin_user, "acme-widgets") == ["Vera Visitor"]
    assert names(admin_user, "V.VISITOR@") == ["Vera Visitor"]


@pytest.mark.parametrize(
    "query", ["301234", "30 123 45", "+49-30-1234567", "(30) 123-45", "0049 30 1234567"]
)
def test_a_phone_number_is_found_by_its_digits_whatever_the_formatting(
    admin_user, make_customer, query
):
    make_customer("Vera Visitor", phone="+49 (30) 123-4567" if query[0] != "0" else "0049301234567")
    make_customer("Ben Brown", phone="+44 20 7946 0000")

    assert names(admin_user, query) == ["Vera Visitor"]


def test_company_and_notes_are_searched(admin_user, make_customer):
    make_customer("Vera Visitor", company="Acme Widgets GmbH")
    make_customer("Ben Brown", notes="Prefers phone calls in the morning; VIP since 2019.")

    assert names(admin_user, "widgets gmbh") == ["Vera Visitor"]
    assert names(admin_user, "PHONE CALLS") == ["Ben Brown"]


def test_an_order_number_finds_the_customer_through_a_ticket_the_viewer_may_see(
    tech, admin_user, make_customer, make_ticket, department, billing
):
    vera = make_customer("Vera Visitor")
    make_ticket(vera, department, order_number="ORD-7781")
    ben = make_customer("Ben Brown")
    make_ticket(ben, department)
    make_ticket(ben, billing, order_number="ORD-7790")  # Billing's: the tech cannot see it

    assert names(tech, "ord-778") == ["Vera Visitor"]
    assert names(tech, "ord-779") == []  # Ben is visible to the tech, but not through this order
    assert names(admin_user, "ORD-77") == ["Ben Brown", "Vera Visitor"]


def test_an_exact_address_or_phone_comes_first_then_similarity_then_name(admin_user, make_customer):
    make_customer("Abe Able", "cab@x.example")
    make_customer("Zed Zulu", "ab@x.example")
    assert names(admin_user, "ab@x.example") == ["Zed Zulu", "Abe Able"]

    make_customer("Abe Phone", phone="+1 555 99123456")
    make_customer("Zed Phone", phone="123-456")
    assert names(admin_user, "123456") == ["Zed Phone", "Abe Phone"]

    make_customer("Alex Zimmermann-Schmidt")
    make_customer("Zimmer")
    assert names(admin_user, "zimmer") == ["Zimmer", "Alex Zimmermann-Schmidt"]

    make_customer("Mia Berg")
    make_customer("Lia Berg")
    assert names(admin_user, "ia berg") == ["Lia Berg", "Mia Berg"]  # alike: by name


@pytest.mark.parametrize("query", ["", "   ", "x" * (MAX_QUERY_LENGTH + 1)])
def test_an_empty_or_overlong_query_finds_no_one(admin_user, make_customer, query):
    make_customer("x" * 150)

    assert customers_search(viewer=admin_user, query=query) == []


@pytest.mark.parametrize(
    ("query", "found"),
    [("%", "100% Cotton"), ("_", "Snake Case"), ("\\", "Back Slash"), ("0%", "100% Cotton")],
)
def test_like_wildcards_are_taken_literally(admin_user, make_customer, query, found):
    make_customer("100% Cotton", company="Textiles")
    make_customer("Snake Case", "snake_case@example.org")
    make_customer("Back Slash", notes="Path C:\\Users\\back")
    make_customer("Plain Person", "plain@example.org", phone="100 200", notes="Nothing odd")

    assert names(admin_user, query) == [found]


def test_the_limit_bounds_the_results(admin_user, make_customer):
    for number in range(8):
        make_customer(f"Sam Sample {number}")

    assert len(customers_search(viewer=admin_user, query="sample", limit=3)) == 3
    assert customers_search(viewer=admin_user, query="sample", limit=0) == []


# --- Who finds whom ---------------------------------------------------------------------------


@pytest.fixture
def cast(department, billing, tech, other_tech, billing_tech, manager, admin_user):
    return {
        "tech": tech,
        "other_tech": other_tech,
        "billing_tech": billing_tech,
        "manager": manager,
        "admin": admin_user,
        "no_department": TechFactory(full_name="Nadia Nowhere"),
        "inactive_tech": TechFactory(is_active=False),
        "customer": UserFactory(),
    }


@pytest.fixture
def customers(make_customer, make_ticket, department, billing, tech, other_tech):
    general = make_customer("Gina General", "gina@example.org")
    make_ticket(general, department)
    own = make_customer("Tina Tech-Pool", "tina@example.org")
    make_ticket(own, department, assignee=tech)
    others = make_customer("Otto Other-Pool", "otto@example.org")
    make_ticket(others, department, assignee=other_tech)
    billed = make_customer("Bea Billing", "bea@example.org")
    make_ticket(billed, billing)
    closed = make_customer("Cleo Closed", "cleo@example.org")
    make_ticket(closed, department, status_type="closed")
    make_customer("Nora No-Ticket", "nora@example.org")
    return ["Gina General", "Tina Tech-Pool", "Otto Other-Pool", "Bea Billing", "Cleo Closed",
            "Nora No-Ticket"]  # fmt: skip


VISIBLE = {
    "tech": {"Gina General", "Tina Tech-Pool", "Cleo Closed"},
    "other_tech": {"Gina General", "Otto Other-Pool", "Cleo Closed"},
    "billing_tech": {"Bea Billing"},
    "manager": {"Gina General", "Tina Tech-Pool", "Otto Other-Pool", "Cleo Closed"},
    "admin": {
        "Gina General", "Tina Tech-Pool", "Otto Other-Pool", "Bea Billing", "Cleo Closed",
        "Nora No-Ticket",
    },
    "no_department": set(),
    "inactive_tech": set(),
    "customer": set(),
}  # fmt: skip


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_each_person_finds_only_the_customers_of_tickets_they_may_see(cast, customers, who):
    viewer = cast[who]

    found_by_address = set(names(viewer, "@example.org"))
    found_by_name = {name for name in customers if names(viewer, name.split()[0].lower())}
    listed = {row.customer.name for row in customers_page(viewer=viewer).rows}

    assert found_by_address == found_by_name == listed == VISIBLE[who]


@pytest.mark.parametrize("who", ["tech", "billing_tech", "manager", "admin", "no_department"])
def test_search_and_the_customer_page_agree_on_who_sees_whom(cast, customers, who):
    from accounts.models import Customer

    viewer = cast[who]
    for customer in Customer.objects.all():
        try:
            access.customer_for_staff(user=viewer, customer_id=customer.pk)
            opens = True
        except Http404:
            opens = False
        assert opens == (customer.name in names(viewer, customer.name)), customer.name


def test_a_tech_of_another_department_finds_nothing_by_any_field(
    billing_tech, make_customer, make_ticket, department
):
    vera = make_customer(
        "Vera Visitor", "vera@example.org", phone="+49 30 1234567", company="Acme", notes="VIP"
    )
    make_ticket(vera, department, order_number="ORD-1")

    for query in ("vera", "vera@example.org", "301234", "acme", "vip", "ord-1"):
        assert names(billing_tech, query) == [], query


# --- What a row shows -------------------------------------------------------------------------


def test_counts_and_last_contact_are_of_the_tickets_the_viewer_may_see(
    tech, admin_user, make_customer, make_ticket, write, department, billing
):
    vera = make_customer("Vera Visitor", "vera@example.org", "old@example.org")
    now = timezone.now()
    open_one = make_ticket(vera, department)
    closed = make_ticket(vera, department, status_type="closed")
    billed = make_ticket(vera, billing)
    write(closed, "customer", now - datetime.timedelta(days=3))
    write(open_one, "reply", now - datetime.timedelta(days=2))
    write(open_one, "note", now - datetime.timedelta(days=1))  # internal: not contact
    write(billed, "customer", now - datetime.timedelta(hours=1))  # Billing's: not the tech's

    (row,) = customers_search(viewer=tech, query="vera")
    assert (row.tickets, row.open_tickets) == (2, 1)
    assert row.primary_email == "vera@example.org"
    assert row.last_contact == now - datetime.timedelta(days=2)

    (row,) = customers_search(viewer=admin_user, query="vera")
    assert (row.tickets, row.open_tickets) == (3, 2)
    assert row.last_contact == now - datetime.timedelta(hours=1)


def test_a_phone_call_is_contact(admin_user, make_customer, make_ticket, write, department):
    vera = make_customer("Vera Visitor")
    at = timezone.now() - datetime.timedelta(minutes=5)
    write(make_ticket(vera, department), "phone_call", at)

    assert customers_search(viewer=admin_user, query="vera")[0].last_contact == at


# --- The list ---------------------------------------------------------------------------------


def test_the_list_goes_by_name_a_page_at_a_time(tech, make_customer, seen):
    for number in range(PAGE_SIZE + 5):
        seen(make_customer(f"Customer {number:02}"))
    seen(make_customer("aaron lower-case"))

    first = customers_page(viewer=tech)
    second = customers_page(viewer=tech, cursor=first.next_cursor)

    assert first.first_page and not second.first_page
    assert [r.customer.name for r in first.rows][:3] == [
        "aaron lower-case",
        "Customer 00",
        "Customer 01",
    ]
    assert len(first.rows) == PAGE_SIZE
    assert [r.customer.name for r in second.rows] == [f"Customer {n:02}" for n in range(24, 30)]
    assert second.next_cursor == ""


@pytest.mark.parametrize("cursor", ["nonsense", "-1", "99999999999999999999999", "hidden"])
def test_a_cursor_not_naming_a_customer_the_viewer_sees_starts_over(
    tech, make_customer, make_ticket, billing, seen, cursor
):
    seen(make_customer("Vera Visitor"))
    hidden = make_customer("Bea Billing")
    make_ticket(hidden, billing)

    page = customers_page(viewer=tech, cursor=str(hidden.pk) if cursor == "hidden" else cursor)

    assert page.first_page
    assert [r.customer.name for r in page.rows] == ["Vera Visitor"]


# --- Cost -------------------------------------------------------------------------------------


def _queries(function, **kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        function(**kwargs)
    return len(captured.captured_queries)


def test_queries_do_not_grow_with_customers_or_tickets(
    tech, admin_user, make_customer, make_ticket, write, department, seen
):
    seen(make_customer("Sam Sample 0", "sam0@example.org"), order_number="ORD-0")
    small = {
        who: (
            _queries(customers_search, viewer=viewer, query="sam"),
            _queries(customers_page, viewer=viewer),
        )
        for who, viewer in (("tech", tech), ("admin", admin_user))
    }
    for number in range(1, 20):
        customer = make_customer(f"Sam Sample {number}", f"sam{number}@example.org")
        for _ in range(3):
            write(make_ticket(customer, department, order_number=f"ORD-{number}"), "customer",
                  timezone.now())  # fmt: skip

    for who, viewer in (("tech", tech), ("admin", admin_user)):
        assert _queries(customers_search, viewer=viewer, query="sam") == small[who][0] == 3
        assert _queries(customers_page, viewer=viewer) == small[who][1] == 3
    assert len(customers_search(viewer=tech, query="sam")) == 20


# --- The SQLite quickstart's fallback ---------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("anders", "Anna Andersen"),
        ("acme-widgets", "Anna Andersen"),  # a second address
        ("30 123-45", "Anna Andersen"),  # a phone by its digits
        ("gmbh", "Ben Brown"),
        ("ord-77", "Ben Brown"),
        ("morning", "Ben Brown"),
        ("%", None),
    ],
)
def test_the_fallback_without_postgresql_finds_each_field(
    monkeypatch, tech, make_customer, seen, query, found
):
    """The same selector with PostgreSQL's indexes out of the picture (connection.vendor says
    otherwise): icontains on each field, as the SQLite quickstart searches."""
    seen(make_customer("Anna Andersen", "anna@example.org", "a@acme-widgets.example",
                       phone="+49 (30) 123-4567"))  # fmt: skip
    seen(make_customer("Ben Brown", "ben@example.org", company="Brown GmbH",
                       notes="Calls in the morning"), order_number="ORD-7781")  # fmt: skip
    monkeypatch.setattr(connection, "vendor", "sqlite")

    assert names(tech, query) == ([found] if found else [])
