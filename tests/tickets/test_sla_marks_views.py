"""SLA marks in every list and on the ticket page: an overdue case has a red clock, the word
"overdue" and a red row; one due soon an amber sign, "due soon" and an amber row; a paused one
a pause sign; a closed one nothing. Full pages and htmx partials, the customers who must not
see the marks, and query counts that do not grow with the cases."""

import re
from datetime import time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from departments.sla_changes import POLICY_CACHE_KEY
from tests.factories import CategoryFactory, DepartmentFactory, MembershipFactory
from tests.tickets.absence_support import back, started, substitute
from tests.tickets.marks_support import clock, limits_set, office_calendar
from tickets import workflow
from tickets.models import StatusType, Ticket
from tickets.statuses import status_default

__all__ = ["clock", "substitute"]  # fixtures

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
DESK = reverse("tickets:desk")
BOARD = reverse("manage:board")
HOUR = timedelta(hours=1)

OVERDUE = ("row-overdue", "bi-clock-fill", "overdue by 1 h")
DUE_SOON = ("row-at-risk", "bi-exclamation-triangle-fill", "due soon · 1 h left")


@pytest.fixture
def now(clock):
    """The clock stands still for the test, so the time left reads the same every time."""
    clock.now = timezone.now()
    return clock.now


@pytest.fixture
def opened(clock, now, submit):
    """Open a case `ago` before now, through the web form as a customer would."""

    def opened(ago, **fields):
        clock.now = now - ago
        ticket = submit(**fields)
        clock.now = now
        return ticket

    return opened


@pytest.fixture
def cases(department, opened, tech):
    """Three cases of one customer in Tom's pool, on a 10-hour limit around the clock (due soon:
    under 2 hours left): one an hour overdue, one due in an hour, one just opened."""
    limits_set(department, response=10 * HOUR)
    late = opened(11 * HOUR, subject="Late printer")
    soon = opened(9 * HOUR, subject="Soon scanner")
    fresh = opened(HOUR, subject="Fresh fax")
    for ticket in (late, soon, fresh):
        workflow.ticket_claim_on_open(ticket=ticket, tech=tech)
    return SimpleNamespace(late=late, soon=soon, fresh=fresh)


def element_with(html: str, text: str, tag: str = "tr") -> str:
    """The one <tag …>…</tag> that holds `text`."""
    found = [
        part.split(f"</{tag}>", 1)[0]
        for part in html.split(f"<{tag} ")[1:]
        if text in part.split(f"</{tag}>", 1)[0]
    ]
    assert len(found) == 1, f"{len(found)} <{tag}> hold {text!r}"
    return f"<{tag} {found[0]}"


def opening_tag(element: str) -> str:
    return element.split(">", 1)[0]


def assert_marked(element: str, mark: tuple[str, str, str]) -> None:
    tint, icon, words = mark
    assert tint in opening_tag(element)
    assert f'<i class="bi {icon}" aria-hidden="true"></i><span>{words}' in element


def assert_unmarked(element: str) -> None:
    assert "row-overdue" not in opening_tag(element)
    assert "row-at-risk" not in opening_tag(element)
    assert "overdue" not in element and "due soon" not in element


def header(html: str) -> str:
    return html.split("<header", 1)[1].split("</header>", 1)[0]


def page_url(ticket) -> str:
    return reverse("tickets:desk_ticket", args=[ticket.number])


# The desk's queues


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_the_desk_queue_marks_overdue_and_due_soon_rows(client, cases, tech, headers):
    client.force_login(tech)

    html = client.get(DESK, {"queue": "mine"}, headers=headers).content.decode()

    assert ("<html" in html) == (not headers)
    assert_marked(element_with(html, "Late printer"), OVERDUE)
    assert_marked(element_with(html, "Soon scanner"), DUE_SOON)
    fresh = element_with(html, "Fresh fax")
    assert_unmarked(fresh)
    assert '<i class="bi bi-clock" aria-hidden="true"></i><span>due in 9 h' in fresh


