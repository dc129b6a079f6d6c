"""Closing a case (and a first reply) with required questions unanswered is refused and changes
nothing; answered, everything goes in one step. Every close path a person takes: the status
change, "send and close", the close page; with htmx as a dialog, without JavaScript as a page."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from departments.models import Question
from tests.factories import DepartmentFactory, MembershipFactory, TechFactory
from tests.tickets.questions import dictionary, entry, question
from tickets import workflow
from tickets.models import Message, OutboundEmail, QuestionAnswer, Status, StatusType
from tickets.questionnaires import CLOSE, FIRST_RESPONSE, QuestionsUnanswered, field_name
from tickets.statuses import status_default

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
Type = Question.AnswerType


@pytest.fixture
def ticket(submit, tech):
    return workflow.ticket_claim_on_open(ticket=submit(), tech=tech).ticket


@pytest.fixture
def answered_once(ticket, tech):
    """The ticket after Tom's first reply, so first-response questions are behind it."""
    workflow.ticket_reply(ticket=ticket, tech=tech, body="Looking into it.", internal=False)
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def partners(db):
    return dictionary("Partners", "Acme", "Globex")


@pytest.fixture
def required(department, partners):
    return question(
        "Which partner sold it?",
        answer_type=Type.ONE_CHOICE,
        dictionary=partners,
        departments=[department],
        is_required=True,
    )


@pytest.fixture
def optional(department):
    return question("Anything to add?", departments=[department])


@pytest.fixture
def closed_status(db):
    return status_default(StatusType.CLOSED)


def state(ticket):
    """Everything a refused close must leave as it was."""
    ticket.refresh_from_db()
    return {
        "status": ticket.status_id,
        "closed_at": ticket.closed_at,
        "messages": Message.objects.filter(ticket=ticket).count(),
        "outbox": OutboundEmail.objects.filter(ticket=ticket).count(),
        "answers": QuestionAnswer.objects.filter(ticket=ticket).count(),
        "first_response_at": ticket.first_response_at,
    }


def url(ticket, action=""):
    base = reverse("tickets:desk_ticket", args=[ticket.number])
    return f"{base}{action}/" if action else base


def close_url(ticket):
    return reverse("tickets:desk_close", args=[ticket.number])


# The services


def test_closing_with_a_required_question_unanswered_changes_nothing(
    answered_once, tech, required, closed_status
):
    before = state(answered_once)

    with pytest.raises(QuestionsUnanswered) as refused:
        workflow.ticket_status_change(ticket=answered_once, author=tech, status=closed_status)

    assert refused.value.questions == [required]
    assert refused.value.moment == CLOSE
    assert state(answered_once) == before


def test_send_and_close_unanswered_writes_not_even_the_reply(
    answered_once, tech, required, django_capture_on_commit_callbacks, mailoutbox
):
    before = state(answered_once)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(QuestionsUnanswered):
        workflow.ticket_reply(
            ticket=answered_once,
            tech=tech,
            body="Fixed; closing.",
            internal=False,
            then_status=StatusType.CLOSED,
        )

    assert state(answered_once) == before
    assert mailoutbox == []


def test_send_and_close_with_the_answers_stores_them_sends_and_closes_together(
    answered_once, tech, required, partners
):
    workflow.ticket_reply(
        ticket=answered_once,
        tech=tech,
        body="Fixed; closing.",
        internal=False,
        then_status=StatusType.CLOSED,
        answers={required.pk: entry(partners, "Acme").pk},
    )

    answered_once.refresh_from_db()
    assert answered_once.is_closed
    assert Message.objects.filter(ticket=answered_once, body="Fixed; closing.").exists()
    answer = QuestionAnswer.objects.get(ticket=answered_once)
    assert answer.choices.get().label == "Acme"


def test_bad_answers_refuse_the_close_and_store_nothing(
    answered_once, tech, required, closed_status
):
    before = state(answered_once)

    with pytest.raises(ValidationError) as refused:
        workflow.ticket_status_change(
            ticket=answered_once, author=tech, status=closed_status, answers={required.pk: "x"}
        )

    assert field_name(required) in refused.value.message_dict
    assert state(answered_once) == before


def test_optional_questions_never_hold_up_a_close(answered_once, tech, optional, closed_status):
    workflow.ticket_status_change(ticket=answered_once, author=tech, status=closed_status)

    answered_once.refresh_from_db()
    assert answered_once.is_closed


def test_the_systems_own_close_is_not_held_up(answered_once, required):
    workflow.ticket_status_change(ticket=answered_once, author=None, status_type=StatusType.CLOSED)

    answered_once.refresh_from_db()
    assert answered_once.is_closed


def test_a_question_of_another_department_is_not_asked(answered_once, tech, closed_status):
    question(is_required=True, departments=[DepartmentFactory()])

    workflow.ticket_status_change(ticket=answered_once, author=tech, status=closed_status)

    answered_once.refresh_from_db()
    assert answered_once.is_closed


def test_other_status_changes_and_notes_ask_nothing(answered_once, tech, required):
    workflow.ticket_status_change(ticket=answered_once, author=tech, status_type="pending")
    workflow.ticket_reply(ticket=answered_once, tech=tech, body="Note", internal=True)

    answered_once.refresh_from_db()
    assert answered_once.status_type == StatusType.PENDING


