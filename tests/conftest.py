import uuid

import pytest

from departments.models import Mailbox
from tests.factories import (
    PASSWORD,
    AdminFactory,
    DepartmentFactory,
    MembershipFactory,
    TechFactory,
    UserFactory,
)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def department(db):
    return DepartmentFactory(name="Technical support", slug="technical-support")


@pytest.fixture
def tech(department):
    user = TechFactory(full_name="Tom Tech")
    MembershipFactory(user=user, department=department)
    return user


@pytest.fixture
def trainee(department):
    user = TechFactory(full_name="Terry Trainee", replies_need_approval=True)
    MembershipFactory(user=user, department=department)
    return user


@pytest.fixture
def manager(department):
    user = TechFactory(full_name="Maria Manager")
    MembershipFactory(user=user, department=department, is_manager=True)
    return user


@pytest.fixture
def mailbox(department):
    return Mailbox.objects.create(
        name="Support",
        department=department,
        email_address="support@example.test",
        host="127.0.0.1",
        username="support",
    )


@pytest.fixture
def admin_user(db):
    return AdminFactory(full_name="Ada Admin")


@pytest.fixture
def customer_user(db):
    return UserFactory(full_name="Carla Customer")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a per-test folder, never into the repository."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """Each test gets its own cache namespace, so rate-limit counters, presence and cached
    block lists never leak between tests, and nothing flushes a Redis others are using."""
    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = (
        f"{caches['default'].get('KEY_PREFIX', '')}-{uuid.uuid4().hex}"
    )
    settings.CACHES = caches