def test_the_pending_queue_shows_paused_cases_with_their_time_left(client, cases, tech):
    workflow.ticket_reply(
        ticket=cases.fresh, tech=tech, body="Which model?", internal=False, then_status="pending"
    )
    client.force_login(tech)

    html = client.get(DESK, {"queue": "pending"}).content.decode()

    row = element_with(html, "Fresh fax")
    assert '<i class="bi bi-pause-circle" aria-hidden="true"></i><span>paused · 9 h left' in row
    assert_unmarked(row)


def test_the_general_pool_shows_business_time_on_an_office_calendar(
    client, department, opened, tech
):
    # Open every hour of every day, so the test reads the same whenever it runs.
    calendar = office_calendar(weekdays=range(7), opens=time(0), closes=time(0))
    limits_set(department, response=10 * HOUR, calendar=calendar)
    opened(11 * HOUR, subject="Late printer")
    client.force_login(tech)

    html = client.get(DESK, {"queue": "general"}).content.decode()

    row = element_with(html, "Late printer")
    assert "overdue by 1 h of business time" in row
    assert "row-overdue" in opening_tag(row)


# The manager board: each department's oldest waiting case


@pytest.fixture
def billing_cases(manager, opened, department):
    """Billing's oldest case is due soon; Technical support's is an hour overdue."""
    limits_set(department, response=10 * HOUR)
    billing = DepartmentFactory(name="Billing", slug="billing")
    MembershipFactory(user=manager, department=billing, is_manager=True)
    limits_set(billing, response=10 * HOUR)
    invoices = CategoryFactory(name="Invoices", department=billing)
    opened(11 * HOUR, subject="Late printer")
    opened(9 * HOUR, subject="Soon invoice", category=invoices)
    return billing


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_the_board_marks_each_departments_oldest_waiting_case(
    client, manager, billing_cases, headers
):
    client.force_login(manager)

    html = client.get(BOARD, headers=headers).content.decode()

    assert ("<html" in html) == (not headers)
    assert_marked(element_with(html, "Late printer", tag="p"), OVERDUE)
    assert_marked(element_with(html, "Soon invoice", tag="p"), DUE_SOON)


# The customer page (staff)


def test_the_customer_page_marks_the_customers_cases(client, cases, tech):
    workflow.ticket_status_change(
        ticket=cases.fresh, author=tech, status=status_default(StatusType.CLOSED)
    )
    client.force_login(tech)

    url = reverse("tickets:desk_customer", args=[cases.late.customer_id])
    html = client.get(url).content.decode()

    assert_marked(element_with(html, "Late printer"), OVERDUE)
    assert_marked(element_with(html, "Soon scanner"), DUE_SOON)
    closed = element_with(html, "Fresh fax")
    assert_unmarked(closed)
    assert '<td class="ticket-sla" data-testid="sla"><span class="text-body-secondary">—' in closed


# The ticket page: the header, the customer's other tickets, and the htmx partials


def test_the_ticket_header_marks_an_overdue_case_with_its_due_time_in_my_zone(client, cases, tech):
    tech.time_zone = "Asia/Tokyo"
    tech.save()
    client.force_login(tech)

    html = client.get(page_url(cases.late)).content.decode()

    top = header(html)
    assert '<span id="ticket-sla"' in top
    assert '<i class="bi bi-clock-fill" aria-hidden="true"></i><span>overdue by 1 h' in top
    with timezone.override(ZoneInfo("Asia/Tokyo")):
        due = formats.date_format(timezone.localtime(cases.late.due_at), "DATETIME_FORMAT")
    assert f"due {due}" in top


def test_the_ticket_header_marks_a_case_due_soon(client, cases, tech):
    client.force_login(tech)

    top = header(client.get(page_url(cases.soon)).content.decode())

    assert 'data-sla="at_risk"' in top
    assert '<i class="bi bi-exclamation-triangle-fill" aria-hidden="true"></i><span>due soon' in top


