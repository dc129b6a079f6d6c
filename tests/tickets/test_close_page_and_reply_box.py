"""Closing through the close page (the no-JavaScript path) and the reply box's "send and close",
and who may use them. The services and the status form: test_close_with_questions.py."""

import pytest

from tests.factories import DepartmentFactory, MembershipFactory, TechFactory
from tests.tickets.close_support import (
    HTMX,
    Type,
    answered_once,
    close_url,
    closed_status,
    early_question,
    optional,
    partners,
    required,
    state,
    ticket,
    url,
)
from tests.tickets.questions import dictionary, entry, question
from tickets import workflow
from tickets.models import Message, QuestionAnswer, Status, StatusType
from tickets.questionnaires import field_name
from tickets.statuses import status_default

pytestmark = pytest.mark.django_db
__all__ = [
    "answered_once",
    "closed_status",
    "early_question",
    "optional",
    "partners",
    "required",
    "ticket",
]  # fixtures


# The close page


def test_the_close_page_refuses_a_missing_required_answer_and_changes_nothing(
    client, answered_once, tech, required, optional
):
    client.force_login(tech)
    before = state(answered_once)

    response = client.post(close_url(answered_once), {"questionnaire": "1"})

    content = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in content
    assert state(answered_once) == before


def test_the_close_page_shows_bad_input_on_its_field(
    client, answered_once, tech, department, required, partners
):
    hours = question("Hours spent", answer_type=Type.NUMBER, departments=[department])
    client.force_login(tech)
    before = state(answered_once)

    response = client.post(
        close_url(answered_once),
        {field_name(required): entry(partners, "Acme").pk, field_name(hours): "a lot"},
    )

    assert response.status_code == 400
    assert "Enter a number." in response.content.decode()
    assert state(answered_once) == before


def test_the_close_page_refuses_a_choice_from_another_dictionary(
    client, answered_once, tech, required
):
    stranger = dictionary("Products", "Printer")
    client.force_login(tech)
    before = state(answered_once)

    response = client.post(
        close_url(answered_once), {field_name(required): entry(stranger, "Printer").pk}
    )

    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert state(answered_once) == before


