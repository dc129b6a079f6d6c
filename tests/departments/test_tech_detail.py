"""The manager's page about one tech: who may open it, what it shows, its sign-in periods."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import LoginEvent
from tests.departments.conftest import ended, pool_ticket, signed_in
from tests.factories import MembershipFactory, TechFactory
from tickets import workflow
from tickets.models import Priority, StatusType

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
ONE_DAY = {"from": "2026-11-02", "to": "2026-11-02"}


def url(user):
    return reverse("manage:tech_detail", args=[user.pk])


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def tech_day(tech):
    """A day of the tech's: signed in and out, a session that expired, one still open, and a
    wrong password, all on 2 November 2026 (UTC+2 in Kyiv)."""
    morning = signed_in(tech, utc("2026-11-02T06:01:02"), last=utc("2026-11-02T09:00:00"))
    ended(morning, utc("2026-11-02T09:30:45"))
    noon = signed_in(tech, utc("2026-11-02T10:15:00"), last=utc("2026-11-02T11:47:13"))
    ended(noon, utc("2026-11-02T11:47:13"), kind=LoginEvent.Kind.SESSION_EXPIRED)
    signed_in(tech, utc("2026-11-02T14:00:00"), last=utc("2026-11-02T15:20:00"), ip="2001:db8::7")
    LoginEvent.objects.create(
        kind=LoginEvent.Kind.SIGN_IN_FAILED,
        user=tech,
        email=tech.email,
        at=utc("2026-11-02T06:00:30"),
        ip_address="198.51.100.23",
    )
    return tech


def test_manager_sees_the_techs_sessions_in_their_own_zone_to_the_second(client, viewer, tech_day):
    client.force_login(viewer)

    response = client.get(url(tech_day), ONE_DAY)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Tom Tech" in page and tech_day.email in page
    sessions = response.context["sessions"].sessions
    assert [s.how for s in sessions] == ["open", "expired", "signed_out"]
    # Kyiv is two hours ahead of UTC in November.
    assert (
        '<time datetime="2026-11-02T08:01:02+02:00"><span class="text-nowrap">Mon 2 Nov 2026,'
        '</span> <span class="text-nowrap">08:01:02</span></time>'
    ) in page
    assert 'Signed out at <time datetime="2026-11-02T11:30:45+02:00"' in page
    assert "Session expired, last active at" in page and "13:47:13" in page
    assert "Still signed in" in page and "17:20:00" in page
    assert "3 h 29 min 43 s" in page  # 08:01:02 to 11:30:45
    assert "Firefox 128 on Windows" in page
    assert "2001:db8::7" in page
    assert "Times in Europe/Kyiv" in page
    failures = response.context["failures"].events
    assert len(failures) == 1 and "08:00:30" in page and "198.51.100.23" in page
    assert 'id="absence"' in page
    assert "Only tickets of the departments you manage" not in page  # all of Tom's are


def test_the_page_shows_departments_priorities_roles_and_the_open_pool(
    client, viewer, tech, department, billing
):
    MembershipFactory(user=tech, department=billing, retrieval_priority=4, is_manager=True)
    tech.replies_need_approval = True
    tech.save(update_fields=["replies_need_approval"])
    urgent = pool_ticket(tech, department, "Server room is flooding", Priority.EMERGENCY)
    routine = pool_ticket(tech, department, "Change my invoice address", Priority.LOW)
    closed = pool_ticket(tech, department, "Already solved")
    workflow.ticket_status_change(ticket=closed, author=tech, status_type=StatusType.CLOSED)
    pool_ticket(tech, billing, "A billing matter only billing managers see")
    client.force_login(viewer)

    response = client.get(url(tech))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Trainee" in page and "Manager" in page
    rows = {row.membership.department.name: row for row in response.context["memberships"]}
    assert rows["Technical support"].editable
    assert not rows["Billing"].editable
    assert "not your department" in page
    pool = [ticket.subject for ticket in response.context["pool"].tickets]
    assert pool == [urgent.subject, routine.subject]
    assert "A billing matter only billing managers see" not in page
    assert "Only tickets of the departments you manage are shown." in page
    assert f'href="{reverse("tickets:desk")}?queue=team&amp;owner={tech.pk}"' in page


def test_htmx_asks_for_the_sign_ins_alone(client, viewer, tech_day):
    client.force_login(viewer)

    response = client.get(url(tech_day), ONE_DAY, headers=HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section class="card mb-3" id="tech-sign-ins"')
    assert "<html" not in page and "Open pool" not in page
    assert "08:01:02" in page


def test_restoring_a_pushed_period_from_history_gets_the_whole_page(client, viewer, tech_day):
    client.force_login(viewer)

    response = client.get(
        url(tech_day), ONE_DAY, headers={**HTMX, "HX-History-Restore-Request": "true"}
    )

    assert "<html" in response.content.decode()
    assert "Open pool" in response.content.decode()


def test_the_default_period_is_the_last_week(client, viewer, tech):
    recent = signed_in(tech, datetime.now(UTC) - timedelta(days=2))
    signed_in(tech, datetime.now(UTC) - timedelta(days=10))
    client.force_login(viewer)

    response = client.get(url(tech))

    assert [s.id for s in response.context["sessions"].sessions] == [recent.pk]
    form = response.context["period_form"]
    first, last = form.cleaned_data["from"], form.cleaned_data["to"]
    assert (last - first).days == 6


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-13-45", "to": "2026-11-02"}, "Enter a valid date."),
        ({"from": "yesterday", "to": "2026-11-02"}, "Enter a valid date."),
        ({"from": "2026-11-05", "to": "2026-11-02"}, "The first day comes after the last day."),
        ({"from": "2024-01-01", "to": "2026-11-02"}, "Choose at most 366 days."),
        ({"from": "1969-12-31", "to": "2026-11-02"}, "Choose a date between 1970 and 2999."),
        ({"from": "2026-11-02", "to": "9999-12-31"}, "Choose a date between 1970 and 2999."),
    ],
)
def test_bad_dates_are_explained_not_a_server_error(client, viewer, tech_day, query, message):
    client.force_login(viewer)

    full = client.get(url(tech_day), query)
    partial = client.get(url(tech_day), query, headers=HTMX)

    assert full.status_code == 400
    assert message in full.content.decode()
    assert "Correct the dates to see the sign-ins." in full.content.decode()
    assert full.context["sessions"] is None
    assert partial.status_code == 200  # htmx swaps only 2xx answers
    assert message in partial.content.decode()


def test_a_year_long_period_is_allowed(client, viewer, tech_day):
    client.force_login(viewer)

    response = client.get(url(tech_day), {"from": "2025-11-03", "to": "2026-11-03"})

    assert response.status_code == 200
    assert len(response.context["sessions"].sessions) == 3


def test_many_sessions_come_a_page_at_a_time(client, viewer, tech):
    start = utc("2026-11-02T00:00:00")
    LoginEvent.objects.bulk_create(
        LoginEvent(
            kind=LoginEvent.Kind.SIGN_IN,
            user=tech,
            email=tech.email,
            at=start + timedelta(minutes=n),
            last_activity_at=start + timedelta(minutes=n),
        )
        for n in range(60)
    )
    client.force_login(viewer)

    first = client.get(url(tech), ONE_DAY)
    cursor = first.context["sessions"].next_cursor
    second = client.get(url(tech), {**ONE_DAY, "cursor": cursor}, headers=HTMX)

    assert len(first.context["sessions"].sessions) == 50
    assert 'data-testid="sessions-older"' in first.content.decode()
    # A partial's context is not recorded by the test client: read its rows.
    assert second.content.decode().count('data-testid="session"') == 10
    assert 'data-testid="sessions-older"' not in second.content.decode()
    assert "Newest" in second.content.decode()


def _queries_for_page(client, tech):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(tech), ONE_DAY)
    assert response.status_code == 200
    return len(queries)


def test_queries_do_not_grow_with_sessions_failures_or_tickets(client, viewer, tech, department):
    client.force_login(viewer)

    def add(count, offset):
        start = utc("2026-11-02T00:00:00")
        for n in range(offset, offset + count):
            session = signed_in(tech, start + timedelta(seconds=n * 10))
            if n % 2:
                ended(session, start + timedelta(seconds=n * 10 + 5))
            LoginEvent.objects.create(
                kind=LoginEvent.Kind.SIGN_IN_FAILED,
                user=tech,
                email=tech.email,
                at=start + timedelta(seconds=n * 10 + 1),
            )

    add(5, 0)
    pool_ticket(tech, department, "One")
    few = _queries_for_page(client, tech)
    add(195, 5)
    for n in range(5):
        pool_ticket(tech, department, f"More {n}")
    many = _queries_for_page(client, tech)

    assert many == few


# Who may open it


def test_a_manager_of_another_department_gets_not_found(client, billing_manager, tech_day):
    client.force_login(billing_manager)

    assert client.get(url(tech_day)).status_code == 404
    csv = reverse("manage:tech_sessions_csv", args=[tech_day.pk])
    assert client.get(csv).status_code == 404


def test_a_manager_reaches_a_tech_in_one_of_their_departments_only(
    client, viewer, billing_tech, tech
):
    client.force_login(viewer)

    assert client.get(url(billing_tech)).status_code == 404
    assert client.get(url(tech)).status_code == 200
    assert client.get(url(viewer)).status_code == 200  # themselves: in their department


def test_a_customer_id_or_a_missing_one_is_not_found(client, viewer, customer_user):
    client.force_login(viewer)

    assert client.get(url(customer_user)).status_code == 404
    missing = reverse("manage:tech_detail", args=[10**30])
    assert client.get(missing).status_code == 404


def test_an_admin_opens_any_staff_member(client, admin_user, billing_tech):
    loner = TechFactory(full_name="Lone Ranger")
    client.force_login(admin_user)

    assert client.get(url(billing_tech)).status_code == 200
    response = client.get(url(loner))
    assert response.status_code == 200
    assert "Works in no active department." in response.content.decode()


@pytest.mark.parametrize("role", ["tech", "trainee", "customer_user"])
def test_techs_trainees_and_customers_are_refused(client, request, role, tech):
    client.force_login(request.getfixturevalue(role))

    assert client.get(url(tech)).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, tech):
    response = client.get(url(tech))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


def test_the_page_posts_nothing(client, viewer, tech):
    client.force_login(viewer)

    assert client.post(url(tech)).status_code == 405
