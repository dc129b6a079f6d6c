"""Home sends each role to its place; each area admits only its roles."""

import pytest
from django.urls import reverse

from tests.factories import DepartmentFactory, MembershipFactory, TechFactory

pytestmark = pytest.mark.django_db

DESK = reverse("tickets:desk")
MANAGE = reverse("manage:board")
REPORTS = reverse("reports:index")
MY = reverse("tickets:my_tickets")
SUPPORT = reverse("tickets:support")


@pytest.mark.parametrize(
    ("who", "landing"),
    [
        ("customer_user", MY),
        ("tech", DESK),
        ("trainee", DESK),
        ("manager", MANAGE),
        ("admin_user", REPORTS),
    ],
)
def test_home_sends_each_role_to_its_place(client, request, who, landing):
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url == landing


def test_home_sends_visitors_to_the_help_centre(client):
    response = client.get(reverse("home"))

    assert response.url == SUPPORT


@pytest.mark.parametrize("area", [DESK, MANAGE, REPORTS, MY])
def test_areas_send_visitors_to_sign_in(client, area):
    response = client.get(area)

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:sign_in')}?next={area}"


@pytest.mark.parametrize(
    ("who", "allowed", "forbidden"),
    [
        ("customer_user", [MY, SUPPORT], [DESK, MANAGE, REPORTS]),
        ("tech", [DESK, SUPPORT], [MANAGE, REPORTS, MY]),
        ("trainee", [DESK], [MANAGE, REPORTS, MY]),
        ("manager", [DESK, MANAGE, REPORTS], [MY]),
        ("admin_user", [DESK, MANAGE, REPORTS], [MY]),
    ],
)
def test_each_area_admits_only_its_roles(client, request, who, allowed, forbidden):
    client.force_login(request.getfixturevalue(who))

    for url in allowed:
        assert client.get(url).status_code == 200, url
    for url in forbidden:
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"This area is not open to your account" in response.content


def test_manager_of_another_department_only_is_still_a_manager_there(client):
    elsewhere = DepartmentFactory()
    user = TechFactory()
    MembershipFactory(user=user, department=elsewhere, is_manager=True)
    client.force_login(user)

    response = client.get(MANAGE)

    assert response.status_code == 200
    assert elsewhere.name in response.content.decode()


def test_manage_lists_only_the_managers_departments(client, manager, tech):
    other = DepartmentFactory(name="Billing secrets")
    MembershipFactory(department=other)
    client.force_login(manager)

    html = client.get(MANAGE).content.decode()

    assert "Technical support" in html
    assert tech.full_name in html
    assert "Billing secrets" not in html


def test_navigation_offers_each_role_its_areas(client, tech, manager):
    client.force_login(tech)
    tech_html = client.get(DESK).content.decode()
    assert f'href="{DESK}"' in tech_html
    assert f'href="{MANAGE}"' not in tech_html

    client.force_login(manager)
    manager_html = client.get(DESK).content.decode()
    assert f'href="{MANAGE}"' in manager_html
    assert f'href="{REPORTS}"' in manager_html


def test_no_area_is_a_placeholder_any_more(client, manager):
    client.force_login(manager)

    response = client.get(REPORTS)

    assert response.status_code == 200
    assert b'data-testid="coming-soon"' not in response.content
    assert b"Under construction" not in response.content


def test_manage_page_queries_do_not_grow_with_departments_and_techs(
    client, manager, django_assert_num_queries
):
    client.force_login(manager)
    client.get(MANAGE)  # warm the session and the user's first activity write

    # The board (tickets/board.py): the person, their departments, the departments' counts
    # (one union), memberships, the techs' counts (one union), new activity with the held
    # replies and mails (one query), the oldest cases when any is open (none here), which techs
    # are absent; +1: the notification bell's unread count.
    with django_assert_num_queries(9) as small:
        client.get(MANAGE)
    for _ in range(4):
        department = DepartmentFactory()
        MembershipFactory(user=manager, department=department, is_manager=True)
        for _ in range(3):
            MembershipFactory(department=department)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(MANAGE)
    assert response.content.decode().count('<section class="card') == 5
