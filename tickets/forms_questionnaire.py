"""The questionnaire as a form: one field per question asked of the ticket, filled with its
current answers. The form only shapes the input; tickets/questionnaires.py checks it (the same
rule for every caller) and its errors come back onto these fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from departments.models import Question
from helpdesk.form_styling import StyledFormMixin
from tickets.models import QuestionAnswer
from tickets.questionnaires import TEXT_MAX_LENGTH, QuestionsUnanswered, field_name

# Posted with the fields, so a view knows the questionnaire was shown and answered.
MARKER = "questionnaire"
YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


class QuestionnaireForm(StyledFormMixin, forms.Form):
    def __init__(
        self,
        *args,
        questions: list[Question],
        answers: list[QuestionAnswer] = (),
        require: bool = True,
        **kwargs,
    ):
        """`questions` from questions_for_ticket(with_choices=True); `require` False when the
        answers are given along the way and nothing waits for them."""
        self.questions = questions
        current = {answer.question_id: answer for answer in answers}
        super().__init__(*args, **kwargs)
        for question in questions:
            field = _field(question)
            field.label = question.text
            field.help_text = question.help_text
            field.required = require and question.is_required
            answer = current.get(question.pk)
            if answer is not None:
                field.initial = _initial(question, answer)
            self.fields[field_name(question)] = field
        self._style()

    def _style(self):
        # The fields are made after StyledFormMixin styled the (empty) declared ones.
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                continue
            widget.attrs["class"] = (
                "form-select" if isinstance(widget, forms.Select) else ("form-control")
            )

    @property
    def values(self) -> dict[int, object]:
        """The cleaned answers by question id, for the services."""
        return {q.pk: self.cleaned_data.get(field_name(q)) for q in self.questions}

    def errors_from(self, error: ValidationError) -> None:
        """Put a service's refusal on the fields it is about."""
        if isinstance(error, QuestionsUnanswered):
            for question in error.questions:
                name = field_name(question)
                if name in self.fields and name not in self.errors:
                    self.add_error(name, _("Answer this question."))
            if not self.errors:
                self.add_error(None, error)
            return
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        else:
            self.add_error(None, error)

    def rows(self):
        """(question, bound field) in order, for the template."""
        return [(q, self[field_name(q)]) for q in self.questions]


def _field(question: Question) -> forms.Field:
    kind = question.answer_type
    if kind == Question.AnswerType.YES_NO:
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect)
    if kind == Question.AnswerType.NUMBER:
        return forms.DecimalField(max_digits=18, decimal_places=4)
    if kind in Question.CHOICE_TYPES:
        entries = getattr(question.dictionary, "offered", None) if question.dictionary else None
        choices = [(entry.pk, entry.label) for entry in entries or []]
        if kind == Question.AnswerType.ONE_CHOICE:
            return forms.TypedChoiceField(
                choices=[("", "—"), *choices], coerce=int, empty_value=None
            )
        return forms.TypedMultipleChoiceField(
            choices=choices, coerce=int, widget=forms.CheckboxSelectMultiple
        )
    return forms.CharField(max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))


def _initial(question: Question, answer: QuestionAnswer):
    kind = question.answer_type
    if kind == Question.AnswerType.YES_NO:
        return None if answer.value_boolean is None else ("yes" if answer.value_boolean else "no")
    if kind == Question.AnswerType.NUMBER:
        return answer.value_number.normalize() if answer.value_number is not None else None
    if kind == Question.AnswerType.ONE_CHOICE:
        return next((c.entry_id for c in answer.choices.all()), None)
    if kind == Question.AnswerType.CHOICES:
        return [c.entry_id for c in answer.choices.all()]
    return answer.value_text
