"""Questionnaire data for the tests: dictionaries, questions, and a ticket that came in by a
mailbox."""

import pytest

from departments.models import Dictionary, DictionaryEntry, Question
from tickets.models import InboundEmail

_counter = iter(range(1, 1_000_000))


def dictionary(name: str, *labels: str, inactive: tuple[str, ...] = ()) -> Dictionary:
    book = Dictionary.objects.create(name=name)
    for position, label in enumerate((*labels, *inactive)):
        DictionaryEntry.objects.create(
            dictionary=book, label=label, position=position, is_active=label not in inactive
        )
    return book


def question(
    text: str = "",
    *,
    answer_type: str = Question.AnswerType.TEXT,
    departments=(),
    mailboxes=(),
    **fields,
) -> Question:
    made = Question.objects.create(
        text=text or f"Question {next(_counter)}", answer_type=answer_type, **fields
    )
    made.departments.set(departments)
    made.mailboxes.set(mailboxes)
    return made


def entry(book: Dictionary, label: str) -> DictionaryEntry:
    return book.entries.get(label=label)


def came_by_mailbox(ticket, mailbox) -> InboundEmail:
    """Record the mail that opened `ticket` as taken in by `mailbox`, as the intake does."""
    return InboundEmail.objects.create(
        mailbox=mailbox,
        channel=InboundEmail.Channel.IMAP,
        raw_sha256=f"{ticket.pk:064d}",
        status=InboundEmail.Status.TICKET,
        ticket=ticket,
        subject=ticket.subject,
    )


@pytest.fixture
def partners(db):
    return dictionary("Partners", "Acme", "Globex", inactive=("Initech",))


@pytest.fixture
def products(db):
    return dictionary("Products", "Printer", "Scanner")
