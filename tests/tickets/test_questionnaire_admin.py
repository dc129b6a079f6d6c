"""The admin's rules for questions and dictionaries: choice questions need a dictionary, other
types must not have one, and the inline entries and attachments save."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from departments.models import Dictionary, Question
from tests.tickets.questions import (
    partners,
    products,
)

pytestmark = pytest.mark.django_db

Type = Question.AnswerType

__all__ = ["partners", "products"]  # fixtures


# The admin


def test_question_clean_keeps_dictionaries_to_choice_questions(partners):
    with pytest.raises(ValidationError) as refused:
        Question(text="Partner?", answer_type=Type.ONE_CHOICE).full_clean()
    assert "dictionary" in refused.value.message_dict

    with pytest.raises(ValidationError) as refused:
        Question(text="Notes?", answer_type=Type.TEXT, dictionary=partners).full_clean()
    assert "dictionary" in refused.value.message_dict

    Question(text="Partner?", answer_type=Type.CHOICES, dictionary=partners).full_clean()


def _question_post(**overrides):
    data = {
        "text": "Which partner sold it?",
        "help_text": "",
        "answer_type": Type.ONE_CHOICE,
        "dictionary": "",
        "position": "0",
        "is_active": "on",
        "is_required": "on",
    }
    data.update(overrides)
    return data


def test_the_admin_refuses_a_choice_question_without_a_dictionary(client, admin_user):
    client.force_login(admin_user)

    response = client.post(reverse("admin:departments_question_add"), _question_post())

    assert response.status_code == 200
    assert "A choice question needs a dictionary." in response.content.decode()
    assert not Question.objects.exists()


def test_the_admin_refuses_a_dictionary_on_a_text_question(client, admin_user, partners):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:departments_question_add"),
        _question_post(answer_type=Type.TEXT, dictionary=partners.pk),
    )

    assert "Only choice questions take a dictionary" in response.content.decode()
    assert not Question.objects.exists()


def test_the_admin_saves_a_question_attached_to_departments_and_mailboxes(
    client, admin_user, partners, department, mailbox
):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:departments_question_add"),
        _question_post(dictionary=partners.pk, departments=[department.pk], mailboxes=[mailbox.pk]),
    )

    assert response.status_code == 302
    saved = Question.objects.get()
    assert list(saved.departments.all()) == [department]
    assert list(saved.mailboxes.all()) == [mailbox]


def test_the_admin_keeps_a_dictionary_with_its_entries_inline(client, admin_user):
    client.force_login(admin_user)
    data = {
        "name": "Partners",
        "description": "Who sold it",
        "is_active": "on",
        "entries-TOTAL_FORMS": "2",
        "entries-INITIAL_FORMS": "0",
        "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": "1000",
        "entries-0-label": "Acme",
        "entries-0-position": "1",
        "entries-0-is_active": "on",
        "entries-1-label": "Globex",
        "entries-1-position": "2",
        "entries-1-is_active": "on",
    }

    response = client.post(reverse("admin:departments_dictionary_add"), data)

    assert response.status_code == 302
    book = Dictionary.objects.get(name="Partners")
    assert list(book.entries.values_list("label", flat=True)) == ["Acme", "Globex"]
    assert client.get(reverse("admin:departments_question_changelist")).status_code == 200
