import pytest

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
def admin_user(db):
    return AdminFactory(full_name="Ada Admin")


@pytest.fixture
def customer_user(db):
    return UserFactory(full_name="Carla Customer")
