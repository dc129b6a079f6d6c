"""Input from outside never causes a 500: each case here once did. A NUL byte in a URL is refused
with a 400 before any view runs (PostgreSQL cannot hold one); the views guard themselves too,
tested with that middleware taken out; desk filters that are not valid are ignored; a bad
consultation form says what is wrong and writes nothing."""

import base64
import json

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from accounts.models import LoginEvent
from tests.factories import DepartmentFactory, MembershipFactory, TechFactory

# The ticket fixtures: tickets are opened through the real intake service.
from tests.tickets.conftest import category, public_form, submit  # noqa: F401
from tickets import workflow
from tickets.models import Consultation, Message, StatusType

pytestmark = pytest.mark.django_db

DESK = reverse("tickets:desk")
NUL_GUARD = "helpdesk.middleware.RejectNullBytesMiddleware"
BAD_IDS = ["²", "٣", "9" * 5000, "99999999999999999999", "-1", "1e3", " 1", "1\x00", "abc", ""]


@pytest.fixture
def lenient_client():
    """Hands back whatever page the server answered, a 500 included, instead of raising."""
    return Client(raise_request_exception=False)


@pytest.fixture(params=["with-guard", "without-guard"])
def nul_guard(request, settings):
    """Each view must hold on its own as well as behind the NUL-byte middleware."""
    if request.param == "without-guard":
        settings.MIDDLEWARE = [m for m in django_settings.MIDDLEWARE if m != NUL_GUARD]
    return request.param == "with-guard"


@pytest.fixture
def ticket(submit, tech):  # noqa: F811 (pytest injects the imported fixture)
    return workflow.ticket_claim_on_open(ticket=submit(subject="Printer"), tech=tech).ticket


# --- NUL bytes in URLs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/support/%00/",
        "/desk/?queue=%00",
        "/desk/?%00=1",
        "/accounts/login/?next=/desk/%00",
        "/healthz%00",
    ],
)
def test_a_nul_byte_in_the_url_answers_400(lenient_client, url):
    response = lenient_client.get(url)

    assert response.status_code == 400
    assert "We could not understand that request" in response.content.decode()


def test_a_nul_byte_in_a_secret_link_is_not_found_or_refused(lenient_client, ticket, nul_guard):
    token = ticket.access_token[:-1] + "%00"
    for url in (
        reverse("tickets:ticket_by_token", args=["x"]).replace("x", token),
        f"/support/t/{token}/files/1/",
    ):
        response = lenient_client.get(url)

        assert response.status_code == (400 if nul_guard else 404)


def test_the_secret_link_still_opens_its_ticket(client, ticket):
    response = client.get(reverse("tickets:ticket_by_token", args=[ticket.access_token]))

    assert response.status_code == 200
    assert "Printer" in response.content.decode()


def test_a_nul_byte_in_the_canned_response_search_answers_400(
    lenient_client, tech, ticket, nul_guard
):
    lenient_client.force_login(tech)
    url = reverse("responses:picker", args=[ticket.number])

    response = lenient_client.get(url + "?q=%00")

    assert response.status_code == 400
    assert lenient_client.get(url + "?q=printer").status_code == 200


def test_a_nul_byte_in_the_browser_name_is_dropped_from_the_sign_in_history(client, tech):
    client.post(
        reverse("accounts:sign_in"),
        {"username": tech.email, "password": "wrong"},
        HTTP_USER_AGENT="Evil\x00Browser",
    )

    assert LoginEvent.objects.get().user_agent == "EvilBrowser"


# --- Desk filters -----------------------------------------------------------------------------


@pytest.fixture
def team(manager, tech, submit):  # noqa: F811
    """Two tickets in the manager's team queue: one in Tom's pool, one in the general pool."""
    toms = workflow.ticket_claim_on_open(ticket=submit(subject="Tom's"), tech=tech).ticket
    general = submit(subject="General")
    return {toms.pk, general.pk}


def shown(response) -> set[int]:
    return {ticket.pk for ticket in response.context["page"].tickets}


@pytest.mark.parametrize("name", ["owner", "department", "category", "form"])
def test_a_desk_filter_that_is_not_a_valid_id_is_ignored(
    lenient_client, settings, manager, team, name
):
    settings.MIDDLEWARE = [m for m in django_settings.MIDDLEWARE if m != NUL_GUARD]
    lenient_client.force_login(manager)

    for bad in BAD_IDS:
        response = lenient_client.get(DESK, {"queue": "team", name: bad})

        assert response.status_code == 200, bad
        assert shown(response) == team, bad


def test_an_owner_id_that_is_valid_still_filters(client, manager, tech, team):
    client.force_login(manager)

    response = client.get(DESK, {"queue": "team", "owner": str(tech.pk)})

    assert [t.subject for t in response.context["page"].tickets] == ["Tom's"]


