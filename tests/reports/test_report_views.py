"""The reports page, the cases behind each number, and the CSV tables: who may read what, what
bad input shows, and a query count that does not grow with the number of cases."""

import csv
import io
import re
from datetime import datetime

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory, DepartmentFactory, MembershipFactory, TechFactory
from tests.reports.report_support import HOUR, UTC, at

HTMX = {"HTTP_HX_REQUEST": "true"}
OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}
NOW = datetime(2026, 11, 15, 12, tzinfo=UTC)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def cases(opened, support, legal, billing, tom, tina, bill):
    """Support: Tom closes one on time and one late; Tina one on time after consulting.
    Billing: Bill closes one late."""
    start = utc(2026, 10, 5, 9)
    made = {
        "tom_on_time": opened(start, tech=tom, department=support).close(start + HOUR),
        "tom_late": opened(start, tech=tom, department=support).close(start + 9 * HOUR),
        "tina_consulted": opened(start, tech=tina, department=support)
        .consult(start + HOUR, legal)
        .close(start + 2 * HOUR),
        "bill_late": opened(start, tech=bill, department=billing, subject="Invoice").close(
            start + 10 * HOUR
        ),
    }
    return made


def csv_rows(response):
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def numbers_in(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}-value">(\d+)<', html)
    return match.group(1) if match else ""


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_admin_reads_every_measure_with_its_definition(as_admin, cases):
    with at(NOW):
        response = as_admin.get(reverse("reports:index"), OCTOBER)
    assert response.status_code == 200
    html = response.content.decode()
    assert numbers_in(html, "metric-closed_on_time") == "1"
    assert numbers_in(html, "metric-closed_on_time_consulted") == "1"
    assert numbers_in(html, "metric-closed_late") == "2"
    assert numbers_in(html, "metric-consulted_before_deadline") == "1"
    assert "never referred to another department" in html  # a definition is on the page
    assert 'id="definition-closed_late"' in html
    assert "under construction" not in html.lower()
    for section in ("per-tech", "per-department", "chart-trend", "by-channel"):
        assert f'data-testid="{section}"' in html


def test_the_htmx_request_gets_the_report_body_only(as_admin, cases):
    with at(NOW):
        response = as_admin.get(reverse("reports:index"), OCTOBER, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="report-body">')
    assert "<html" not in html


def test_each_number_links_to_exactly_the_cases_it_counts(as_admin, cases, tom):
    with at(NOW):
        page = as_admin.get(reverse("reports:index"), OCTOBER).content.decode()
        expected = {
            "closed_on_time": {cases["tom_on_time"].ticket.number},
            "closed_late": {cases["tom_late"].ticket.number, cases["bill_late"].ticket.number},
            "closed_on_time_consulted": {cases["tina_consulted"].ticket.number},
            "consulted_before_deadline": {cases["tina_consulted"].ticket.number},
            "closed_late_consulted": set(),
        }
        for metric, numbers in expected.items():
            link = re.search(rf'href="([^"]+)" data-testid="metric-{metric}-value"', page).group(1)
            listed = as_admin.get(link.replace("&amp;", "&")).content.decode()
            assert set(map(int, re.findall(r">#(\d+)</a>", listed))) == numbers, metric
        tom_late = as_admin.get(
            reverse("reports:cases", args=["closed_late"]), {**OCTOBER, "tech": tom.pk}
        ).content.decode()
    assert re.findall(r">#(\d+)</a>", tom_late) == [str(cases["tom_late"].ticket.number)]


def test_a_manager_sees_only_their_departments_numbers_and_cases(
    client, cases, support_manager, billing
):
    client.force_login(support_manager)
    with at(NOW):
        html = client.get(reverse("reports:index"), OCTOBER).content.decode()
        assert numbers_in(html, "metric-closed_late") == "1"  # Bill's billing case left out
        assert "Bill Billing" not in html and ">Billing<" not in html
        listed = client.get(reverse("reports:cases", args=["closed_late"]), OCTOBER)
        assert str(cases["bill_late"].ticket.number) not in listed.content.decode()
        assert client.get(reverse("reports:index"), {"department": billing.pk}).status_code == 404
        bill = cases["bill_late"].tech
        assert client.get(reverse("reports:index"), {"tech": bill.pk}).status_code == 404
        csv_response = client.get(reverse("reports:table_csv", args=["techs"]), OCTOBER)
    names = [row[0] for row in csv_rows(csv_response)]
    assert "Bill Billing" not in names and "Tom Tech" in names


@pytest.mark.parametrize("who", ["tech", "customer", "anonymous"])
def test_techs_customers_and_visitors_cannot_read_reports(client, tom, customer_user, who):
    if who == "tech":
        client.force_login(tom)
    elif who == "customer":
        client.force_login(customer_user)
    for url in (
        reverse("reports:index"),
        reverse("reports:cases", args=["closed"]),
        reverse("reports:table_csv", args=["techs"]),
        reverse("reports:cases_csv", args=["closed"]),
    ):
        response = client.get(url)
        assert response.status_code == (302 if who == "anonymous" else 403), url


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2026-13-45"},
        {"from": "2026-10-10", "to": "2026-10-01"},
        {"from": "1-1-1"},
        {"from": "2020-01-01", "to": "2026-01-01"},
    ],
)
def test_bad_dates_say_why_and_show_the_default_period(as_admin, query):
    response = as_admin.get(reverse("reports:index"), query)
    assert response.status_code == 400
    assert 'id="period-error"' in response.content.decode()
    csv_response = as_admin.get(reverse("reports:table_csv", args=["techs"]), query)
    assert csv_response.status_code == 400