def test_a_paused_case_header_says_paused_without_a_due_time(client, cases, tech):
    workflow.ticket_reply(
        ticket=cases.fresh, tech=tech, body="Which model?", internal=False, then_status="pending"
    )
    client.force_login(tech)

    top = header(client.get(page_url(cases.fresh)).content.decode())

    assert "paused · 9 h left" in top
    assert "bi-pause-circle" in top
    assert "due " not in top.split('id="ticket-sla"', 1)[1]


def test_the_ticket_pages_other_tickets_carry_their_marks(client, cases, tech):
    client.force_login(tech)

    html = client.get(page_url(cases.fresh)).content.decode()

    assert_marked(element_with(html, "Late printer", tag="li"), OVERDUE)
    assert_marked(element_with(html, "Soon scanner", tag="li"), DUE_SOON)


def test_the_presence_poll_refreshes_the_header_mark_out_of_band(client, cases, tech):
    client.force_login(tech)
    url = reverse("tickets:desk_presence", args=[cases.late.number])

    html = client.get(url, headers=HTMX).content.decode()

    assert '<div id="presence"' in html and "<header" not in html
    mark = html.split('<span id="ticket-sla"', 1)[1]
    assert 'hx-swap-oob="true"' in opening_tag(mark)
    assert "overdue by 1 h" in mark and "bi-clock-fill" in mark


def test_the_presence_poll_of_a_closed_case_sends_no_mark(client, cases, tech):
    workflow.ticket_status_change(
        ticket=cases.late, author=tech, status=status_default(StatusType.CLOSED)
    )
    client.force_login(tech)
    url = reverse("tickets:desk_presence", args=[cases.late.number])

    html = client.get(url, headers=HTMX).content.decode()

    assert "ticket-sla" not in html


def test_a_refused_htmx_reply_renders_the_page_with_its_mark(client, cases, tech):
    client.force_login(tech)

    response = client.post(f"{page_url(cases.soon)}reply/", {"body": ""}, headers=HTMX)

    assert response["HX-Retarget"] == "#main"
    assert "due soon · 1 h left" in header(response.content.decode())


# A manager's page about a tech, and the hand-overs after an absence


def test_the_tech_detail_pool_marks_its_rows(client, cases, manager, tech):
    client.force_login(manager)

    html = client.get(reverse("manage:tech_detail", args=[tech.pk])).content.decode()

    assert_marked(element_with(html, "Late printer"), OVERDUE)
    assert_marked(element_with(html, "Soon scanner"), DUE_SOON)


def test_the_handed_over_lists_mark_their_cases(client, cases, tech, substitute):
    back(started(tech, substitute))
    client.force_login(tech)

    page = client.get(reverse("tickets:desk_handed_over")).content.decode()
    partial = client.get(reverse("tickets:desk_handed_over"), headers=HTMX).content.decode()
    desk = client.get(DESK).content.decode()

    for html in (page, partial):
        assert_marked(element_with(html, "Late printer"), OVERDUE)
        assert_marked(element_with(html, "Soon scanner"), DUE_SOON)
    box = desk.split('data-testid="handed-over-box"', 1)[1].split("</section>", 1)[0]
    assert_marked(element_with(box, "Late printer", tag="li"), OVERDUE)


# Who must not see the marks: customers


def test_customers_never_see_the_sla_marks(
    client, department, customer_user, customer_with_account, opened
):
    limits_set(department, response=HOUR)
    late = opened(3 * HOUR, email=customer_user.email, subject="Late printer")
    client.force_login(customer_user)

    pages = [
        client.get(reverse("tickets:my_tickets")).content.decode(),
        client.get(reverse("tickets:my_ticket", args=[late.number])).content.decode(),
        client.get(reverse("tickets:ticket_by_token", args=[late.access_token])).content.decode(),
    ]

    for html in pages:
        assert "Late printer" in html
        assert not re.search(r"overdue|due soon|sla-mark|bi-clock-fill", html)


# Query counts


