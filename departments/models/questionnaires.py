"""Questionnaires: admin-kept dictionaries (choice lists) and the questions asked when a tech
closes a case (or first answers it), attached to departments and mailboxes."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from departments.models.departments import Department, Mailbox


class Dictionary(models.Model):
    """An admin-kept list of choices a question offers: partners, products…"""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("dictionary")
        verbose_name_plural = _("dictionaries")
        ordering = ["name"]

    def __str__(self):
        return self.name


class DictionaryEntry(models.Model):
    """One choice of a dictionary. Retired entries stay (old answers name them) but are no
    longer offered."""

    dictionary = models.ForeignKey(
        Dictionary,
        verbose_name=_("dictionary"),
        on_delete=models.CASCADE,
        related_name="entries",
    )
    label = models.CharField(_("label"), max_length=200)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Lower comes first.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("dictionary entry")
        verbose_name_plural = _("dictionary entries")
        ordering = ["position", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["dictionary", "label"], name="departments_dictionary_entry_unique"
            ),
        ]

    def __str__(self):
        return self.label


class Question(models.Model):
    """A question the tech answers about a case, asked of the tickets of its departments and of
    the tickets that came in by its mailboxes: always on closing, and, where set, already at
    the first public reply. A required question unanswered stops the close
    (tickets/questionnaires.py)."""

    class AnswerType(models.TextChoices):
        TEXT = "text", _("Free text")
        YES_NO = "yes_no", _("Yes or no")
        NUMBER = "number", _("Number")
        ONE_CHOICE = "one_choice", _("One choice from a dictionary")
        CHOICES = "choices", _("Several choices from a dictionary")

    CHOICE_TYPES = frozenset({AnswerType.ONE_CHOICE, AnswerType.CHOICES})

    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    answer_type = models.CharField(
        _("answer type"), max_length=12, choices=AnswerType.choices, default=AnswerType.TEXT
    )
    dictionary = models.ForeignKey(
        Dictionary,
        verbose_name=_("dictionary"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
        help_text=_("The choices offered, for the choice answer types only."),
    )
    is_required = models.BooleanField(
        _("required"), default=False, help_text=_("A case cannot be closed without an answer.")
    )
    ask_on_first_response = models.BooleanField(
        _("ask on the first response too"),
        default=False,
        help_text=_("Asked when the tech first replies to the customer, not only on closing."),
    )
    departments = models.ManyToManyField(
        Department,
        verbose_name=_("departments"),
        blank=True,
        related_name="questions",
        help_text=_("Asked of the tickets of these departments."),
    )
    mailboxes = models.ManyToManyField(
        Mailbox,
        verbose_name=_("mailboxes"),
        blank=True,
        related_name="questions",
        help_text=_("Asked of the tickets that came in by these mailboxes."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Lower comes first.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "id"]

    def __str__(self):
        return self.text

    @property
    def takes_choices(self) -> bool:
        return self.answer_type in self.CHOICE_TYPES

    def clean(self):
        super().clean()
        if self.takes_choices and self.dictionary_id is None:
            raise ValidationError({"dictionary": _("A choice question needs a dictionary.")})
        if not self.takes_choices and self.dictionary_id is not None:
            raise ValidationError(
                {"dictionary": _("Only choice questions take a dictionary; leave it empty.")}
            )
