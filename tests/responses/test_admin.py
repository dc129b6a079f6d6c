"""Admins write canned responses in the Django admin."""

import pytest
from django.urls import reverse

from responses.models import CannedResponse

pytestmark = pytest.mark.django_db

ADD = reverse("admin:responses_cannedresponse_add")


def test_add_page_lists_the_placeholders(client, admin_user):
    client.force_login(admin_user)

    page = client.get(ADD).content.decode()

    assert "<code>{{ customer_name }}</code>" in page
    assert "<code>{{ ticket_tag }}</code>" in page


def test_adding_a_response_records_who_wrote_it(client, admin_user, department):
    client.force_login(admin_user)

    response = client.post(
        ADD,
        {
            "title": "Reboot",
            "department": str(department.pk),
            "body": "Hi {{ customer_first_name }}, please restart.",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    canned = CannedResponse.objects.get()
    assert canned.created_by == admin_user
    assert canned.department == department
    assert canned.usage_count == 0


def test_unknown_placeholders_are_refused_with_the_list_of_allowed_ones(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        ADD, {"title": "Leak", "body": "{{ ticket.customer.user.password }}", "is_active": "on"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Unknown placeholders: {{ ticket.customer.user.password }}." in page
    assert "Only these are filled in: {{ customer_name }}" in page
    assert not CannedResponse.objects.exists()


def test_list_page_shows_usage(client, admin_user, canned):
    canned(title="Greeting", usage_count=7)
    client.force_login(admin_user)

    page = client.get(reverse("admin:responses_cannedresponse_changelist")).content.decode()

    assert "Greeting" in page
    assert ">7<" in page
