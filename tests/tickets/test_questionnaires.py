"""Questionnaires: which questions a ticket is asked, answers checked by type and kept with the
question as it read, the admin's rules, the ticket page's panel and the reports' counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from departments.models import DictionaryEntry, Question
from tests.factories import DepartmentFactory, MembershipFactory
from tests.tickets.questions import (
    came_by_mailbox,
    entry,
    partners,
    products,
    question,
)
from tickets import workflow
from tickets.models import QuestionAnswer, QuestionAnswerChoice
from tickets.questionnaires import (
    FIRST_RESPONSE,
    answers_clean,
    answers_for_ticket,
    answers_save,
    field_name,
    missing_required,
    questionnaire_answers,
    questions_for_ticket,
)

pytestmark = pytest.mark.django_db

Type = Question.AnswerType

__all__ = ["partners", "products"]  # fixtures


@pytest.fixture
def ticket(submit, tech):
    return workflow.ticket_claim_on_open(ticket=submit(), tech=tech).ticket


def save(ticket, by, values, questions=None):
    questions = questions or questions_for_ticket(ticket=ticket)
    return answers_save(
        ticket=ticket, by=by, cleaned=answers_clean(questions=questions, values=values)
    )


# Which questions a ticket is asked


def test_a_question_applies_to_the_tickets_of_its_departments(ticket, department):
    mine = question("Was the manual helpful?", departments=[department])
    question("Asked elsewhere", departments=[DepartmentFactory()])
    question("Retired", departments=[department], is_active=False)

    assert questions_for_ticket(ticket=ticket) == [mine]


def test_a_question_applies_to_the_tickets_that_came_in_by_its_mailboxes(
    ticket, department, mailbox, django_assert_num_queries
):
    other_mailbox = mailbox.__class__.objects.create(
        name="Sales",
        department=department,
        email_address="sales@example.test",
        host="127.0.0.1",
        username="sales",
    )
    by_mailbox = question("Which shop?", mailboxes=[mailbox])
    question("Sales only", mailboxes=[other_mailbox])
    assert questions_for_ticket(ticket=ticket) == []  # came in by the web form

    came_by_mailbox(ticket, mailbox)

    with django_assert_num_queries(1):
        assert questions_for_ticket(ticket=ticket) == [by_mailbox]


def test_a_question_of_both_a_department_and_a_mailbox_is_asked_once_in_position_order(
    ticket, department, mailbox
):
    came_by_mailbox(ticket, mailbox)
    second = question("Second", departments=[department], mailboxes=[mailbox], position=2)
    first = question("First", mailboxes=[mailbox], position=1)

    assert questions_for_ticket(ticket=ticket) == [first, second]


def test_first_response_questions_are_those_marked_so(ticket, department):
    question("On close", departments=[department])
    early = question("Early", departments=[department], ask_on_first_response=True)

    assert questions_for_ticket(ticket=ticket, moment=FIRST_RESPONSE) == [early]


# Answers, by type


@pytest.mark.parametrize(
    ("answer_type", "raw", "column", "stored"),
    [
        (Type.TEXT, "  Replaced the toner  ", "value_text", "Replaced the toner"),
        (Type.YES_NO, "yes", "value_boolean", True),
        (Type.YES_NO, "no", "value_boolean", False),
        (Type.YES_NO, False, "value_boolean", False),
        (Type.NUMBER, "12.5", "value_number", Decimal("12.5")),
        (Type.NUMBER, Decimal("-3"), "value_number", Decimal("-3")),
    ],
)
def test_a_valid_answer_is_stored_in_its_typed_column(
    ticket, tech, department, answer_type, raw, column, stored
):
    asked = question(answer_type=answer_type, departments=[department])

    save(ticket, tech, {asked.pk: raw})

    answer = QuestionAnswer.objects.get(ticket=ticket, question=asked)
    assert getattr(answer, column) == stored
    assert answer.answered_by == tech
    assert answer.answer_type == answer_type


def test_one_choice_is_stored_as_the_entry_and_a_copy_of_its_label(
    ticket, tech, department, partners
):
    asked = question(answer_type=Type.ONE_CHOICE, dictionary=partners, departments=[department])

    save(ticket, tech, {asked.pk: entry(partners, "Globex").pk})

    choice = QuestionAnswerChoice.objects.get(answer__ticket=ticket)
    assert (choice.entry, choice.label) == (entry(partners, "Globex"), "Globex")


def test_several_choices_are_a_row_each(ticket, tech, department, products):
    asked = question(answer_type=Type.CHOICES, dictionary=products, departments=[department])

    save(ticket, tech, {asked.pk: [entry(products, "Printer").pk, entry(products, "Scanner").pk]})

    answer = answers_for_ticket(ticket=ticket)[0]
    assert sorted(c.label for c in answer.choices.all()) == ["Printer", "Scanner"]
    assert answer.display in ("Printer, Scanner", "Scanner, Printer")


@pytest.mark.parametrize(
    ("answer_type", "raw", "message"),
    [
        (Type.TEXT, "x" * 2001, "Keep it under 2000 characters."),
        (Type.YES_NO, "maybe", "Answer yes or no."),
        (Type.NUMBER, "twelve", "Enter a number."),
        (Type.NUMBER, "1e20", "Enter a number."),
        (Type.NUMBER, "NaN", "Enter a number."),
        (Type.ONE_CHOICE, "not-an-id", "Choose from the list."),
        (Type.ONE_CHOICE, "inactive", "Choose from the list."),
        (Type.ONE_CHOICE, "other dictionary", "Choose from the list."),
        (Type.ONE_CHOICE, "two", "Choose one."),
        (Type.CHOICES, "other dictionary", "Choose from the list."),
        (Type.CHOICES, "missing", "Choose from the list."),
    ],
)
def test_an_invalid_answer_is_refused_on_its_field_and_nothing_is_stored(
    ticket, tech, department, partners, products, answer_type, raw, message
):
    book = partners if answer_type in Question.CHOICE_TYPES else None
    asked = question(answer_type=answer_type, dictionary=book, departments=[department])
    raw = {
        "inactive": [entry(partners, "Initech").pk],
        "other dictionary": [entry(products, "Printer").pk],
        "two": [entry(partners, "Acme").pk, entry(partners, "Globex").pk],
        "missing": [999_999],
    }.get(raw, raw)

    with pytest.raises(ValidationError) as refused:
        save(ticket, tech, {asked.pk: raw})

    assert refused.value.message_dict == {field_name(asked): [message]}
    assert not QuestionAnswer.objects.exists()


def test_answering_again_replaces_the_answer_and_an_empty_one_takes_it_back(
    ticket, tech, department, partners
):
    asked = question(answer_type=Type.ONE_CHOICE, dictionary=partners, departments=[department])
    save(ticket, tech, {asked.pk: entry(partners, "Acme").pk})

    save(ticket, tech, {asked.pk: entry(partners, "Globex").pk})

    assert QuestionAnswer.objects.filter(ticket=ticket).count() == 1
    assert list(QuestionAnswerChoice.objects.values_list("label", flat=True)) == ["Globex"]

    save(ticket, tech, {asked.pk: ""})

    assert not QuestionAnswer.objects.filter(ticket=ticket).exists()
    assert not QuestionAnswerChoice.objects.exists()


def test_one_answer_per_question_per_ticket_is_a_database_rule(ticket, tech, department):
    from django.db import IntegrityError

    asked = question(departments=[department])
    save(ticket, tech, {asked.pk: "First"})

    with pytest.raises(IntegrityError):
        QuestionAnswer.objects.create(
            ticket=ticket,
            question=asked,
            question_text=asked.text,
            answer_type=asked.answer_type,
            value_text="Second",
            answered_at=timezone.now(),
        )


def test_answers_to_questions_not_asked_of_the_ticket_are_ignored(ticket, tech):
    elsewhere = question(departments=[DepartmentFactory()])

    save(ticket, tech, {elsewhere.pk: "Sneaked in"}, questions=questions_for_ticket(ticket=ticket))

    assert not QuestionAnswer.objects.exists()


def test_missing_required_lists_the_required_questions_without_an_answer(ticket, tech, department):
    required = question("Required", departments=[department], is_required=True)
    question("Optional", departments=[department])
    answered = question("Answered", departments=[department], is_required=True)
    save(ticket, tech, {answered.pk: "Done"})

    assert missing_required(ticket=ticket) == [required]


# Kept as asked


def test_the_question_text_is_kept_as_asked_after_the_admin_edits_or_deletes_it(
    client, ticket, tech, department
):
    asked = question("Was the customer satisfied?", departments=[department])
    save(ticket, tech, {asked.pk: "Yes, very"})

    asked.text = "Rate the customer's mood"
    asked.save()
    client.force_login(tech)
    page = client.get(reverse("tickets:desk_ticket", args=[ticket.number])).content.decode()

    assert "Was the customer satisfied?" in page
    assert "Yes, very" in page
    asked.delete()
    answer = QuestionAnswer.objects.get(ticket=ticket)
    assert (answer.question, answer.question_text) == (None, "Was the customer satisfied?")


# The ticket page


def _answer_many(ticket, tech, department, book, count):
    values = {}
    for index in range(count):
        kind = [Type.TEXT, Type.YES_NO, Type.NUMBER, Type.CHOICES][index % 4]
        asked = question(
            answer_type=kind,
            dictionary=book if kind == Type.CHOICES else None,
            departments=[department],
        )
        values[asked.pk] = {
            Type.TEXT: "Text answer",
            Type.YES_NO: "yes",
            Type.NUMBER: "7",
            Type.CHOICES: list(book.entries.filter(is_active=True).values_list("pk", flat=True)),
        }[kind]
    save(ticket, tech, values)


def test_the_ticket_page_shows_the_answers_with_a_flat_query_count(
    client, tech, department, partners, submit
):
    client.force_login(tech)

    def page_queries(ticket):
        url = reverse("tickets:desk_ticket", args=[ticket.number])
        client.get(url)  # the first opening claims the ticket
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response.content.decode()

    few = workflow.ticket_claim_on_open(ticket=submit(), tech=tech).ticket
    _answer_many(few, tech, department, partners, 3)
    few_queries, few_page = page_queries(few)
    many = workflow.ticket_claim_on_open(ticket=submit(), tech=tech).ticket
    _answer_many(many, tech, department, partners, 16)
    many_queries, many_page = page_queries(many)

    assert many_queries == few_queries
    assert many_page.count('data-testid="answer"') == 16
    assert "Acme, Globex" in many_page
    assert 'data-testid="questionnaire"' in few_page


def test_the_panel_says_how_many_required_questions_wait(client, ticket, tech, department):
    question(departments=[department], is_required=True)
    question(departments=[department], is_required=True)
    client.force_login(tech)

    page = client.get(reverse("tickets:desk_ticket", args=[ticket.number])).content.decode()

    assert "2 required questions to answer before closing." in page
    assert reverse("tickets:desk_close", args=[ticket.number]) in page


def test_a_ticket_without_questions_shows_no_panel_and_no_htmx_on_its_close_paths(
    client, ticket, tech
):
    client.force_login(tech)

    page = client.get(reverse("tickets:desk_ticket", args=[ticket.number])).content.decode()

    assert 'data-testid="questionnaire"' not in page
    assert 'hx-target="#questionnaire-slot"' not in page


# Reports


def test_questionnaire_answers_counts_each_answer_per_question_in_the_period_and_department(
    tech, department, partners, submit, django_assert_num_queries
):
    partner = question("Partner", answer_type=Type.CHOICES, dictionary=partners)
    partner.departments.set([department])
    solved = question("Solved?", answer_type=Type.YES_NO, departments=[department])
    hours = question("Hours", answer_type=Type.NUMBER, departments=[department])
    acme, globex = entry(partners, "Acme").pk, entry(partners, "Globex").pk
    for values in [
        {partner.pk: [acme, globex], solved.pk: "yes", hours.pk: "2"},
        {partner.pk: [acme], solved.pk: "yes", hours.pk: "2"},
        {partner.pk: [globex], solved.pk: "no", hours.pk: "3.5"},
    ]:
        ticket = workflow.ticket_claim_on_open(ticket=submit(), tech=tech).ticket
        save(ticket, tech, values)
    other_department = DepartmentFactory()
    MembershipFactory(user=tech, department=other_department)
    elsewhere = workflow.ticket_transfer(
        ticket=submit(), by=tech, to_department=other_department, to_tech=tech
    )
    elsewhere_solved = question("Solved?", answer_type=Type.YES_NO)
    elsewhere_solved.departments.set([other_department])
    save(elsewhere, tech, {elsewhere_solved.pk: "no"})
    now = timezone.now()

    with django_assert_num_queries(2):
        rows = questionnaire_answers(
            start=now - timedelta(hours=1),
            end=now + timedelta(hours=1),
            department_ids=[department.pk],
        )

    counts = {(row.question_text, row.answer): row.count for row in rows}
    assert counts == {
        ("Partner", "Acme"): 2,
        ("Partner", "Globex"): 2,
        ("Solved?", "Yes"): 2,
        ("Solved?", "No"): 1,
        ("Hours", "2"): 2,
        ("Hours", "3.5"): 1,
    }
    assert {row.entry_id for row in rows if row.question_text == "Partner"} == {acme, globex}
    everywhere = questionnaire_answers(start=now - timedelta(hours=1), end=now + timedelta(hours=1))
    assert sum(row.count for row in everywhere if row.question_text == "Solved?") == 4
    assert questionnaire_answers(start=now + timedelta(hours=1), end=now + timedelta(hours=2)) == []


def test_entries_can_be_retired_without_losing_old_answers(ticket, tech, department, partners):
    asked = question(answer_type=Type.ONE_CHOICE, dictionary=partners, departments=[department])
    save(ticket, tech, {asked.pk: entry(partners, "Acme").pk})

    DictionaryEntry.objects.filter(label="Acme").update(is_active=False)

    assert answers_for_ticket(ticket=ticket)[0].display == "Acme"
    with pytest.raises(ValidationError):
        save(ticket, tech, {asked.pk: entry(partners, "Acme").pk})
