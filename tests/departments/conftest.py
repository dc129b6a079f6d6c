"""People and sign-in rows for the tech detail tests."""

from datetime import datetime

import pytest

from accounts.models import LoginEvent
from tests.factories import DepartmentFactory, MembershipFactory, TechFactory
from tickets import services
from tickets.models import Priority, Source

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def billing(db):
    return DepartmentFactory(name="Billing", slug="billing")


@pytest.fixture
def billing_manager(billing):
    user = TechFactory(full_name="Bella Billing-Manager")
    MembershipFactory(user=user, department=billing, is_manager=True)
    return user


@pytest.fixture
def billing_tech(billing):
    """Works in billing only: the support manager must learn nothing of them."""
    user = TechFactory(full_name="Bob Billing")
    MembershipFactory(user=user, department=billing)
    return user


@pytest.fixture
def viewer(manager):
    """The support manager, reading times in Kyiv (UTC+2 in November)."""
    manager.time_zone = "Europe/Kyiv"
    manager.save(update_fields=["time_zone"])
    return manager


def signed_in(user, at: datetime, *, last=None, agent=FIREFOX, ip="203.0.113.7"):
    return LoginEvent.objects.create(
        kind=LoginEvent.Kind.SIGN_IN,
        user=user,
        email=user.email,
        at=at,
        last_activity_at=last or at,
        ip_address=ip,
        user_agent=agent,
    )


def ended(sign_in, at: datetime, kind=LoginEvent.Kind.SIGN_OUT):
    return LoginEvent.objects.create(
        kind=kind, user=sign_in.user, email=sign_in.email, at=at, sign_in=sign_in
    )


def pool_ticket(tech, department, subject, priority=Priority.MEDIUM):
    """A phone ticket the tech entered into their own pool."""
    return services.ticket_create_for_customer(
        staff=tech,
        email="caller@example.org",
        name="Carl Caller",
        phone="",
        subject=subject,
        body="Told us on the phone.",
        category=None,
        department=department,
        priority=priority,
        source=Source.PHONE,
        assign_to_me=True,
        send_confirmation=False,
    )
