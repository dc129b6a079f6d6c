"""Staff editing a customer on the desk: each field, the addresses (a conflict with another
customer, the last address), the history each change leaves, who may edit, and bad input."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import customer_edits
from accounts.models import Customer, CustomerChange, CustomerEmail
from tests.factories import (
    CustomerEmailFactory,
    CustomerFactory,
    DepartmentFactory,
    MembershipFactory,
    TechFactory,
)
from tests.tickets.conftest import category, public_form, submit  # noqa: F401 (fixtures)
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def page(customer):
    return reverse("tickets:desk_customer", args=[customer.pk])


def edit_url(customer):
    return reverse("tickets:desk_customer_edit", args=[customer.pk])


def add_url(customer):
    return reverse("tickets:desk_customer_email_add", args=[customer.pk])


def remove_url(customer):
    return reverse("tickets:desk_customer_email_remove", args=[customer.pk])


def primary_url(customer):
    return reverse("tickets:desk_customer_email_primary", args=[customer.pk])


@pytest.fixture
def vera(submit):  # noqa: F811
    """A customer with one ticket in the general pool of the tech's department."""
    return submit().customer


def profile_post(customer, **changes):
    """The edit form as the editor saw it (the hidden initial values) with their changes."""
    seen = {
        "name": customer.name,
        "phone": customer.phone,
        "company": customer.company,
        "account_manager": customer.account_manager_id or "",
        "notes": customer.notes,
    }
    data = {**seen, **changes}
    data.update({f"initial-{key}": value for key, value in seen.items()})
    return data


# Services


def test_each_profile_field_is_written_with_a_history_line(vera, tech, manager):
    written = customer_edits.customer_update(
        customer=vera,
        actor=tech,
        changes={
            "name": "  Vera V. Visitor ",
            "phone": "+1 555 0199",
            "company": "Northwind",
            "account_manager": manager,
            "notes": "Prefers calls in the morning.",
        },
    )

    vera.refresh_from_db()
    assert written == ["name", "phone", "company", "account_manager", "notes"]
    assert (vera.name, vera.phone, vera.company) == ("Vera V. Visitor", "+1 555 0199", "Northwind")
    assert vera.account_manager == manager
    assert vera.notes == "Prefers calls in the morning."
    lines = {c.field: c for c in CustomerChange.objects.filter(customer=vera)}
    assert set(lines) == set(written)
    assert lines["name"].old_value == "Vera Visitor"
    assert lines["name"].new_value == "Vera V. Visitor"
    assert lines["account_manager"].new_value == "Maria Manager"
    assert lines["phone"].actor == tech and lines["phone"].actor_name == "Tom Tech"


def test_an_unchanged_value_leaves_no_history_line(vera, tech):
    written = customer_edits.customer_update(
        customer=vera, actor=tech, changes={"name": "Vera Visitor"}
    )

    assert written == []
    assert not CustomerChange.objects.exists()


def test_two_editors_of_different_fields_both_keep_their_change(vera, tech, manager):
    stale = Customer.objects.get(pk=vera.pk)  # the second editor loaded the page before

    customer_edits.customer_update(customer=vera, actor=tech, changes={"phone": "+1 555 0100"})
    customer_edits.customer_update(customer=stale, actor=manager, changes={"company": "Contoso"})

    vera.refresh_from_db()
    assert (vera.phone, vera.company) == ("+1 555 0100", "Contoso")


def test_an_empty_name_and_a_non_staff_account_manager_are_refused(vera, tech, customer_user):
    with pytest.raises(ValidationError) as refused:
        customer_edits.customer_update(
            customer=vera, actor=tech, changes={"name": "  ", "account_manager": customer_user}
        )

    assert set(refused.value.message_dict) == {"name", "account_manager"}
    vera.refresh_from_db()
    assert vera.name == "Vera Visitor" and vera.account_manager is None
    assert not CustomerChange.objects.exists()


def test_an_address_is_added_lower_cased_with_a_history_line(vera, tech):
    address = customer_edits.customer_email_add(
        customer=vera, actor=tech, email="Vera.Work@Example.ORG"
    )

    assert address.email == "vera.work@example.org" and not address.is_primary
    change = CustomerChange.objects.get(customer=vera)
    assert (change.field, change.new_value) == ("email_added", "vera.work@example.org")


def test_an_address_of_another_customer_is_refused_naming_that_customer(vera, tech):
    other = CustomerEmailFactory(email="olga@example.org").customer

    with pytest.raises(customer_edits.AddressTaken) as refused:
        customer_edits.customer_email_add(customer=vera, actor=tech, email="OLGA@example.org")

    assert refused.value.owner == other
    assert "belongs to another customer" in refused.value.messages[0]
    assert list(vera.emails.values_list("email", flat=True)) == ["vera@example.org"]
    assert not CustomerChange.objects.exists()


