"""The escalation tests' desk: a department with a 2-hour first response limit and an 8-hour
resolution limit around the clock, its manager, two techs and one tech of another department,
and cases entered through the service a tech uses on the phone. Time moves through the
sweep's `now`."""

from datetime import timedelta

import pytest

from tests.factories import DepartmentFactory, MembershipFactory, TechFactory
from tickets import services
from tickets.mail import outbox
from tickets.models import Message, OutboundEmail, Priority, Source

RESPONSE = timedelta(hours=2)
RESOLUTION = timedelta(hours=8)
MINUTE = timedelta(minutes=1)


@pytest.fixture
def desk(db):
    return DepartmentFactory(
        name="Field service",
        slug="field-service",
        response_time_limit=RESPONSE,
        resolution_time_limit=RESOLUTION,
    )


@pytest.fixture
def boss(desk):
    user = TechFactory(full_name="Maria Manager", email="maria@example.com")
    MembershipFactory(user=user, department=desk, is_manager=True)
    return user


@pytest.fixture
def owner(desk):
    user = TechFactory(full_name="Tom Tech", email="tom@example.com")
    MembershipFactory(user=user, department=desk)
    return user


@pytest.fixture
def colleague(desk):
    user = TechFactory(full_name="Cleo Colleague", email="cleo@example.com")
    MembershipFactory(user=user, department=desk)
    return user


@pytest.fixture
def outsider(db):
    """A tech of another department: never told of this desk's cases."""
    user = TechFactory(full_name="Otto Outsider", email="otto@example.com")
    MembershipFactory(user=user, department=DepartmentFactory(name="Elsewhere"))
    return user


@pytest.fixture
def staff(boss, owner, colleague, outsider):
    return {"boss": boss, "owner": owner, "colleague": colleague, "outsider": outsider}


@pytest.fixture
def case(desk, owner, staff):
    """Enter a case by phone: owned by Tom, or (owned=False) in the department's general
    pool."""

    def case(*, owned: bool = True, subject: str = "Boiler makes a noise"):
        return services.ticket_create_for_customer(
            staff=owner,
            email="carla@example.org",
            name="Carla Customer",
            phone="",
            subject=subject,
            body="It started this morning.",
            category=None,
            department=desk,
            priority=Priority.HIGH,
            source=Source.PHONE,
            assign_to_me=owned,
            send_confirmation=False,
        )

    return case


def sla_mails(kind: str = outbox.ESCALATION):
    return OutboundEmail.objects.filter(kind=kind).order_by("pk")


def recipients_of(kind: str = outbox.ESCALATION) -> list[str]:
    return sorted(sla_mails(kind).values_list("to", flat=True))


def sla_events(ticket, event: str = "sla_escalated") -> list[Message]:
    return list(
        Message.objects.filter(
            ticket=ticket, kind=Message.Kind.EVENT, event_data__event=event
        ).order_by("pk")
    )