# First response


@pytest.fixture
def early(department):
    return question(
        "Was the order number given?",
        answer_type=Type.YES_NO,
        departments=[department],
        is_required=True,
        ask_on_first_response=True,
    )


def test_a_first_reply_waits_for_the_first_response_questions(ticket, tech, early, required):
    before = state(ticket)

    with pytest.raises(QuestionsUnanswered) as refused:
        workflow.ticket_reply(ticket=ticket, tech=tech, body="Hello", internal=False)

    assert refused.value.questions == [early]  # not the close-only one
    assert refused.value.moment == FIRST_RESPONSE
    assert state(ticket) == before


def test_a_first_reply_with_the_answer_goes_and_later_replies_ask_nothing(ticket, tech, early):
    workflow.ticket_reply(
        ticket=ticket, tech=tech, body="Hello", internal=False, answers={early.pk: "no"}
    )
    workflow.ticket_reply(ticket=ticket, tech=tech, body="More", internal=False)

    assert QuestionAnswer.objects.get(ticket=ticket).value_boolean is False
    assert Message.objects.filter(ticket=ticket, kind=Message.Kind.REPLY).count() == 2


def test_a_note_is_not_a_first_response(ticket, tech, early):
    workflow.ticket_reply(ticket=ticket, tech=tech, body="Internal", internal=True)

    assert Message.objects.filter(ticket=ticket, kind=Message.Kind.NOTE).exists()


def test_a_trainees_held_first_reply_waits_for_the_answers_too(ticket, trainee, early):
    ticket.assignee = None
    ticket.save(update_fields=["assignee"])
    before = state(ticket)

    with pytest.raises(QuestionsUnanswered):
        workflow.ticket_reply(ticket=ticket, tech=trainee, body="Hi", internal=False)

    assert state(ticket) == before


# The status form on the ticket page


def test_status_change_to_closed_without_javascript_leads_to_the_close_page(
    client, answered_once, tech, required, closed_status
):
    client.force_login(tech)
    before = state(answered_once)

    response = client.post(url(answered_once, "status"), {"status": closed_status.pk})

    assert response.status_code == 302
    assert response["Location"] == f"{close_url(answered_once)}?status={closed_status.pk}"
    assert state(answered_once) == before
    page = client.get(response["Location"])
    content = page.content.decode()
    assert page.status_code == 200
    assert "Which partner sold it?" in content
    assert "Close the case" in content
    assert f'name="status" value="{closed_status.pk}"' in content


def test_status_change_to_closed_with_htmx_answers_with_the_dialog(
    client, answered_once, tech, required, closed_status
):
    client.force_login(tech)
    before = state(answered_once)

    response = client.post(url(answered_once, "status"), {"status": closed_status.pk}, **HTMX)

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert 'class="modal fade"' in content
    assert "data-helpdesk-dialog" in content
    assert f'hx-post="{close_url(answered_once)}"' in content
    assert "Which partner sold it?" in content
    assert state(answered_once) == before


def test_the_ticket_page_sends_its_close_paths_through_htmx_when_questions_apply(
    client, answered_once, tech, required
):
    client.force_login(tech)

    page = client.get(url(answered_once)).content.decode()

    assert f'hx-post="{url(answered_once, "status")}" hx-target="#questionnaire-slot"' in page
    assert page.count('hx-target="#reply-questionnaire"') == 1  # "Send and close" only
    assert '<div id="questionnaire-slot"></div>' in page


def test_before_the_first_reply_every_send_button_goes_through_htmx(
    client, ticket, tech, early_question
):
    client.force_login(tech)

    page = client.get(url(ticket)).content.decode()

    assert page.count('hx-target="#reply-questionnaire"') == 3
    assert 'hx-target="#questionnaire-slot"' in page  # the early question is asked on close too


def test_once_answered_the_close_paths_are_plain_again(
    client, answered_once, tech, required, partners, closed_status
):
    workflow.ticket_status_change(
        ticket=answered_once,
        author=tech,
        status_type=StatusType.PENDING,
        answers={required.pk: entry(partners, "Acme").pk},
    )
    client.force_login(tech)

    page = client.get(url(answered_once)).content.decode()

    assert "hx-target" not in page.split('id="reply-form"')[1].split("</form>")[0].replace(
        'hx-target="#presence"', ""
    )
    assert 'hx-target="#questionnaire-slot"' not in page


def test_a_status_change_that_does_not_close_is_not_asked(client, answered_once, tech, required):
    client.force_login(tech)
    pending = status_default(StatusType.PENDING)

    response = client.post(url(answered_once, "status"), {"status": pending.pk}, **HTMX)

    assert response["HX-Redirect"] == url(answered_once)
    answered_once.refresh_from_db()
    assert answered_once.status_type == StatusType.PENDING


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


@pytest.fixture
def early_question(department):
    return question(
        "Order number given?",
        answer_type=Type.YES_NO,
        departments=[department],
        is_required=True,
        ask_on_first_response=True,
    )


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
