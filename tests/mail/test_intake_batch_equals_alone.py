"""A batch of mail ends as taking its mails in one at a time, in order, would: here, how a new
customer is named when several mails of the batch come from their address."""

import pytest

from accounts.models import Customer, CustomerEmail
from tests.mail.mails import mail

pytestmark = pytest.mark.django_db

SEQUENCES = [
    pytest.param(["Nina New", "N. New", ""], id="named-then-renamed-then-unnamed"),
    pytest.param(["", "Nina New"], id="unnamed-first"),
    pytest.param(["Nina New", "Nina Newer"], id="two-names"),
    pytest.param(["Нина Новикова", "Nina Novikova"], id="cyrillic-first"),
]


def from_(name: str, address: str) -> str:
    return f"{name} <{address}>" if name else address


@pytest.mark.parametrize("names", SEQUENCES)
def test_a_batch_names_a_new_customer_as_its_first_mail_would_alone(names, receive, receive_many):
    alone = [
        receive(mail(sender=from_(name, "alone@example.net"), subject=f"Alone {n}"))
        for n, name in enumerate(names)
    ]
    # The same mails from another new address (its case varying, as mail programs write it),
    # as one batch through the intake a poll uses.
    addresses = ["batch@example.net", "Batch@Example.NET"]
    together = receive_many(
        *(
            mail(sender=from_(name, addresses[n % 2]), subject=f"Together {n}")
            for n, name in enumerate(names)
        )
    )

    alone_customer = CustomerEmail.objects.get(email="alone@example.net").customer
    batch_customer = CustomerEmail.objects.get(email="batch@example.net").customer
    assert alone_customer.name == (names[0] or "alone@example.net")
    assert batch_customer.name == (names[0] or "batch@example.net")
    assert [r.inbound.ticket.customer for r in together] == [batch_customer] * len(names)
    assert [r.inbound.status for r in together] == [r.inbound.status for r in alone]
    assert Customer.objects.count() == 2


def test_a_batch_of_mails_from_several_new_customers_names_each_by_their_first(receive_many):
    receive_many(
        mail(sender="Ann Able <ann@example.net>", subject="1"),
        mail(sender="Bob Baker <bob@example.net>", subject="2"),
        mail(sender="Annie <ANN@example.net>", subject="3"),
        mail(sender="bob@example.net", subject="4"),
    )

    names = dict(CustomerEmail.objects.values_list("email", "customer__name"))
    assert names == {"ann@example.net": "Ann Able", "bob@example.net": "Bob Baker"}
