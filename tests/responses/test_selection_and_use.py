"""Which canned responses a tech may pick, searching them, and counting their use."""

import pytest
from django.http import Http404

from responses.models import CannedResponse
from responses.selectors import canned_responses_for
from responses.services import canned_response_use
from tests.concurrency import run_in_threads
from tests.factories import DepartmentFactory, MembershipFactory, TechFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def billing():
    return DepartmentFactory(name="Billing", slug="billing")


def titles(responses):
    return [response.title for response in responses]


def test_tech_sees_global_responses_and_those_of_their_departments(
    canned, tech, department, billing
):
    canned(title="Global greeting")
    canned(title="Support reboot", department=department)
    canned(title="Billing refund", department=billing)
    canned(title="Retired", is_active=False)

    assert titles(canned_responses_for(user=tech)) == ["Global greeting", "Support reboot"]


def test_responses_of_an_inactive_department_are_not_offered(canned, tech, department):
    canned(title="Support reboot", department=department)
    department.is_active = False
    department.save()

    assert titles(canned_responses_for(user=tech)) == []


def test_tech_in_two_departments_sees_both(canned, tech, department, billing):
    MembershipFactory(user=tech, department=billing)
    canned(title="Support reboot", department=department)
    canned(title="Billing refund", department=billing)

    assert titles(canned_responses_for(user=tech)) == ["Billing refund", "Support reboot"]


def test_admin_sees_every_active_response(canned, admin_user, department, billing):
    canned(title="Support reboot", department=department)
    canned(title="Billing refund", department=billing)
    canned(title="Global greeting")
    canned(title="Retired", is_active=False)

    assert titles(canned_responses_for(user=admin_user)) == [
        "Billing refund",
        "Global greeting",
        "Support reboot",
    ]


def test_customers_and_inactive_techs_see_none(canned, customer_user, tech):
    canned(title="Global greeting")
    tech.is_active = False
    tech.save()

    assert titles(canned_responses_for(user=customer_user)) == []
    assert titles(canned_responses_for(user=tech)) == []


def test_the_tickets_department_comes_first_then_titles(canned, tech, department, billing):
    MembershipFactory(user=tech, department=billing)
    canned(title="A global", department=None)
    canned(title="B billing", department=billing)
    canned(title="Z support", department=department)
    canned(title="Y support", department=department)

    assert titles(canned_responses_for(user=tech, department=department)) == [
        "Y support",
        "Z support",
        "A global",
    ]


def test_a_ticket_offers_its_departments_and_global_responses_only(
    canned, tech, department, billing
):
    """Issue 14: the tech belongs to Billing too, but a Technical support ticket offers only
    Technical support's responses and the global ones."""
    MembershipFactory(user=tech, department=billing)
    canned(title="Global greeting")
    canned(title="Support reboot", department=department)
    canned(title="Billing refund", department=billing)
    canned(title="Retired support", department=department, is_active=False)

    assert titles(canned_responses_for(user=tech, department=department)) == [
        "Support reboot",
        "Global greeting",
    ]
    assert titles(canned_responses_for(user=tech, department=billing)) == [
        "Billing refund",
        "Global greeting",
    ]


def test_a_ticket_of_a_department_the_tech_is_not_in_still_offers_its_responses(
    canned, department, billing
):
    """A tech who may work the ticket (handed over across departments) gets its department's
    responses; the caller has checked that they may see the ticket."""
    outsider = TechFactory(full_name="Bea Billing")
    MembershipFactory(user=outsider, department=billing)
    canned(title="Support reboot", department=department)
    canned(title="Billing refund", department=billing)

    assert titles(canned_responses_for(user=outsider, department=department)) == ["Support reboot"]


def test_customers_get_no_responses_for_a_ticket(canned, customer_user, department):
    canned(title="Global greeting")
    canned(title="Support reboot", department=department)

    assert titles(canned_responses_for(user=customer_user, department=department)) == []


def test_another_departments_response_cannot_be_used_on_a_ticket(canned, ticket, tech, billing):
    MembershipFactory(user=tech, department=billing)
    response = canned(title="Billing refund", department=billing)

    with pytest.raises(Http404):
        canned_response_use(response_id=response.pk, ticket=ticket, tech=tech)
    response.refresh_from_db()
    assert response.usage_count == 0


def test_search_matches_title_or_text_ignoring_case(canned, tech):
    canned(title="Password reset", body="Use the link.")
    canned(title="Greeting", body="Hello, please RESET your router.")
    canned(title="Goodbye", body="Bye.")

    assert titles(canned_responses_for(user=tech, query="  reset ")) == [
        "Greeting",
        "Password reset",
    ]
    assert titles(canned_responses_for(user=tech, query="nothing like it")) == []


def test_search_does_not_widen_what_a_tech_may_see(canned, tech, billing):
    canned(title="Billing refund", department=billing)

    assert titles(canned_responses_for(user=tech, query="refund")) == []


def test_using_a_response_fills_it_and_counts_the_use(canned, ticket, tech):
    response = canned(body="Hi {{ customer_first_name }}, {{ ticket_tag }} — {{ tech_name }}")

    text = canned_response_use(response_id=response.pk, ticket=ticket, tech=tech)
    canned_response_use(response_id=response.pk, ticket=ticket, tech=tech)

    assert text == f"Hi Vera, [#{ticket.number}] — Tom Tech"
    response.refresh_from_db()
    assert response.usage_count == 2
    assert response.last_used_at is not None


def test_using_another_departments_response_is_not_found(canned, ticket, tech, billing):
    response = canned(title="Billing refund", department=billing)

    with pytest.raises(Http404):
        canned_response_use(response_id=response.pk, ticket=ticket, tech=tech)

    response.refresh_from_db()
    assert response.usage_count == 0


def test_using_an_inactive_or_missing_response_is_not_found(canned, ticket, tech):
    retired = canned(is_active=False)

    with pytest.raises(Http404):
        canned_response_use(response_id=retired.pk, ticket=ticket, tech=tech)
    with pytest.raises(Http404):
        canned_response_use(response_id=retired.pk + 1000, ticket=ticket, tech=tech)


def test_admin_may_use_the_tickets_departments_response_but_not_anothers(
    canned, ticket, admin_user, department, billing
):
    own = canned(body="{{ tech_first_name }} here", department=department)
    other = canned(body="Billing", department=billing)

    text = canned_response_use(response_id=own.pk, ticket=ticket, tech=admin_user)

    assert text == "Ada here"
    with pytest.raises(Http404):
        canned_response_use(response_id=other.pk, ticket=ticket, tech=admin_user)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_uses_are_all_counted(canned, submit, department):
    techs = [TechFactory(full_name=f"Tech {index}") for index in range(4)]
    for tech in techs:
        MembershipFactory(user=tech, department=department)
    ticket = submit()
    response = canned()

    def use(index):
        for _ in range(5):
            canned_response_use(response_id=response.pk, ticket=ticket, tech=techs[index])

    run_in_threads(len(techs), use)  # fails the test if any thread raised

    assert CannedResponse.objects.get(pk=response.pk).usage_count == 20
