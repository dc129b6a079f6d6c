import pytest
from django.core.management import call_command

from accounts.models import Customer, User
from departments.models import Department, Membership
from helpdesk.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_demo_data_has_every_role_and_loads_idempotently(capsys):
    call_command("demo_data", url="http://127.0.0.1:8000/")
    counts = (
        User.objects.count(),
        Department.objects.count(),
        Membership.objects.count(),
        Customer.objects.count(),
    )
    call_command("demo_data")

    assert counts == (
        User.objects.count(),
        Department.objects.count(),
        Membership.objects.count(),
        Customer.objects.count(),
    )
    assert User.objects.get(email="admin@example.com").is_admin
    assert User.objects.get(email="trainee@example.com").is_trainee
    assert Membership.objects.filter(user__email="manager@example.com", is_manager=True).exists()
    assert Department.objects.filter(memberships__isnull=True, slug="legal").exists()
    assert User.objects.get(email="tech@example.com").check_password(DEMO_PASSWORD)
    assert Customer.objects.get(emails__email="ivan@example.org").account_manager.email == (
        "tech@example.com"
    )
    printed = capsys.readouterr().out
    assert "http://127.0.0.1:8000/" in printed
    assert "tech@example.com" in printed and DEMO_PASSWORD in printed
