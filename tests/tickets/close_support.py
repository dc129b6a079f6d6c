"""Shared by the close-with-questions tests: a ticket in Tom's pool, required and optional
questions, and what a refused close must leave as it was."""

import pytest
from django.urls import reverse

from departments.models import Question
from tests.tickets.questions import dictionary, question
from tickets import workflow
from tickets.models import Message, OutboundEmail, QuestionAnswer, StatusType
from tickets.statuses import status_default

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


@pytest.fixture
def early_question(department):
    return question(
        "Order number given?",
        answer_type=Type.YES_NO,
        departments=[department],
        is_required=True,
        ask_on_first_response=True,
    )
