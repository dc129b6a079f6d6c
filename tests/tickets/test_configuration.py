"""What admins configure for intake: blocks, forms and statuses are validated as entered."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from departments.models import WebForm
from tests.factories import DepartmentFactory
from tickets.fraud import sender_block_matching
from tickets.models import BlockedSender, Status, StatusType
from tickets.statuses import status_default

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "value", "stored"),
    [
        ("email", " Bad@Example.NET ", "bad@example.net"),
        ("domain", "@Spam.Example", "spam.example"),
        ("ip", "203.0.113.7", "203.0.113.7/32"),
        ("ip", "192.0.2.9/24", "192.0.2.0/24"),
    ],
)
def test_blocks_are_normalised_when_entered(kind, value, stored):
    block = BlockedSender(kind=kind, value=value)

    block.full_clean()

    assert block.value == stored


@pytest.mark.parametrize(
    ("kind", "value"),
    [("email", "not an address"), ("domain", "localhost"), ("ip", "300.1.1.1")],
)
def test_malformed_blocks_are_refused_with_a_clear_message(kind, value):
    with pytest.raises(ValidationError) as error:
        BlockedSender(kind=kind, value=value).full_clean()

    assert "value" in error.value.message_dict


def test_a_block_added_in_the_admin_applies_at_once(admin_client, db):
    assert sender_block_matching(email="x@fresh-spam.example") is None  # caches the list

    response = admin_client.post(
        reverse("admin:tickets_blockedsender_add"),
        {"kind": "domain", "value": "fresh-spam.example", "reason": "Spam wave"},
    )

    assert response.status_code == 302
    block = BlockedSender.objects.get()
    assert block.created_by.is_superuser
    assert sender_block_matching(email="x@fresh-spam.example") == block.pk


def test_form_slugs_that_belong_to_the_help_centre_are_refused():
    form = WebForm(slug="submitted", title="Clash", default_department=DepartmentFactory())

    with pytest.raises(ValidationError) as error:
        form.full_clean()

    assert "slug" in error.value.message_dict


def test_default_statuses_exist_for_every_type():
    for status_type in StatusType:
        status = status_default(status_type)
        assert status.type == status_type and status.is_default
    assert Status.objects.filter(is_default=True).count() == len(StatusType)


def test_a_removed_default_status_is_recreated_when_needed():
    Status.objects.filter(type=StatusType.PENDING).delete()

    assert status_default(StatusType.PENDING).name == "Waiting for customer"


def test_admin_pages_for_intake_models_open(admin_client):
    for name in (
        "tickets_ticket",
        "tickets_blockedsender",
        "tickets_refusedattempt",
        "tickets_status",
        "departments_category",
        "departments_webform",
    ):
        assert admin_client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name
