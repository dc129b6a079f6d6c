"""Ticket search (tickets/search.py) on PostgreSQL: relevance, who finds what, Cyrillic and
accented words, fragments of numbers, names and addresses, filters, bad input, snippets, query
counts, and the index staying current as the thread changes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Customer, CustomerEmail
from tests.factories import DepartmentFactory, MembershipFactory, TechFactory
from tickets import access, search, workflow
from tickets.models import Message, Status, StatusType, Ticket
from tickets.search import SearchFilters, search_query, tickets_search
from tickets.search_simple import search_simple

pytestmark = pytest.mark.django_db


def found(user, text, *, filters=None, page=1):
    result = tickets_search(
        tickets=access.tickets_visible_to_staff(user),
        query=search_query(text),
        public_only=False,
        filters=filters,
        page=page,
        scope=access.staff_search_scope(user),
    )
    return [hit.ticket.number for hit in result.hits]


def hits(user, text):
    return tickets_search(
        tickets=access.tickets_visible_to_staff(user),
        query=search_query(text),
        public_only=False,
        scope=access.staff_search_scope(user),
    ).hits


@pytest.fixture
def other_tech(department):
    user = TechFactory(full_name="Olga Other")
    MembershipFactory(user=user, department=department)
    return user


@pytest.fixture
def elsewhere():
    return DepartmentFactory(name="Billing", slug="billing")


def test_a_subject_match_ranks_above_a_message_match_and_ties_go_to_the_newest(tech, submit):
    in_body = submit(subject="Cannot print", body="The thermostat display is blank.")
    older = submit(subject="Thermostat offline", body="Nothing works.")
    newer = submit(subject="Thermostat offline again", body="Still nothing.")
    Ticket.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=3))

    assert found(tech, "thermostat") == [newer.number, older.number, in_body.number]


def test_every_word_must_match_and_a_word_matches_as_a_prefix(tech, submit):
    both = submit(subject="Refund for the damaged kettle", body="Box crushed.")
    submit(subject="Refund question", body="When?")

    assert found(tech, "refund kettle") == [both.number]
    assert found(tech, "kettl") == [both.number]


def test_a_tech_never_finds_another_techs_pool_or_another_department(
    tech, other_tech, manager, admin_user, submit, elsewhere
):
    general = submit(subject="Gearbox noise in the general pool")
    theirs = workflow.ticket_claim_on_open(
        ticket=submit(subject="Gearbox noise in Olga's pool"), tech=other_tech
    ).ticket
    billing = submit(subject="Gearbox noise billed")
    Ticket.objects.filter(pk=billing.pk).update(department=elsewhere)

    assert found(tech, "gearbox") == [general.number]
    assert set(found(manager, "gearbox")) == {general.number, theirs.number}
    assert set(found(admin_user, "gearbox")) == {general.number, theirs.number, billing.number}
    # Not by number, customer or order number either.
    assert found(tech, f"#{theirs.number}") == []
    assert (
        search.ticket_number_jump(
            tickets=access.tickets_visible_to_staff(tech), raw=str(theirs.number)
        )
        is None
    )


def test_staff_find_internal_notes_customers_never_do(tech, submit, customer_with_account):
    ticket = submit(subject="Slow laptop", user=customer_with_account.user)
    workflow.ticket_reply(
        ticket=ticket, tech=tech, body="Suspect the zeppelin driver.", internal=True
    )
    workflow.ticket_reply(ticket=ticket, tech=tech, body="Please restart it.", internal=False)
    own = Ticket.objects.filter(customer=customer_with_account)

    assert found(tech, "zeppelin") == [ticket.number]
    for text in ("zeppelin", "suspect driver"):
        result = tickets_search(tickets=own, query=search_query(text), public_only=True)
        assert result.hits == []
    result = tickets_search(tickets=own, query=search_query("restart"), public_only=True)
    assert [hit.ticket.number for hit in result.hits] == [ticket.number]
    assert "restart" in result.hits[0].snippet_html


def test_russian_and_ukrainian_words_any_case(tech, submit):
    russian = submit(subject="Принтер не печатает", body="После обновления ПРИНТЕР молчит.")
    ukrainian = submit(subject="Квитанція", body="Не можу знайти рахунок за їжу та гарантію.")

    assert found(tech, "принтер") == [russian.number]
    assert found(tech, "ПРИНТЕР") == [russian.number]
    assert found(tech, "Печатает") == [russian.number]
    assert found(tech, "рахунок") == [ukrainian.number]
    assert found(tech, "ГАРАНТІЮ") == [ukrainian.number]
    assert found(tech, "квитанція") == [ukrainian.number]


def test_accents_do_not_matter_either_way(tech, submit):
    cafe = submit(subject="Payment at the café", body="Crème brûlée was charged twice.")
    plain = submit(subject="Resume upload", body="My resume will not attach.")

    assert found(tech, "cafe") == [cafe.number]
    assert found(tech, "CAFÉ") == [cafe.number]
    assert found(tech, "creme brulee") == [cafe.number]
    assert found(tech, "résumé") == [plain.number]


def test_fragments_of_order_numbers_addresses_phones_names_and_companies(tech, submit):
    ticket = submit(
        name="Zoë Featherstonehaugh",
        email="zoe.f@northwind.example",
        subject="Where is my parcel",
        order_number="ORD-7781234",
    )
    other = submit(name="Someone Else", email="else@example.org", subject="Other")
    customer = ticket.customer
    Customer.objects.filter(pk=customer.pk).update(phone="+49 30 123 4567", company="Northwind Ltd")
    CustomerEmail.objects.create(customer=customer, email="billing-desk@zoe-shop.example")

    assert found(tech, "7781234") == [ticket.number]
    assert found(tech, "ORD-778") == [ticket.number]
    assert found(tech, "northwind.exa") == [ticket.number]
    assert found(tech, "billing-desk@zoe") == [ticket.number]  # a second address
    assert found(tech, "30 1234567") == [ticket.number]  # digits as typed differently
    assert found(tech, "featherstone") == [ticket.number]
    assert found(tech, "Zoe Feather") == [ticket.number]  # unaccented
    assert found(tech, "Northwind Ltd") == [ticket.number]
    assert found(tech, "Someone") == [other.number]


def test_filters_status_department_owner_and_period(tech, manager, submit, elsewhere):
    MembershipFactory(user=manager, department=elsewhere, is_manager=True)
    fresh = submit(subject="Firmware update failed")
    mine = workflow.ticket_claim_on_open(ticket=submit(subject="Firmware mine"), tech=tech).ticket
    old = submit(subject="Firmware from last year")
    Ticket.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=100))
    billing = submit(subject="Firmware invoice")
    Ticket.objects.filter(pk=billing.pk).update(department=elsewhere)
    closed = Status.objects.create(name="Done", type=StatusType.CLOSED, position=9)
    Ticket.objects.filter(pk=fresh.pk).update(status=closed, status_type=StatusType.CLOSED)

    assert set(found(manager, "firmware")) == {
        fresh.number,
        mine.number,
        old.number,
        billing.number,
    }
    assert found(manager, "firmware", filters=SearchFilters(status_id=closed.pk)) == [fresh.number]
    assert found(manager, "firmware", filters=SearchFilters(department_id=elsewhere.pk)) == [
        billing.number
    ]
    assert found(manager, "firmware", filters=SearchFilters(owner_id=tech.pk)) == [mine.number]
    assert mine.number not in found(manager, "firmware", filters=SearchFilters(owner_id=0))
    assert old.number not in found(manager, "firmware", filters=SearchFilters(period="month"))
    assert old.number in found(manager, "firmware", filters=SearchFilters(period="year"))
    assert len(found(manager, "firmware", filters=SearchFilters(period="nonsense"))) == 4


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "a" * 1000,
        "printer " * 200,
        "& | ! : * ( )",
        "printer & !(foo | bar):*",
        "'; DROP TABLE tickets_ticket; --",
        "\\ % _ ' \" <-> ::",
        "foo:* & 'bar",
        "%%%",
        "__",
        "#",
        "#99999999999999999999999",
    ],
)
def test_any_input_is_searched_without_error(tech, submit, text):
    submit(subject="Printer jam")

    result = tickets_search(
        tickets=access.tickets_visible_to_staff(tech), query=search_query(text), public_only=False
    )

    assert isinstance(result.hits, list)
    assert Ticket.objects.count() == 1


def test_a_long_query_is_cut_and_says_so():
    query = search_query("word " * 300)
    assert query.truncated
    assert len(query.text) <= search.SEARCH_MAX_LENGTH
    assert len(query.words) == 1


def test_tsquery_syntax_is_matched_as_words(tech, submit):
    ticket = submit(subject="Printer jam", body="The printer jams on page two.")

    assert found(tech, "printer & | !") == [ticket.number]
    assert found(tech, "(printer):*") == [ticket.number]


def test_snippets_are_highlighted_and_escaped(tech, submit):
    submit(
        subject="<b>Bold</b> trombone",
        body='<script>alert("x")</script> my trombone \x02broke\x03 <img src=x onerror=alert(1)>',
    )

    [hit] = hits(tech, "trombone")

    assert "<mark>trombone</mark>" in hit.subject_html
    assert "&lt;b&gt;Bold&lt;/b&gt;" in hit.subject_html
    assert "<script" not in hit.snippet_html and "<img" not in hit.snippet_html
    assert "&lt;img src=x" in hit.snippet_html
    assert "<mark>trombone</mark>" in hit.snippet_html
    assert "<mark>broke" not in hit.snippet_html


def test_the_query_count_does_not_grow_with_the_results(
    tech, submit, django_assert_max_num_queries, monkeypatch
):
    # Ticket ids reach past the first window in a long test run: one window here (how many a
    # search may read is the next test's).
    monkeypatch.setattr(search, "SEARCH_FIRST_WINDOW", 10**15)
    for index in range(3):
        submit(subject=f"Scanner {index}", body="The scanner squeaks.")
    # The scope, the customers the words name, the largest id, two passes (whole words, then
    # prefixes) of one window (the table is small) at five statements each, the page's rows
    # and snippets.
    with django_assert_max_num_queries(15) as few:
        assert len(hits(tech, "scanner")) == 3
    for index in range(30):
        submit(subject=f"Scanner {index}", body="The scanner squeaks.")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(hits(tech, "scanner")) == search.SEARCH_PAGE_SIZE


@pytest.mark.parametrize("last_ticket", [10**6, 10**7, 10**9])
@pytest.mark.parametrize("found", [0, 1, 100, search.SEARCH_RANKED])
def test_a_search_reads_few_windows_however_many_tickets(last_ticket, found):
    """Each window reaches at least four times as far back as the one before and the table
    whole once that is a quarter of it, so the windows (and the queries) of a search grow with
    the logarithm of the table at most: four at a million tickets."""
    back, windows = search.SEARCH_FIRST_WINDOW, 1
    while back is not None:
        back = search._next_window(back, found=found, last_ticket=last_ticket)
        windows += 1
    assert windows <= {10**6: 4, 10**7: 5, 10**9: 9}[last_ticket]


def test_pages_are_bounded(tech, submit):
    for index in range(30):
        submit(subject=f"Webcam {index}")
    first = tickets_search(
        tickets=access.tickets_visible_to_staff(tech),
        query=search_query("webcam"),
        public_only=False,
    )
    second = tickets_search(
        tickets=access.tickets_visible_to_staff(tech),
        query=search_query("webcam"),
        public_only=False,
        page=2,
    )
    beyond = tickets_search(
        tickets=access.tickets_visible_to_staff(tech),
        query=search_query("webcam"),
        public_only=False,
        page=10_000,
    )

    assert first.has_next and not second.has_next
    assert len(first.hits) + len(second.hits) == 30
    assert not {h.ticket.pk for h in first.hits} & {h.ticket.pk for h in second.hits}
    assert beyond.page == search.SEARCH_PAGES and beyond.hits == []


def test_the_index_follows_new_messages_replies_edits_and_deletes(tech, submit):
    ticket = submit(subject="Sound problem", body="No sound at all.")
    assert found(tech, "xylophone") == []

    workflow.ticket_reply(ticket=ticket, tech=tech, body="Try the xylophone test.", internal=False)
    assert found(tech, "xylophone") == [ticket.number]

    reply = Message.objects.get(ticket=ticket, kind=Message.Kind.REPLY)
    Message.objects.filter(pk=reply.pk).update(body="Try the marimba test.")
    assert found(tech, "xylophone") == []
    assert found(tech, "marimba") == [ticket.number]

    Message.objects.filter(pk=reply.pk).delete()
    assert found(tech, "marimba") == []

    Ticket.objects.filter(pk=ticket.pk).update(subject="Ocarina problem")
    assert found(tech, "ocarina") == [ticket.number]


def test_the_simple_fallback_searches_the_same_fields_without_notes_for_customers(
    tech, submit, customer_with_account
):
    """What the SQLite quickstart runs (icontains), tried here on the same data."""
    ticket = submit(
        subject="Café heater",
        body="It <b>hums</b> loudly.",
        order_number="ORD-55",
        user=customer_with_account.user,
    )
    workflow.ticket_reply(ticket=ticket, tech=tech, body="Secret kazoo note.", internal=True)
    visible = access.tickets_visible_to_staff(tech)
    own = Ticket.objects.filter(customer=customer_with_account)

    def simple(tickets, text, public_only):
        page = search_simple(tickets, search_query(text), public_only=public_only, page=1)
        return page.hits

    [hit] = simple(visible, "hums", False)
    assert "&lt;b&gt;<mark>hums</mark>&lt;/b&gt;" in hit.snippet_html
    assert [h.ticket for h in simple(visible, "kazoo", False)] == [ticket]
    assert simple(own, "kazoo", True) == []
    assert [h.ticket for h in simple(visible, "ord-5", False)] == [ticket]
    assert [h.ticket for h in simple(visible, customer_with_account.name[:4], False)] == [ticket]


def test_the_newest_window_is_searched_first_and_widened_when_it_holds_too_few(
    tech, submit, monkeypatch
):
    old = [submit(subject=f"Ukulele {index}") for index in range(4)]
    newest = submit(subject="Ukulele newest")
    monkeypatch.setattr(search, "SEARCH_FIRST_WINDOW", 1)
    monkeypatch.setattr(search, "SEARCH_RANKED", 2)

    page = tickets_search(
        tickets=access.tickets_visible_to_staff(tech),
        query=search_query("ukulele"),
        public_only=False,
    )
    # The first window (the newest ticket) held one match: the whole table was searched, and
    # more than SEARCH_RANKED matched there, which the page says.
    assert len(page.hits) == 2
    assert page.hits[0].ticket == newest
    assert page.hits[1].ticket == old[-1]
    assert not page.ranked_all


def test_a_hyphenated_serial_number_is_found_as_typed(tech, submit):
    ticket = submit(subject="Broken unit", body="The label says SN-3012695 on the back.")

    assert found(tech, "SN-3012695") == [ticket.number]
    assert found(tech, "sn-3012695") == [ticket.number]
