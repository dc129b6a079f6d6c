"""Answers to the admin's questions about a case (departments.Question), kept with the
question's text as it was asked, so an edited or deleted question never rewrites history. Values
are stored by type in their own columns, and every chosen dictionary entry as a row of its own
(with a copy of its label), so the reports group answers with plain SQL."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models.tickets import Ticket


class QuestionAnswer(models.Model):
    """The current answer to one question on one ticket: answering again replaces it."""

    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="question_answers",
    )
    question = models.ForeignKey(
        "departments.Question",
        verbose_name=_("question"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answers",
    )
    question_text = models.CharField(_("question as asked"), max_length=300)
    answer_type = models.CharField(_("answer type"), max_length=12)
    value_text = models.TextField(_("text"), blank=True)
    value_number = models.DecimalField(
        _("number"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    value_boolean = models.BooleanField(_("yes or no"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered"))

    class Meta:
        verbose_name = _("questionnaire answer")
        verbose_name_plural = _("questionnaire answers")
        ordering = ["ticket", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "question"], name="tickets_question_answer_unique"
            ),
        ]
        indexes = [
            # The reports count a period's answers per question.
            models.Index(fields=["question", "answered_at"], name="tickets_answer_question"),
        ]

    def __str__(self):
        return f"{self.question_text}: {self.display}"

    @property
    def display(self) -> str:
        """The answer in words; chosen entries need `choices` prefetched."""
        if self.answer_type in ("one_choice", "choices"):
            return ", ".join(choice.label for choice in self.choices.all())
        if self.answer_type == "yes_no":
            if self.value_boolean is None:
                return ""
            return str(_("Yes") if self.value_boolean else _("No"))
        if self.answer_type == "number":
            return "" if self.value_number is None else f"{self.value_number.normalize():f}"
        return self.value_text


class QuestionAnswerChoice(models.Model):
    """One dictionary entry chosen in an answer, with its label as it read when chosen."""

    answer = models.ForeignKey(
        QuestionAnswer,
        verbose_name=_("answer"),
        on_delete=models.CASCADE,
        related_name="choices",
    )
    entry = models.ForeignKey(
        "departments.DictionaryEntry",
        verbose_name=_("entry"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answer_choices",
    )
    label = models.CharField(_("label"), max_length=200)

    class Meta:
        verbose_name = _("chosen entry")
        verbose_name_plural = _("chosen entries")
        ordering = ["answer", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "entry"], name="tickets_answer_choice_unique"
            ),
        ]

    def __str__(self):
        return self.label