def queries_of(client, url, params=None, *, cold=(), headers=None) -> int:
    """The queries of one request; `cold`: departments whose cached policy is dropped first."""
    cache.delete_many([POLICY_CACHE_KEY.format(pk) for pk in cold])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}, headers=headers or {}).status_code == 200
    return len(queries)


@pytest.fixture
def two_departments(department, manager, tech):
    limits_set(department, response=10 * HOUR)
    billing = DepartmentFactory(name="Billing", slug="billing")
    MembershipFactory(user=tech, department=billing)
    MembershipFactory(user=manager, department=billing, is_manager=True)
    limits_set(billing, response=4 * HOUR)
    return [department, billing]


def grow(opened, tech, departments, count):
    """`count` more cases in Tom's pool across the departments, overdue, due soon and fresh."""
    categories = [CategoryFactory(department=department) for department in departments]
    for index in range(count):
        ago = (11 * HOUR, 9 * HOUR, HOUR)[index % 3]
        ticket = opened(ago, subject=f"Case {index}", category=categories[index % 2])
        workflow.ticket_claim_on_open(ticket=ticket, tech=tech)


@pytest.mark.parametrize("cold", [False, True], ids=["warm", "cold"])
def test_marking_the_desk_costs_no_query_per_case(client, opened, tech, two_departments, cold):
    grow(opened, tech, two_departments, 2)
    client.force_login(tech)
    ids = [d.pk for d in two_departments] if cold else []
    client.get(DESK)  # warm-up: the session's first request

    few = queries_of(client, DESK, {"queue": "mine"}, cold=ids)
    grow(opened, tech, two_departments, 20)
    many = queries_of(client, DESK, {"queue": "mine"}, cold=ids)

    assert many == few


def test_a_cold_policy_cache_costs_the_desk_one_fixed_load(client, opened, tech, two_departments):
    grow(opened, tech, two_departments, 6)
    client.force_login(tech)
    client.get(DESK)

    warm = queries_of(client, DESK, {"queue": "mine"})
    cold = queries_of(client, DESK, {"queue": "mine"}, cold=[d.pk for d in two_departments])

    # Both departments' policies in one load: the departments and their priority limits (no
    # calendar here, so no hours or holidays to read).
    assert cold == warm + 2


@pytest.mark.parametrize("cold", [False, True], ids=["warm", "cold"])
def test_marking_the_customer_page_costs_no_query_per_case(
    client, opened, tech, two_departments, cold
):
    grow(opened, tech, two_departments, 2)
    client.force_login(tech)
    customer_id = Ticket.objects.first().customer_id
    url = reverse("tickets:desk_customer", args=[customer_id])
    ids = [d.pk for d in two_departments] if cold else []
    client.get(url)

    few = queries_of(client, url, cold=ids)
    grow(opened, tech, two_departments, 12)
    many = queries_of(client, url, cold=ids)

    assert many == few


def test_marking_the_board_costs_no_query_per_department(client, opened, department, manager, tech):
    limits_set(department, response=10 * HOUR)
    grow(opened, tech, [department] * 2, 2)
    client.force_login(manager)
    client.get(BOARD)

    few = queries_of(client, BOARD)
    for index in range(3):
        department = DepartmentFactory(name=f"Extra {index}", slug=f"extra-{index}")
        MembershipFactory(user=manager, department=department, is_manager=True)
        MembershipFactory(user=tech, department=department)
        limits_set(department, response=HOUR)
        grow(opened, tech, [department] * 2, 3)
    many = queries_of(client, BOARD)

    assert many == few


def test_marking_the_ticket_page_costs_no_query_per_other_ticket(
    client, opened, tech, two_departments
):
    grow(opened, tech, two_departments, 2)
    ticket = Ticket.objects.order_by("pk").first()
    client.force_login(tech)
    client.get(page_url(ticket))

    few = queries_of(client, page_url(ticket))
    grow(opened, tech, two_departments, 6)
    many = queries_of(client, page_url(ticket))

    assert many == few