def test_a_bad_filter_does_not_undo_the_good_ones(client, tech, submit, department):  # noqa: F811
    billing = DepartmentFactory(name="Billing")
    MembershipFactory(user=tech, department=billing)
    submit(subject="Technical")
    client.force_login(tech)

    response = client.get(DESK, {"queue": "general", "department": billing.pk, "form": "²"})

    assert response.status_code == 200
    assert shown(response) == set()


def encoded(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        base64.urlsafe_b64encode(b"[" * 5000).decode(),
        encoded([1, "2024-01-01T00:00:00+00:00", 10**30]),
        encoded([10**30, "2024-01-01T00:00:00+00:00", 1]),
        encoded([1, "not a date", 1]),
        encoded({"a": 1}),
        "%%%",
        "²",
    ],
    ids=["deep-json", "huge-id", "huge-priority", "bad-date", "object", "not-base64", "unicode"],
)
@pytest.mark.parametrize("queue", ["general", "team"])
def test_a_cursor_that_is_not_one_means_the_first_page(
    lenient_client, manager, team, queue, cursor
):
    lenient_client.force_login(manager)

    response = lenient_client.get(DESK, {"queue": queue, "cursor": cursor})

    assert response.status_code == 200
    assert response.context["page"].first_page


def test_a_source_that_is_not_one_is_ignored(client, manager, team):
    client.force_login(manager)

    response = client.get(DESK, {"queue": "team", "source": "pigeon\u2028"})

    assert response.status_code == 200
    assert shown(response) == team


# --- The consultation form --------------------------------------------------------------------


@pytest.fixture
def legal(db):
    return DepartmentFactory(name="Legal", consultation_email="legal@example.test")


def consult(client, ticket, **data):
    return client.post(reverse("tickets:desk_consult", args=[ticket.number]), data, follow=True)


def assert_nothing_written(ticket):
    assert not Consultation.objects.exists()
    assert not Message.objects.filter(ticket=ticket, kind=Message.Kind.CONSULTATION_OUT).exists()
    ticket.refresh_from_db()
    assert ticket.status_type != StatusType.CONSULTATION


CHOOSE = "Choose the department to consult."


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("abc", CHOOSE),
        ("²", CHOOSE),
        ("9" * 5000, CHOOSE),
        ("99999999999999999999", CHOOSE),
        ("", CHOOSE),
        ("1\x00", "Null characters are not allowed."),
    ],
    ids=["letters", "superscript", "5000-digits", "out-of-range", "empty", "nul"],
)
def test_a_consultation_with_a_department_that_is_not_one_is_refused(
    lenient_client, tech, ticket, legal, bad, message
):
    lenient_client.force_login(tech)

    response = consult(lenient_client, ticket, department=bad, question="Refund?")

    assert response.status_code == 200
    assert message in response.content.decode()
    assert_nothing_written(ticket)


def test_a_consultation_with_a_nul_byte_in_the_question_is_refused(
    lenient_client, tech, ticket, legal
):
    lenient_client.force_login(tech)

    response = consult(lenient_client, ticket, department=legal.pk, question="Refund\x00?")

    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert_nothing_written(ticket)


def test_a_consultation_of_an_inactive_department_is_refused(client, tech, ticket, legal):
    legal.is_active = False
    legal.save()
    client.force_login(tech)

    response = consult(client, ticket, department=legal.pk, question="Refund?")

    assert CHOOSE in response.content.decode()
    assert_nothing_written(ticket)


def test_a_valid_consultation_still_goes_out(client, tech, ticket, legal):
    client.force_login(tech)

    response = consult(client, ticket, department=legal.pk, question="Refund?")

    assert "Question sent to Legal" in response.content.decode()
    assert Consultation.objects.get().department == legal


def test_a_tech_without_the_ticket_cannot_consult_on_it(client, ticket, legal):
    outsider = TechFactory()
    MembershipFactory(user=outsider, department=DepartmentFactory())
    client.force_login(outsider)

    response = client.post(
        reverse("tickets:desk_consult", args=[ticket.number]),
        {"department": legal.pk, "question": "Refund?"},
    )

    assert response.status_code == 404
    assert_nothing_written(ticket)


@pytest.mark.parametrize("cookie", ["\x00aaaaaaaaaaaaaaa", "x" * 32 + "\x00", "' OR 1=1 --aaaa"])
def test_a_session_cookie_that_cannot_be_one_is_no_session_and_no_500(lenient_client, tech, cookie):
    lenient_client.cookies["sessionid"] = cookie

    for url in ("/desk/", "/support/", "/accounts/login/"):
        response = lenient_client.get(url)
        assert response.status_code in (200, 302)
