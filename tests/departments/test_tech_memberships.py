"""A manager sets a tech's retrieval priority in the departments they manage, and only there."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from departments.memberships import membership_retrieval_priority_set
from departments.models import Membership
from tests.factories import MembershipFactory, TechFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def url(tech):
    return reverse("manage:tech_memberships", args=[tech.pk])


def priority(tech, department):
    return Membership.objects.get(user=tech, department=department).retrieval_priority


def test_a_manager_sets_a_priority_and_is_sent_back_to_the_page(client, viewer, tech, department):
    client.force_login(viewer)

    response = client.post(url(tech), {"department": department.pk, "retrieval_priority": "3"})

    assert response.status_code == 302
    assert response["Location"] == (reverse("manage:tech_detail", args=[tech.pk]) + "#departments")
    assert priority(tech, department) == 3
    page = client.get(response["Location"]).content.decode()
    assert "Retrieval priority in Technical support is now 3." in page


def test_with_htmx_the_departments_section_comes_back(client, viewer, tech, department):
    client.force_login(viewer)

    response = client.post(
        url(tech), {"department": department.pk, "retrieval_priority": "7"}, headers=HTMX
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section class="card" id="tech-departments"')
    assert "Retrieval priority in Technical support is now 7." in page
    assert 'value="7"' in page
    assert priority(tech, department) == 7


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "Ensure this value is greater than or equal to 1."),
        ("-2", "Ensure this value is greater than or equal to 1."),
        ("two", "Enter a whole number."),
        ("2.5", "Enter a whole number."),
        ("101", "Ensure this value is less than or equal to 100."),
        ("99999999999999999999999", "Ensure this value is less than or equal to 100."),
        ("", "This field is required."),
    ],
)
def test_a_bad_priority_is_explained_and_nothing_changes(
    client, viewer, tech, department, value, message
):
    client.force_login(viewer)

    full = client.post(url(tech), {"department": department.pk, "retrieval_priority": value})
    partial = client.post(
        url(tech), {"department": department.pk, "retrieval_priority": value}, headers=HTMX
    )

    assert full.status_code == 400
    assert message in full.content.decode()
    assert 'aria-invalid="true"' in full.content.decode()
    assert "Sign-in sessions" in full.content.decode()  # the whole page, sign-ins included
    assert partial.status_code == 200
    assert message in partial.content.decode()
    assert priority(tech, department) == 1


def test_a_department_the_manager_does_not_manage_is_refused_and_unchanged(
    client, viewer, tech, department, billing
):
    MembershipFactory(user=tech, department=billing, retrieval_priority=2)
    client.force_login(viewer)

    response = client.post(url(tech), {"department": billing.pk, "retrieval_priority": "9"})

    assert response.status_code == 400
    assert "only in departments you manage" in response.content.decode()
    assert priority(tech, billing) == 2
    assert priority(tech, department) == 1


@pytest.mark.parametrize("department_value", ["", "nonsense", "99999999999999999999999", "-1"])
def test_a_department_that_is_not_one_is_refused(client, viewer, tech, department_value):
    client.force_login(viewer)

    response = client.post(
        url(tech), {"department": department_value, "retrieval_priority": "5"}, headers=HTMX
    )

    assert response.status_code == 200
    assert 'id="priority-errors"' in response.content.decode()
    assert set(Membership.objects.values_list("retrieval_priority", flat=True)) == {1}


def test_a_manager_of_another_department_cannot_reach_the_tech(
    client, billing_manager, tech, department
):
    client.force_login(billing_manager)

    response = client.post(url(tech), {"department": department.pk, "retrieval_priority": "5"})

    assert response.status_code == 404
    assert priority(tech, department) == 1


@pytest.mark.parametrize("role", ["tech", "trainee", "customer_user"])
def test_techs_trainees_and_customers_are_refused(client, request, role, tech, department):
    client.force_login(request.getfixturevalue(role))

    response = client.post(url(tech), {"department": department.pk, "retrieval_priority": "5"})

    assert response.status_code == 403
    assert priority(tech, department) == 1


def test_the_edit_is_a_post(client, viewer, tech):
    client.force_login(viewer)

    assert client.get(url(tech)).status_code == 405


def test_the_service_refuses_a_department_the_manager_does_not_manage(viewer, tech, billing):
    MembershipFactory(user=tech, department=billing, retrieval_priority=2)

    with pytest.raises(PermissionDenied):
        membership_retrieval_priority_set(by=viewer, tech=tech, department=billing, priority=5)
    assert priority(tech, billing) == 2


def test_the_service_refuses_a_department_the_tech_does_not_work_in(viewer, department):
    stranger = TechFactory()

    with pytest.raises(ValidationError):
        membership_retrieval_priority_set(
            by=viewer, tech=stranger, department=department, priority=5
        )
    assert not Membership.objects.filter(user=stranger).exists()


@pytest.mark.parametrize("value", [0, 101])
def test_the_service_refuses_a_priority_out_of_range(viewer, tech, department, value):
    with pytest.raises(ValidationError):
        membership_retrieval_priority_set(
            by=viewer, tech=tech, department=department, priority=value
        )
    assert priority(tech, department) == 1


def test_an_admin_sets_a_priority_in_any_department(client, admin_user, billing_tech, billing):
    client.force_login(admin_user)

    response = client.post(url(billing_tech), {"department": billing.pk, "retrieval_priority": "4"})

    assert response.status_code == 302
    assert priority(billing_tech, billing) == 4