@pytest.mark.parametrize(
    "query",
    [{"department": "abc"}, {"tech": "9" * 500}, {"department": "²"}, {"tech": "-1"}],
)
def test_bad_ids_are_not_found(as_admin, query):
    assert as_admin.get(reverse("reports:index"), query).status_code == 404


def test_a_nul_in_the_query_is_refused_before_the_report(as_admin):
    assert as_admin.get(reverse("reports:index"), {"from": "2026-10-01\x00"}).status_code == 400


def test_unknown_metrics_and_tables_are_not_found(as_admin):
    assert as_admin.get(reverse("reports:cases", args=["nothing"])).status_code == 404
    assert as_admin.get(reverse("reports:table_csv", args=["nothing"])).status_code == 404


def test_an_unknown_period_name_falls_back_with_a_message(as_admin):
    response = as_admin.get(reverse("reports:index"), {"period": "forever"})
    assert response.status_code == 400


def test_csv_is_safe_against_formulas_and_opens_cyrillic(as_admin, opened, support, tom):
    start = utc(2026, 10, 5, 9)
    opened(start, tech=tom, department=support, subject='=HYPERLINK("x") Принтер').close(
        start + HOUR
    )
    with at(NOW):
        response = as_admin.get(reverse("reports:cases_csv", args=["closed"]), OCTOBER)
    rows = csv_rows(response)
    assert rows[1][1] == '\'=HYPERLINK("x") Принтер'
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_every_table_exports_as_csv(as_admin, cases):
    with at(NOW):
        for table in (
            "summary",
            "techs",
            "departments",
            "channels",
            "categories",
            "satisfaction",
            "answers",
            "trend",
        ):
            response = as_admin.get(reverse("reports:table_csv", args=[table]), OCTOBER)
            assert response.status_code == 200, table
            assert csv_rows(response)[0], table
        techs = csv_rows(as_admin.get(reverse("reports:table_csv", args=["techs"]), OCTOBER))
    closed = techs[0].index("Cases closed")
    by_name = {row[0]: row for row in techs[1:]}
    assert by_name["All"][closed] == "4"
    assert sum(int(row[closed]) for name, row in by_name.items() if name != "All") == 4


