"""Who may read whose sign-ins: an admin everyone's, a manager their departments' techs only;
techs, trainees, customers, visitors and disabled managers are refused.

Fixtures (admin, viewer, week): tests/reports/sign_ins_support.py."""

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory
from tests.reports.sign_ins_support import (
    HOURS_CSV,
    SESSIONS_CSV,
    URL,
    WEEK,
    csv_rows,
    page_of,
)

pytestmark = pytest.mark.django_db


def test_a_manager_reads_the_techs_of_their_departments_only(
    client, viewer, tech, billing_tech, week
):
    client.force_login(viewer)

    response = client.get(URL, WEEK)

    assert response.status_code == 200
    select = [person.pk for person in response.context["techs"]]
    assert tech.pk in select and viewer.pk in select
    assert billing_tech.pk not in select
    assert billing_tech.full_name not in page_of(response)


def test_a_tech_in_two_departments_is_read_by_a_manager_of_either(
    client, viewer, billing, billing_manager, tech, week
):
    MembershipFactory(user=tech, department=billing)

    for manager in (viewer, billing_manager):
        client.force_login(manager)
        response = client.get(URL, {**WEEK, "tech": tech.pk})
        assert response.status_code == 200
        assert response.context["report"].summaries[0].sessions == 3


@pytest.mark.parametrize("url", [URL, SESSIONS_CSV, HOURS_CSV])
def test_a_manager_of_another_department_gets_not_found_for_a_tech(
    client, billing_manager, week, url
):
    client.force_login(billing_manager)

    assert client.get(url, {**WEEK, "tech": week.pk}).status_code == 404


def test_a_manager_of_another_department_sees_none_of_the_techs_sign_ins(
    client, billing_manager, billing_tech, week
):
    client.force_login(billing_manager)

    response = client.get(URL, WEEK)

    assert {person.pk for person in response.context["techs"]} == {
        billing_manager.pk,
        billing_tech.pk,
    }
    assert week.full_name not in page_of(response)
    rows = csv_rows(client.get(SESSIONS_CSV, WEEK))
    assert rows[1:] == []


@pytest.mark.parametrize("url", [URL, SESSIONS_CSV, HOURS_CSV])
@pytest.mark.parametrize("role", ["tech", "trainee", "customer_user"])
def test_techs_trainees_and_customers_are_refused(client, request, role, url):
    client.force_login(request.getfixturevalue(role))

    assert client.get(url, WEEK).status_code == 403


@pytest.mark.parametrize("url", [URL, SESSIONS_CSV, HOURS_CSV])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url, WEEK)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


def test_a_disabled_manager_is_refused(client, viewer):
    viewer.is_active = False
    viewer.save(update_fields=["is_active"])
    client.force_login(viewer)

    assert client.get(URL, WEEK).status_code in (302, 403)
