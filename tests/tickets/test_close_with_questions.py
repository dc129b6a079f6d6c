"""Closing a case (and a first reply) with required questions unanswered is refused and changes
nothing; answered, everything goes in one step. Every close path a person takes: the status
change, "send and close", the close page; with htmx as a dialog, without JavaScript as a page."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import DepartmentFactory
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
from tests.tickets.questions import entry, question
from tickets import workflow
from tickets.models import Message, QuestionAnswer, StatusType
from tickets.questionnaires import CLOSE, FIRST_RESPONSE, QuestionsUnanswered, field_name
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

    # The canned-response picker inside the reply form searches with htmx; the send buttons don't.
    reply_form = page.split('id="reply-form"')[1].split("</form>")[0]
    for own_target in ('hx-target="#presence"', 'hx-target="#response-list"'):
        reply_form = reply_form.replace(own_target, "")
    assert "hx-target" not in reply_form
    assert 'hx-target="#questionnaire-slot"' not in page


def test_a_status_change_that_does_not_close_is_not_asked(client, answered_once, tech, required):
    client.force_login(tech)
    pending = status_default(StatusType.PENDING)

    response = client.post(url(answered_once, "status"), {"status": pending.pk}, **HTMX)

    assert response["HX-Redirect"] == url(answered_once)
    answered_once.refresh_from_db()
    assert answered_once.status_type == StatusType.PENDING