def test_an_address_the_customer_already_has_is_refused(vera, tech):
    with pytest.raises(ValidationError, match="already one of this customer's"):
        customer_edits.customer_email_add(customer=vera, actor=tech, email="VERA@example.org")


def test_the_last_address_cannot_be_removed(vera, tech):
    only = vera.emails.get()

    with pytest.raises(ValidationError, match="only address"):
        customer_edits.customer_email_remove(customer=vera, actor=tech, address_id=only.pk)

    assert vera.emails.count() == 1


def test_removing_the_primary_address_makes_the_next_one_primary(vera, tech):
    second = customer_edits.customer_email_add(customer=vera, actor=tech, email="v2@example.org")
    primary = vera.emails.get(is_primary=True)

    customer_edits.customer_email_remove(customer=vera, actor=tech, address_id=primary.pk)

    second.refresh_from_db()
    assert second.is_primary
    fields = list(CustomerChange.objects.filter(customer=vera).values_list("field", flat=True))
    assert sorted(fields) == ["email_added", "email_removed", "primary_email"]


def test_an_address_of_another_customer_cannot_be_removed_or_made_primary(vera, tech):
    foreign = CustomerEmailFactory(email="olga@example.org")
    customer_edits.customer_email_add(customer=vera, actor=tech, email="v2@example.org")

    for service in (
        customer_edits.customer_email_remove,
        customer_edits.customer_email_make_primary,
    ):
        with pytest.raises(ValidationError):
            service(customer=vera, actor=tech, address_id=foreign.pk)

    assert CustomerEmail.objects.filter(pk=foreign.pk, is_primary=True).exists()


def test_make_primary_moves_the_mark(vera, tech):
    second = customer_edits.customer_email_add(customer=vera, actor=tech, email="v2@example.org")

    customer_edits.customer_email_make_primary(customer=vera, actor=tech, address_id=second.pk)

    assert vera.emails.get(is_primary=True) == second
    change = CustomerChange.objects.get(customer=vera, field="primary_email")
    assert (change.old_value, change.new_value) == ("vera@example.org", "v2@example.org")


# Views


def test_the_edit_page_saves_only_the_fields_the_editor_changed(client, tech, vera):
    client.force_login(tech)
    seen = Customer.objects.get(pk=vera.pk)
    Customer.objects.filter(pk=vera.pk).update(company="Set meanwhile")

    response = client.post(edit_url(vera), profile_post(seen, phone="+1 555 0101"))

    assert response.status_code == 302 and response["Location"] == page(vera)
    vera.refresh_from_db()
    assert (vera.phone, vera.company) == ("+1 555 0101", "Set meanwhile")
    page_html = client.get(page(vera)).content.decode()
    assert "Customer details saved." in page_html
    assert "+1 555 0101" in page_html and 'data-testid="history-row"' in page_html


def test_the_edit_page_sets_the_account_manager_and_notes(client, tech, manager, vera):
    client.force_login(tech)
    form = client.get(edit_url(vera))
    assert form.status_code == 200
    assert 'name="initial-name" value="Vera Visitor"' in form.content.decode()

    client.post(
        edit_url(vera), profile_post(vera, account_manager=manager.pk, notes="Line 1\nLine 2")
    )

    vera.refresh_from_db()
    assert vera.account_manager == manager and vera.notes == "Line 1\nLine 2"