def _more_cases(opened, department, tech, count):
    start = utc(2026, 10, 20, 9)
    for n in range(count):
        opened(start, tech=tech, department=department).close(start + (n + 1) * HOUR)


def test_the_page_costs_the_same_queries_for_few_or_many_cases(
    as_admin, opened, support, tom, django_assert_max_num_queries
):
    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with at(NOW), CaptureQueriesContext(connection) as queries:
            assert as_admin.get(reverse("reports:index"), OCTOBER).status_code == 200
        return len(queries)

    _more_cases(opened, support, tom, 2)
    few = count()
    more_techs = [TechFactory(full_name=f"Tech {n}") for n in range(4)]
    for tech in more_techs:
        MembershipFactory(user=tech, department=support)
        _more_cases(opened, support, tech, 2)
    other = DepartmentFactory(name="Other")
    MembershipFactory(user=more_techs[0], department=other)
    _more_cases(opened, other, more_techs[0], 2)
    assert count() == few


def test_the_case_list_costs_the_same_queries_for_few_or_many_cases(as_admin, opened, support, tom):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with at(NOW), CaptureQueriesContext(connection) as queries:
            response = as_admin.get(reverse("reports:cases", args=["closed"]), OCTOBER)
            assert response.status_code == 200
        return len(queries)

    _more_cases(opened, support, tom, 2)
    few = count()
    _more_cases(opened, support, tom, 8)
    assert count() == few


def test_the_case_list_pages_and_its_htmx_partial(as_admin, opened, support, tom):
    _more_cases(opened, support, tom, 3)
    with at(NOW):
        response = as_admin.get(reverse("reports:cases", args=["closed"]), OCTOBER, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="case-list"')
    assert "3 cases" in html


def test_customers_names_do_not_leak_into_reports(as_admin, cases):
    CustomerFactory(name="Secret Customer")
    with at(NOW):
        html = as_admin.get(reverse("reports:index"), OCTOBER).content.decode()
    assert "Secret Customer" not in html


def test_each_tech_line_shows_the_hours_they_were_signed_in(as_admin, cases, tom, support):
    from accounts.models import LoginEvent
    from tests.factories import TechFactory as Factory

    idle = Factory(full_name="Ivy Idle")
    MembershipFactory(user=idle, department=support)
    for person, hours in ((tom, 3), (idle, 2)):
        start = utc(2026, 10, 6, 8)
        sign_in = LoginEvent.objects.create(
            kind=LoginEvent.Kind.SIGN_IN,
            user=person,
            email=person.email,
            at=start,
            last_activity_at=start + hours * HOUR,
        )
        LoginEvent.objects.create(
            kind=LoginEvent.Kind.SIGN_OUT,
            user=person,
            email=person.email,
            at=start + hours * HOUR,
            sign_in=sign_in,
        )
    with at(NOW):
        rows = csv_rows(as_admin.get(reverse("reports:table_csv", args=["techs"]), OCTOBER))
    hours = {row[0]: row[-1] for row in rows[1:]}
    assert hours["Tom Tech"] == "3.00"
    assert hours["Ivy Idle"] == "2.00"  # signed in, closed nothing: still listed
    assert rows[0][-1] == "Signed in (hours)"


def test_the_case_list_shows_times_in_the_house_format(as_admin, cases):
    """Issue 14: one date format (DATETIME_FORMAT, as "Oct. 9, 2026, 3 p.m."), not a second
    one ("9 Oct 2026 15:00") on this page."""
    with at(NOW):
        listed = as_admin.get(reverse("reports:cases", args=["closed_late"]), OCTOBER)
    html = listed.content.decode()

    assert re.search(r"[A-Z][a-z]{2,3}\.? \d{1,2}, 2026, \d", html)
    assert not re.search(r"\b\d{1,2} [A-Z][a-z]{2} 2026 \d{2}:\d{2}\b", html)
