"""Merging two customers: everything keyed to the removed one moves to the one kept, nothing is
left pointing at a deleted row, the merge is recorded, and it is refused across two sign-in
accounts. Who may merge: staff who may open both customers' pages (admins: any two)."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import customer_edits
from accounts.models import Customer, CustomerChange, CustomerEmail
from tests.factories import DepartmentFactory, UserFactory
from tests.tickets.conftest import category, public_form, submit  # noqa: F401 (fixtures)
from tickets import calls, services
from tickets.calls import CallDetails
from tickets.models import Message, PhoneCall, Ticket

pytestmark = pytest.mark.django_db


def merge_url(customer):
    return reverse("tickets:desk_customer_merge", args=[customer.pk])


@pytest.fixture
def pair(submit, tech):  # noqa: F811
    """Vera (kept) and her duplicate Veronika (removed), each with a ticket, history and more."""
    vera_ticket = submit()
    dup_ticket = submit(email="v.visitor@example.org", name="Veronika V.", subject="Dup case")
    vera, dup = vera_ticket.customer, dup_ticket.customer
    customer_edits.customer_email_add(customer=dup, actor=tech, email="vv2@example.org")
    customer_edits.customer_update(
        customer=dup,
        actor=tech,
        changes={"phone": "+1 555 0123", "company": "Northwind", "notes": "Dup notes"},
    )
    services.ticket_reply_from_customer(ticket=dup_ticket, body="Any news?")
    calls.call_log(
        ticket=dup_ticket,
        tech=tech,
        details=CallDetails(direction="outgoing", reached=True, duration_minutes=3, agreed="OK"),
    )
    return vera, dup


def test_everything_moves_to_the_kept_customer_and_the_other_is_gone(pair, tech):
    vera, dup = pair
    dup_history = set(CustomerChange.objects.filter(customer=dup).values_list("pk", flat=True))

    customer_edits.customer_merge(kept=vera, removed=dup, actor=tech)

    assert not Customer.objects.filter(pk=dup.pk).exists()
    assert sorted(vera.emails.values_list("email", flat=True)) == [
        "v.visitor@example.org",
        "vera@example.org",
        "vv2@example.org",
    ]
    assert vera.emails.filter(is_primary=True).get().email == "vera@example.org"
    assert Ticket.objects.filter(customer=vera).count() == 2
    assert PhoneCall.objects.filter(message__ticket__customer=vera).count() == 1
    assert dup_history <= set(vera.changes.values_list("pk", flat=True))
    vera.refresh_from_db()
    assert (vera.phone, vera.company, vera.notes) == ("+1 555 0123", "Northwind", "Dup notes")
    merged = vera.changes.get(field="merged")
    assert "Veronika V." in merged.new_value and "v.visitor@example.org" in merged.new_value
    assert merged.actor == tech


def test_nothing_points_at_the_removed_customer(pair, tech):
    vera, dup = pair
    # Every relation to Customer in every installed app, so a new one cannot be forgotten.
    relations = [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model is Customer
    ]
    assert (Ticket, "customer") in relations and (Message, "author_customer") in relations
    assert Message.objects.filter(author_customer=dup).exists()

    customer_edits.customer_merge(kept=vera, removed=dup, actor=tech)

    for model, name in relations:
        assert not model._base_manager.filter(**{f"{name}_id": dup.pk}).exists(), (model, name)
    assert Message.objects.filter(author_customer=vera, body="Any news?").exists()


def test_the_kept_customers_own_values_win(pair, tech):
    vera, dup = pair
    customer_edits.customer_update(
        customer=vera, actor=tech, changes={"phone": "+1 555 0999", "notes": "Vera's notes"}
    )

    customer_edits.customer_merge(kept=vera, removed=dup, actor=tech)

    vera.refresh_from_db()
    assert vera.phone == "+1 555 0999"
    assert vera.notes == "Vera's notes\n\nDup notes"


def test_merging_across_two_sign_in_accounts_is_refused_and_nothing_moves(pair, tech):
    vera, dup = pair
    Customer.objects.filter(pk=vera.pk).update(user=UserFactory(email="vera@example.org"))
    Customer.objects.filter(pk=dup.pk).update(user=UserFactory(email="v.visitor@example.org"))

    with pytest.raises(ValidationError, match="Both customers have a sign-in account"):
        customer_edits.customer_merge(kept=vera, removed=dup, actor=tech)

    assert Customer.objects.filter(pk=dup.pk).exists()
    assert Ticket.objects.filter(customer=dup).count() == 1
    assert not CustomerChange.objects.filter(field="merged").exists()


def test_the_removed_customers_account_moves_to_the_kept_one(pair, tech):
    vera, dup = pair
    account = UserFactory(email="v.visitor@example.org")
    Customer.objects.filter(pk=dup.pk).update(user=account)

    customer_edits.customer_merge(kept=vera, removed=dup, actor=tech)

    vera.refresh_from_db()
    assert vera.user == account
    assert vera.changes.filter(field="account", new_value="v.visitor@example.org").exists()


def test_a_customer_cannot_be_merged_into_itself(pair, tech):
    vera, _dup = pair

    with pytest.raises(ValidationError, match="cannot be merged into itself"):
        customer_edits.customer_merge(kept=vera, removed=vera, actor=tech)


# Views


def test_the_confirmation_shows_what_moves_and_the_post_merges(client, tech, pair):
    vera, dup = pair
    client.force_login(tech)
    assert client.get(merge_url(vera)).status_code == 200

    confirm = client.get(merge_url(vera), {"other": "V.Visitor@example.org"})

    html = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Merge Veronika V. into Vera Visitor?" in html
    assert "v.visitor@example.org, vv2@example.org" in html
    assert "1 ticket" in html and "with 1 logged phone call" in html
    assert Customer.objects.filter(pk=dup.pk).exists()  # nothing happens before the POST

    done = client.post(merge_url(vera), {"other": str(dup.pk)}, follow=True)

    assert "Veronika V. was merged into Vera Visitor." in done.content.decode()
    assert not Customer.objects.filter(pk=dup.pk).exists()
    assert 'data-testid="history-row"' in done.content.decode()


def test_the_pick_form_finds_by_number(client, tech, pair):
    vera, dup = pair
    client.force_login(tech)

    response = client.get(merge_url(vera), {"other": f"#{dup.pk}"})

    assert "Merge Veronika V. into Vera Visitor?" in response.content.decode()


def test_an_unknown_other_customer_is_a_message(client, tech, pair):
    vera, _dup = pair
    client.force_login(tech)

    response = client.get(merge_url(vera), {"other": "nobody@example.org"})

    assert response.status_code == 400
    assert "No customer you may open has that number or address." in response.content.decode()


def test_the_refusal_across_two_accounts_is_shown_on_the_page(client, tech, pair):
    vera, dup = pair
    Customer.objects.filter(pk=vera.pk).update(user=UserFactory(email="vera@example.org"))
    Customer.objects.filter(pk=dup.pk).update(user=UserFactory(email="v.visitor@example.org"))
    client.force_login(tech)

    response = client.post(merge_url(vera), {"other": str(dup.pk)})

    assert response.status_code == 400
    assert "Both customers have a sign-in account" in response.content.decode()
    assert Customer.objects.filter(pk=dup.pk).exists()


def test_a_customer_the_tech_may_not_open_cannot_be_merged_away(client, tech, pair):
    vera, dup = pair
    Ticket.objects.filter(customer=dup).update(
        department=DepartmentFactory(name="Billing"), assignee=None
    )
    client.force_login(tech)

    response = client.post(merge_url(vera), {"other": str(dup.pk)})

    assert response.status_code == 400
    assert "No customer you may open" in response.content.decode()
    assert Customer.objects.filter(pk=dup.pk).exists()


def test_a_tech_who_may_open_neither_gets_404(client, pair):
    vera, dup = pair
    outsider = UserFactory(kind="staff")
    client.force_login(outsider)

    assert client.get(merge_url(vera)).status_code == 404
    assert client.post(merge_url(vera), {"other": str(dup.pk)}).status_code == 404
    assert Customer.objects.filter(pk=dup.pk).exists()
    assert CustomerEmail.objects.filter(customer=dup).count() == 2
