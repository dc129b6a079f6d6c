"""Questionnaires: the admin's questions a tech answers about a case (departments.Question).

The rule: a person who closes a case answers every required question that applies to it first,
and a question marked "ask on the first response" already when they first reply to the customer.
Refused, nothing is written — not the answers, not the reply, not the status. The system's own
closes (author None) are never held up. A question applies to a ticket when the ticket's
department is among its departments or the ticket came in by one of its mailboxes."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from departments.models import DictionaryEntry, Question
from tickets.models import InboundEmail, QuestionAnswer, QuestionAnswerChoice, Ticket

CLOSE = "close"
FIRST_RESPONSE = "first_response"
TEXT_MAX_LENGTH = 2000
NUMBER_LIMIT = Decimal("1e14")  # what a DecimalField(18, 4) holds

AnswerType = Question.AnswerType


class QuestionsUnanswered(ValidationError):
    """Required questions wait for an answer; carries them, and the moment they were asked at."""

    def __init__(self, *, questions: list[Question], moment: str):
        self.questions = questions
        self.moment = moment
        super().__init__(
            ngettext(
                "Answer the required question first.",
                "Answer the %(count)d required questions first.",
                len(questions),
            )
            % {"count": len(questions)}
        )


def field_name(question: Question | int) -> str:
    """The form field, and the key of a validation error, for a question."""
    return f"question_{getattr(question, 'pk', question)}"


def _applicable(ticket: Ticket) -> Q:
    came_by = InboundEmail.objects.filter(
        ticket_id=ticket.pk, status=InboundEmail.Status.TICKET, mailbox__isnull=False
    ).values("mailbox_id")
    by_department = Question.departments.through.objects.filter(
        question_id=OuterRef("pk"), department_id=ticket.department_id
    )
    by_mailbox = Question.mailboxes.through.objects.filter(
        question_id=OuterRef("pk"), mailbox_id__in=Subquery(came_by)
    )
    return Q(Exists(by_department)) | Q(Exists(by_mailbox))


def questions_for_ticket(
    *, ticket: Ticket, moment: str = CLOSE, with_choices: bool = False
) -> list[Question]:
    """The active questions asked of the ticket at `moment`, in order, in one query (and one
    more for the offered entries when `with_choices`: `question.dictionary.offered`)."""
    questions = Question.objects.filter(_applicable(ticket), is_active=True).select_related(
        "dictionary"
    )
    if moment == FIRST_RESPONSE:
        questions = questions.filter(ask_on_first_response=True)
    if with_choices:
        questions = questions.prefetch_related(
            Prefetch(
                "dictionary__entries",
                queryset=DictionaryEntry.objects.filter(is_active=True),
                to_attr="offered",
            )
        )
    return list(questions)


def answers_for_ticket(*, ticket: Ticket) -> list[QuestionAnswer]:
    """The ticket's answers with the question text as asked, in the questions' order; two
    queries however many there are."""
    return list(
        QuestionAnswer.objects.filter(ticket=ticket)
        .select_related("answered_by", "question")
        .prefetch_related("choices")
        .order_by("question__position", "question_id", "id")
    )


def missing_required(
    *,
    ticket: Ticket,
    moment: str = CLOSE,
    questions: list[Question] | None = None,
    answered: Iterable[int] | None = None,
) -> list[Question]:
    """The required questions of `moment` not answered yet (`answered`: the question ids that
    will be, by default the ones with a stored answer)."""
    if questions is None:
        questions = questions_for_ticket(ticket=ticket, moment=moment)
    required = [q for q in questions if q.is_required]
    if not required:
        return []
    if answered is None:
        answered = QuestionAnswer.objects.filter(ticket=ticket, question__in=required).values_list(
            "question_id", flat=True
        )
    answered = set(answered)
    return [q for q in required if q.pk not in answered]


@dataclass(frozen=True)
class CleanAnswer:
    question: Question
    text: str = ""
    number: Decimal | None = None
    boolean: bool | None = None
    entries: tuple[DictionaryEntry, ...] = ()


def answers_clean(
    *, questions: list[Question], values: Mapping[int, object]
) -> dict[int, CleanAnswer | None]:
    """Check each given value against its question's type: a number parses, yes/no is yes or
    no, chosen entries belong to the question's dictionary and are active. None (or an empty
    value) means "no answer". Raises a ValidationError keyed by field_name(question)."""
    by_id = {q.pk: q for q in questions}
    errors: dict[str, list[str]] = {}
    chosen: dict[int, list[int]] = {}
    cleaned: dict[int, CleanAnswer | None] = {}
    for question_id, raw in values.items():
        question = by_id.get(question_id)
        if question is None:
            continue  # not asked of this ticket: ignored, never stored
        try:
            if _empty(raw):
                cleaned[question_id] = None
            elif question.takes_choices:
                chosen[question_id] = _entry_ids(question, raw)
            else:
                cleaned[question_id] = _scalar(question, raw)
        except ValidationError as error:
            errors[field_name(question)] = error.messages
    if chosen:
        entries = DictionaryEntry.objects.in_bulk([pk for pks in chosen.values() for pk in pks])
        for question_id, pks in chosen.items():
            question = by_id[question_id]
            picked = [entries.get(pk) for pk in pks]
            if any(
                entry is None
                or not entry.is_active
                or entry.dictionary_id != question.dictionary_id
                for entry in picked
            ):
                errors[field_name(question)] = [_("Choose from the list.")]
                continue
            cleaned[question_id] = CleanAnswer(question=question, entries=tuple(picked))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _empty(raw: object) -> bool:
    return raw is None or (isinstance(raw, str | list | tuple | set) and not raw) or raw == ""


def _entry_ids(question: Question, raw: object) -> list[int]:
    items = raw if isinstance(raw, list | tuple | set) else [raw]
    if question.answer_type == AnswerType.ONE_CHOICE and len(items) != 1:
        raise ValidationError(_("Choose one."))
    try:
        return list(dict.fromkeys(int(getattr(item, "pk", item)) for item in items))
    except (TypeError, ValueError):
        raise ValidationError(_("Choose from the list.")) from None


def _scalar(question: Question, raw: object) -> CleanAnswer:
    kind = question.answer_type
    if kind == AnswerType.YES_NO:
        value = {"yes": True, "no": False, True: True, False: False}.get(raw)
        if value is None:
            raise ValidationError(_("Answer yes or no."))
        return CleanAnswer(question=question, boolean=value)
    if kind == AnswerType.NUMBER:
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValidationError(_("Enter a number.")) from None
        if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
            raise ValidationError(_("Enter a number.")) from None
        return CleanAnswer(question=question, number=number.quantize(Decimal("0.0001")))
    text = str(raw).strip()
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(_("Keep it under %(count)d characters.") % {"count": TEXT_MAX_LENGTH})
    return CleanAnswer(question=question, text=text) if text else None


@transaction.atomic
def answers_save(
    *, ticket: Ticket, by: User | None, cleaned: Mapping[int, CleanAnswer | None]
) -> list[QuestionAnswer]:
    """Store the cleaned answers (answers_clean), each replacing the ticket's earlier answer to
    its question; an empty one takes the earlier answer back."""
    if not cleaned:
        return []
    QuestionAnswer.objects.filter(ticket=ticket, question_id__in=list(cleaned)).delete()
    now = timezone.now()
    given = [answer for answer in cleaned.values() if answer is not None]
    answers = QuestionAnswer.objects.bulk_create(
        [
            QuestionAnswer(
                ticket=ticket,
                question=answer.question,
                question_text=answer.question.text,
                answer_type=answer.question.answer_type,
                value_text=answer.text,
                value_number=answer.number,
                value_boolean=answer.boolean,
                answered_by=by,
                answered_at=now,
            )
            for answer in given
        ]
    )
    QuestionAnswerChoice.objects.bulk_create(
        [
            QuestionAnswerChoice(answer=row, entry=entry, label=entry.label)
            for row, answer in zip(answers, given, strict=True)
            for entry in answer.entries
        ]
    )
    return answers


def questionnaire_apply(
    *,
    ticket: Ticket,
    by: User | None,
    moment: str | None,
    values: Mapping[int, object] | None = None,
) -> None:
    """The rule, for the services that close a case or send a reply, inside their transaction
    and before they write anything: check the given answers, refuse (QuestionsUnanswered) when
    a required question of `moment` stays unanswered, then store the answers. `moment` None
    requires nothing (the answers given are still stored); `by` None (the system) is never
    refused."""
    values = values or {}
    if moment is None and not values:
        return
    questions = questions_for_ticket(ticket=ticket, moment=moment or CLOSE)
    if not questions:
        return
    cleaned = answers_clean(questions=questions, values=values)
    if moment is not None and by is not None:
        stored = set(
            QuestionAnswer.objects.filter(
                ticket=ticket, question__in=[q for q in questions if q.is_required]
            ).values_list("question_id", flat=True)
        )
        answered = (stored - {pk for pk, a in cleaned.items() if a is None}) | {
            pk for pk, a in cleaned.items() if a is not None
        }
        missing = missing_required(
            ticket=ticket, moment=moment, questions=questions, answered=answered
        )
        if missing:
            raise QuestionsUnanswered(questions=missing, moment=moment)
    answers_save(ticket=ticket, by=by, cleaned=cleaned)


# Reports


@dataclass(frozen=True)
class AnswerCount:
    question_id: int | None
    question_text: str
    answer_type: str
    answer: str  # the entry's label, "Yes"/"No", the number or the text
    entry_id: int | None
    count: int


def questionnaire_answers(
    *,
    start: datetime,
    end: datetime,
    department_ids: Iterable[int] | None = None,
    answered_by: User | None = None,
) -> list[AnswerCount]:
    """How often each answer was given to each question, for answers given in [start, end),
    optionally on tickets of the given departments or by one tech: one aggregate query for the
    single-valued answers and one for the chosen entries, however many answers there are."""
    answers = QuestionAnswer.objects.filter(answered_at__gte=start, answered_at__lt=end)
    choices = QuestionAnswerChoice.objects.filter(
        answer__answered_at__gte=start, answer__answered_at__lt=end
    )
    if department_ids is not None:
        answers = answers.filter(ticket__department_id__in=list(department_ids))
        choices = choices.filter(answer__ticket__department_id__in=list(department_ids))
    if answered_by is not None:
        answers = answers.filter(answered_by=answered_by)
        choices = choices.filter(answer__answered_by=answered_by)
    rows = []
    single = (
        answers.exclude(answer_type__in=Question.CHOICE_TYPES)
        .values_list(
            "question_id",
            "question_text",
            "answer_type",
            "value_text",
            "value_number",
            "value_boolean",
        )
        .annotate(count=Count("id"))
        .order_by()
    )
    for question_id, text, kind, value_text, number, boolean, count in single:
        rows.append(
            AnswerCount(
                question_id=question_id,
                question_text=text,
                answer_type=kind,
                answer=_answer_words(kind, value_text, number, boolean),
                entry_id=None,
                count=count,
            )
        )
    chosen = (
        choices.values_list(
            "answer__question_id",
            "answer__question_text",
            "answer__answer_type",
            "entry_id",
            "label",
        )
        .annotate(count=Count("id"))
        .order_by()
    )
    for question_id, text, kind, entry_id, label, count in chosen:
        rows.append(
            AnswerCount(
                question_id=question_id,
                question_text=text,
                answer_type=kind,
                answer=label,
                entry_id=entry_id,
                count=count,
            )
        )
    rows.sort(key=lambda row: (row.question_id or 0, row.question_text, -row.count, row.answer))
    return rows


def _answer_words(kind: str, text: str, number: Decimal | None, boolean: bool | None) -> str:
    if kind == AnswerType.YES_NO:
        return _("Yes") if boolean else _("No")
    if kind == AnswerType.NUMBER:
        return f"{number.normalize():f}" if number is not None else ""
    return text
