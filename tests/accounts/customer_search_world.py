"""Customers, departments and people for the customer search tests."""

import itertools

import pytest

from accounts.models import Customer, CustomerEmail
from tests.factories import DepartmentFactory, MembershipFactory, TechFactory
from tickets.models import Message, Status, Ticket

_numbers = itertools.count(700_000)


@pytest.fixture
def billing(db):
    return DepartmentFactory(name="Billing", slug="billing")


@pytest.fixture
def other_tech(department):
    return MembershipFactory(user=TechFactory(full_name="Olga Other"), department=department).user


@pytest.fixture
def billing_tech(billing):
    return MembershipFactory(user=TechFactory(full_name="Bill Billing"), department=billing).user


@pytest.fixture
def make_customer(db):
    def make_customer(name, *emails, phone="", company="", notes=""):
        customer = Customer.objects.create(name=name, phone=phone, company=company, notes=notes)
        for position, email in enumerate(emails):
            CustomerEmail.objects.create(customer=customer, email=email, is_primary=position == 0)
        return customer

    return make_customer


@pytest.fixture
def make_ticket(db):
    statuses = {}

    def make_ticket(customer, department, *, assignee=None, order_number="", status_type="new"):
        if status_type not in statuses:
            statuses[status_type], _ = Status.objects.get_or_create(
                type=status_type, defaults={"name": status_type.title()}
            )
        return Ticket.objects.create(
            number=next(_numbers),
            subject="Printer shows E-042",
            customer=customer,
            department=department,
            assignee=assignee,
            status=statuses[status_type],
            status_type=status_type,
            source="phone",
            order_number=order_number,
        )

    return make_ticket


@pytest.fixture
def write(db):
    """A message on a ticket, of a kind, at a time."""

    def write(ticket, kind, at):
        message = Message.objects.create(ticket=ticket, kind=kind, body="Hello")
        Message.objects.filter(pk=message.pk).update(created_at=at)
        return message

    return write