def test_the_close_page_saves_the_answers_and_closes_in_one_step(
    client, answered_once, tech, required, optional, partners, closed_status
):
    other_closed = Status.objects.create(name="Solved by phone", type=StatusType.CLOSED)
    client.force_login(tech)

    response = client.post(
        close_url(answered_once),
        {
            "status": other_closed.pk,
            field_name(required): entry(partners, "Globex").pk,
            field_name(optional): "Customer was happy",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == url(answered_once)
    answered_once.refresh_from_db()
    assert answered_once.status == other_closed
    assert QuestionAnswer.objects.filter(ticket=answered_once).count() == 2
    page = client.get(url(answered_once)).content.decode()
    assert "The case is closed." in page
    assert "Globex" in page and "Customer was happy" in page


def test_the_close_page_ignores_a_status_that_does_not_close(client, answered_once, tech, optional):
    client.force_login(tech)
    pending = status_default(StatusType.PENDING)

    client.post(close_url(answered_once), {"status": pending.pk})

    answered_once.refresh_from_db()
    assert answered_once.is_closed


def test_the_close_page_with_htmx_re_renders_the_dialog_and_redirects_when_done(
    client, answered_once, tech, required, partners
):
    client.force_login(tech)

    refused = client.post(close_url(answered_once), {"questionnaire": "1"}, **HTMX)

    assert refused.status_code == 200
    assert 'id="questionnaire-content"' in refused.content.decode()
    assert "This field is required." in refused.content.decode()
    assert not QuestionAnswer.objects.exists()

    done = client.post(
        close_url(answered_once), {field_name(required): entry(partners, "Acme").pk}, **HTMX
    )

    assert done["HX-Redirect"] == url(answered_once)
    answered_once.refresh_from_db()
    assert answered_once.is_closed


def test_on_a_closed_case_the_close_page_changes_the_answers_only(
    client, answered_once, tech, required, partners, closed_status
):
    workflow.ticket_status_change(
        ticket=answered_once,
        author=tech,
        status=closed_status,
        answers={required.pk: entry(partners, "Acme").pk},
    )
    client.force_login(tech)
    events = Message.objects.filter(ticket=answered_once).count()

    response = client.post(
        close_url(answered_once), {field_name(required): entry(partners, "Globex").pk}
    )

    assert response.status_code == 302
    assert QuestionAnswer.objects.get(ticket=answered_once).choices.get().label == "Globex"
    assert Message.objects.filter(ticket=answered_once).count() == events


# The reply box


def test_send_and_close_without_javascript_shows_the_questions_in_the_reply_form(
    client, answered_once, tech, required
):
    client.force_login(tech)
    before = state(answered_once)

    response = client.post(
        url(answered_once, "reply"), {"body": "All fixed, closing.", "then": "closed"}
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="reply-questionnaire"' in content
    assert "All fixed, closing." in content  # the draft is kept
    assert "Which partner sold it?" in content
    assert state(answered_once) == before


def test_send_and_close_without_javascript_with_the_answers_sends_and_closes(
    client, answered_once, tech, required, partners, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(tech)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(answered_once, "reply"),
            {
                "body": "All fixed, closing.",
                "then": "closed",
                "questionnaire": "1",
                field_name(required): entry(partners, "Acme").pk,
            },
        )

    assert response.status_code == 302
    answered_once.refresh_from_db()
    assert answered_once.is_closed
    assert QuestionAnswer.objects.filter(ticket=answered_once).count() == 1
    assert any("All fixed, closing." in mail.body for mail in mailoutbox)


def test_send_and_close_with_htmx_answers_with_the_dialog_inside_the_reply_form(
    client, answered_once, tech, required
):
    client.force_login(tech)
    before = state(answered_once)

    response = client.post(
        url(answered_once, "reply"), {"body": "All fixed.", "then": "closed"}, **HTMX
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "data-helpdesk-dialog" in content
    assert 'name="then" value="closed"' in content
    assert f'hx-post="{url(answered_once, "reply")}"' in content
    assert "<form" not in content  # its fields belong to the reply form around it
    assert state(answered_once) == before


def test_send_and_close_with_htmx_and_a_missing_answer_re_renders_the_dialog(
    client, answered_once, tech, required
):
    client.force_login(tech)
    before = state(answered_once)

    response = client.post(
        url(answered_once, "reply"),
        {"body": "All fixed.", "then": "closed", "questionnaire": "1"},
        **HTMX,
    )

    assert "This field is required." in response.content.decode()
    assert state(answered_once) == before


def test_send_and_close_with_htmx_and_the_answers_redirects_to_the_closed_ticket(
    client, answered_once, tech, required, partners
):
    client.force_login(tech)

    response = client.post(
        url(answered_once, "reply"),
        {
            "body": "All fixed.",
            "then": "closed",
            "questionnaire": "1",
            field_name(required): entry(partners, "Globex").pk,
        },
        **HTMX,
    )

    assert response["HX-Redirect"] == url(answered_once)
    answered_once.refresh_from_db()
    assert answered_once.is_closed


def test_an_empty_reply_with_htmx_comes_back_as_the_page_with_its_error(
    client, answered_once, tech, required
):
    client.force_login(tech)

    response = client.post(url(answered_once, "reply"), {"body": "", "then": "closed"}, **HTMX)

    assert response.status_code == 200
    assert response["HX-Retarget"] == "#main"
    assert response["HX-Reselect"] == "#main"
    assert "This field is required." in response.content.decode()


def test_a_first_reply_without_javascript_asks_the_first_response_questions(
    client, ticket, tech, early_question
):
    client.force_login(tech)
    before = state(ticket)

    response = client.post(url(ticket, "reply"), {"body": "Hello"})

    content = response.content.decode()
    assert response.status_code == 400
    assert "before your first reply goes out" in content
    assert state(ticket) == before

    response = client.post(
        url(ticket, "reply"),
        {"body": "Hello", "questionnaire": "1", field_name(early_question): "yes"},
    )

    assert response.status_code == 302
    assert QuestionAnswer.objects.get(ticket=ticket).value_boolean is True


# Who may


@pytest.mark.parametrize("method", ["get", "post"])
def test_only_those_who_may_work_the_ticket_reach_its_close_page(
    client, answered_once, required, method, department
):
    stranger = TechFactory()
    MembershipFactory(user=stranger, department=DepartmentFactory())
    colleague = TechFactory()  # same department, but the ticket is in Tom's pool
    MembershipFactory(user=colleague, department=department)
    before = state(answered_once)

    for user in (stranger, colleague):
        client.force_login(user)
        response = getattr(client, method)(close_url(answered_once))
        assert response.status_code == 404
    client.logout()
    response = getattr(client, method)(close_url(answered_once))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert state(answered_once) == before


def test_a_manager_of_the_department_may_close_through_the_page(
    client, answered_once, manager, required, partners
):
    client.force_login(manager)

    response = client.post(
        close_url(answered_once), {field_name(required): entry(partners, "Acme").pk}
    )

    assert response.status_code == 302
    assert QuestionAnswer.objects.get(ticket=answered_once).answered_by == manager


def test_the_close_page_and_its_dialog_keep_a_flat_query_count(
    client, tech, department, partners, submit
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(tech)

    def queries(count, **headers):
        ticket = workflow.ticket_claim_on_open(ticket=submit(), tech=tech).ticket
        values = {}
        for _index in range(count):
            asked = question(
                answer_type=Type.CHOICES, dictionary=partners, departments=[department]
            )
            values[asked.pk] = [entry(partners, "Acme").pk]
        workflow.ticket_status_change(
            ticket=ticket, author=tech, status_type=StatusType.PENDING, answers=values
        )
        with CaptureQueriesContext(connection) as captured:
            response = client.get(close_url(ticket), **headers)
        assert response.status_code == 200
        return len(captured)

    assert queries(2) == queries(12)
    assert queries(2, **HTMX) == queries(12, **HTMX)