def test_bad_input_on_the_edit_page_is_shown_and_nothing_changes(client, tech, customer_user, vera):
    client.force_login(tech)

    response = client.post(
        edit_url(vera), profile_post(vera, name="", account_manager=customer_user.pk)
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Please correct the marked fields." in html
    assert 'aria-invalid="true"' in html
    vera.refresh_from_db()
    assert vera.name == "Vera Visitor" and vera.account_manager is None
    assert not CustomerChange.objects.exists()


def test_adding_another_customers_address_names_and_links_them(client, tech, vera, submit):  # noqa: F811
    olga = submit(email="olga@example.org", name="Olga Other", subject="Hers").customer
    client.force_login(tech)

    response = client.post(add_url(vera), {"email": "Olga@Example.org"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "olga@example.org belongs to another customer" in html
    assert f'href="{page(olga)}">Olga Other</a>' in html
    assert "Nothing was changed." in html
    assert not CustomerEmail.objects.filter(customer=vera, email="olga@example.org").exists()


def test_the_conflict_does_not_name_a_customer_the_tech_may_not_open(client, tech, vera):
    hidden = CustomerEmailFactory(email="hidden@example.org", customer__name="Hidden Person")
    client.force_login(tech)

    html = client.post(add_url(vera), {"email": "hidden@example.org"}).content.decode()

    assert "hidden@example.org belongs to another customer" in html
    assert "Hidden Person" not in html and page(hidden.customer) not in html


def test_a_bad_address_is_refused_with_a_message(client, tech, vera):
    client.force_login(tech)

    response = client.post(add_url(vera), {"email": "not an address"})

    assert response.status_code == 400
    assert "That is not an email address." in response.content.decode()
    assert vera.emails.count() == 1


def test_add_make_primary_and_remove_through_the_page(client, tech, vera):
    client.force_login(tech)

    assert client.post(add_url(vera), {"email": "v2@example.org"}).status_code == 302
    second = vera.emails.get(email="v2@example.org")
    client.post(primary_url(vera), {"address": second.pk})
    first = vera.emails.get(email="vera@example.org")
    response = client.post(remove_url(vera), {"address": first.pk}, follow=True)

    assert "vera@example.org removed." in response.content.decode()
    assert list(vera.emails.values_list("email", "is_primary")) == [("v2@example.org", True)]


def test_removing_the_last_address_through_the_page_says_why(client, tech, vera):
    client.force_login(tech)

    response = client.post(remove_url(vera), {"address": vera.emails.get().pk}, follow=True)

    assert "the customer&#x27;s only address" in response.content.decode()
    assert vera.emails.count() == 1


def test_a_missing_address_choice_is_a_message_not_an_error(client, tech, vera):
    client.force_login(tech)

    response = client.post(remove_url(vera), {"address": "x"}, follow=True)

    assert response.status_code == 200
    assert "no longer one of this customer" in response.content.decode()


@pytest.mark.parametrize(
    "route", ["desk_customer_edit", "desk_customer_email_add", "desk_customer_email_remove"]
)
def test_a_tech_who_may_see_none_of_the_tickets_gets_404_and_nothing_changes(client, vera, route):
    outsider = MembershipFactory(department=DepartmentFactory(name="Billing")).user
    client.force_login(outsider)
    url = reverse(f"tickets:{route}", args=[vera.pk])

    assert client.get(page(vera)).status_code == 404
    response = client.post(
        url, {**profile_post(vera, name="Hacked"), "email": "x@example.org", "address": "1"}
    )

    assert response.status_code == 404
    vera.refresh_from_db()
    assert vera.name == "Vera Visitor" and vera.emails.count() == 1


def test_a_tech_of_another_pool_cannot_edit(client, tech, vera):
    Ticket.objects.filter(customer=vera).update(assignee=TechFactory())
    client.force_login(tech)

    assert client.post(edit_url(vera), profile_post(vera, name="X")).status_code == 404


def test_admins_edit_any_customer(client, admin_user):
    customer = CustomerFactory(name="No Tickets")
    CustomerEmailFactory(customer=customer, email="nt@example.org")
    client.force_login(admin_user)

    client.post(edit_url(customer), profile_post(customer, company="Acme"))

    customer.refresh_from_db()
    assert customer.company == "Acme"


def test_a_deactivated_account_manager_does_not_block_other_edits(client, tech, manager, vera):
    Customer.objects.filter(pk=vera.pk).update(account_manager=manager)
    manager.is_active = False
    manager.save()
    vera.refresh_from_db()
    client.force_login(tech)

    response = client.post(edit_url(vera), profile_post(vera, company="Contoso"))

    assert response.status_code == 302
    vera.refresh_from_db()
    assert vera.company == "Contoso" and vera.account_manager == manager


# The same forms with htmx: each region comes back in place.

HTMX = {"HX-Request": "true"}


def test_the_edit_page_posts_its_forms_with_htmx_and_without(client, tech, vera):
    client.force_login(tech)

    html = client.get(edit_url(vera)).content.decode()

    assert f'action="{edit_url(vera)}"' in html and f'hx-post="{edit_url(vera)}"' in html
    assert f'action="{add_url(vera)}"' in html and f'hx-post="{add_url(vera)}"' in html
    assert 'id="customer-details"' in html and 'id="addresses"' in html


def test_a_profile_saved_with_htmx_goes_on_to_the_customers_page(client, tech, vera):
    client.force_login(tech)

    response = client.post(edit_url(vera), profile_post(vera, phone="+1 555 0102"), headers=HTMX)

    assert response.status_code == 200 and response["HX-Redirect"] == page(vera)
    vera.refresh_from_db()
    assert vera.phone == "+1 555 0102"
    assert "Customer details saved." in client.get(page(vera)).content.decode()


def test_bad_profile_input_with_htmx_comes_back_in_place_and_nothing_changes(
    client, tech, customer_user, vera
):
    client.force_login(tech)

    response = client.post(
        edit_url(vera), profile_post(vera, name="", account_manager=customer_user.pk), headers=HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps only a 2xx answer
    assert html.lstrip().startswith("<section") and "<html" not in html
    assert 'id="customer-details"' in html and 'id="addresses"' not in html
    assert "Please correct the marked fields." in html and 'aria-invalid="true"' in html
    vera.refresh_from_db()
    assert vera.name == "Vera Visitor" and vera.account_manager is None
    assert not CustomerChange.objects.exists()


def test_addresses_added_made_primary_and_removed_with_htmx_answer_with_the_block(
    client, tech, vera
):
    client.force_login(tech)

    added = client.post(add_url(vera), {"email": "V3@example.org"}, headers=HTMX)
    html = added.content.decode()
    assert added.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith("<section") and 'id="addresses"' in html
    assert "v3@example.org added." in html and 'id="customer-details"' not in html
    assert html.count('data-testid="customer-address"') == 2  # the list as it is now
    third = vera.emails.get(email="v3@example.org")

    made = client.post(primary_url(vera), {"address": third.pk}, headers=HTMX).content.decode()
    assert "v3@example.org is now the primary address." in made
    assert made.index("v3@example.org") < made.index("bi-star-fill") < made.index("vera@example")
    first = vera.emails.get(email="vera@example.org")
    removed = client.post(remove_url(vera), {"address": first.pk}, headers=HTMX).content.decode()
    assert "vera@example.org removed." in removed
    assert removed.count('data-testid="customer-address"') == 1
    assert list(vera.emails.values_list("email", "is_primary")) == [("v3@example.org", True)]
    # The notice was shown in the block; it does not come back on the next page.
    assert "removed." not in client.get(edit_url(vera)).content.decode()


def test_another_customers_address_with_htmx_is_refused_in_place_and_nothing_changes(
    client,
    tech,
    vera,
    submit,  # noqa: F811
):
    olga = submit(email="olga@example.org", name="Olga Other", subject="Hers").customer
    client.force_login(tech)

    html = client.post(add_url(vera), {"email": "olga@example.org"}, headers=HTMX).content.decode()

    assert 'data-testid="address-conflict"' in html
    assert f'href="{page(olga)}">Olga Other</a>' in html and "Nothing was changed." in html
    assert list(vera.emails.values_list("email", flat=True)) == ["vera@example.org"]
    assert list(olga.emails.values_list("email", flat=True)) == ["olga@example.org"]
    assert not CustomerChange.objects.exists()


@pytest.mark.parametrize("url", [remove_url, primary_url])
@pytest.mark.parametrize("htmx", [True, False])
def test_another_customers_address_cannot_be_removed_or_made_primary_through_the_page(
    client,
    tech,
    vera,
    submit,  # noqa: F811
    url,
    htmx,
):
    olga = submit(email="olga@example.org", name="Olga Other", subject="Hers").customer
    CustomerEmailFactory(customer=olga, email="olga2@example.org", is_primary=False)
    theirs = olga.emails.get(email="olga2@example.org")
    CustomerEmailFactory(customer=vera, email="v2@example.org", is_primary=False)
    client.force_login(tech)

    if htmx:
        response = client.post(url(vera), {"address": theirs.pk}, headers=HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-testid="address-error"' in html and "<html" not in html
    else:
        response = client.post(url(vera), {"address": theirs.pk}, follow=True)
        html = response.content.decode()
    assert "That address is no longer one of this customer&#x27;s." in html
    assert "olga2@example.org" not in html
    assert set(olga.emails.values_list("email", "is_primary")) == {
        ("olga@example.org", True),
        ("olga2@example.org", False),
    }
    assert vera.emails.count() == 2
    assert not CustomerChange.objects.exists()


def test_the_edit_page_and_its_address_block_take_the_same_queries_however_many_addresses(
    client, tech, vera, django_assert_num_queries
):
    client.force_login(tech)
    client.get(edit_url(vera))
    with CaptureQueriesContext(connection) as few_page:
        client.get(edit_url(vera))
    with CaptureQueriesContext(connection) as few_block:
        client.post(remove_url(vera), {"address": "x"}, headers=HTMX)
    for number in range(6):
        CustomerEmailFactory(customer=vera, email=f"more{number}@example.org", is_primary=False)
    with django_assert_num_queries(len(few_page.captured_queries)):
        client.get(edit_url(vera))
    with django_assert_num_queries(len(few_block.captured_queries)):
        client.post(remove_url(vera), {"address": "x"}, headers=HTMX)
