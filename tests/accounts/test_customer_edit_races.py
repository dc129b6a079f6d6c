"""Two people changing one customer's record at the same moment, in real threads on their own
connections: the row lock serialises them, so the customer never ends without an address, no
added address is lost, and edits of different fields both stay."""

import pytest
from django.core.exceptions import ValidationError

from accounts import customer_edits
from accounts.models import Customer, CustomerChange, CustomerEmail
from tests.concurrency import run_in_threads
from tests.factories import CustomerEmailFactory, CustomerFactory, TechFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def customer():
    customer = CustomerFactory(name="Vera Visitor")
    CustomerEmailFactory(customer=customer, email="one@example.org", is_primary=True)
    CustomerEmailFactory(customer=customer, email="two@example.org", is_primary=False)
    return customer


def test_two_removals_at_once_leave_one_address(customer):
    tech = TechFactory()
    ids = list(customer.emails.order_by("pk").values_list("pk", flat=True))
    outcomes = []

    def remove(index):
        try:
            customer_edits.customer_email_remove(
                customer=customer, actor=tech, address_id=ids[index]
            )
            outcomes.append("removed")
        except ValidationError:
            outcomes.append("refused")

    run_in_threads(2, remove)

    assert sorted(outcomes) == ["refused", "removed"]
    remaining = CustomerEmail.objects.filter(customer=customer)
    assert remaining.count() == 1 and remaining.get().is_primary


def test_adding_and_removing_at_once_loses_no_address(customer):
    tech = TechFactory()
    first = customer.emails.get(email="one@example.org")

    def work(index):
        if index == 0:
            customer_edits.customer_email_add(
                customer=customer, actor=tech, email="new@example.org"
            )
        else:
            customer_edits.customer_email_remove(customer=customer, actor=tech, address_id=first.pk)

    run_in_threads(2, work)

    assert sorted(customer.emails.values_list("email", flat=True)) == [
        "new@example.org",
        "two@example.org",
    ]
    assert customer.emails.filter(is_primary=True).count() == 1


def test_edits_of_different_fields_at_once_both_stay(customer):
    tech = TechFactory()
    changes = [{"phone": "+1 555 0100"}, {"company": "Northwind"}]

    run_in_threads(
        2,
        lambda index: customer_edits.customer_update(
            customer=customer, actor=tech, changes=changes[index]
        ),
    )

    customer = Customer.objects.get(pk=customer.pk)
    assert (customer.phone, customer.company) == ("+1 555 0100", "Northwind")
    assert CustomerChange.objects.filter(customer=customer).count() == 2
