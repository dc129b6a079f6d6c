"""Canned responses: pre-written replies, global or per department, with placeholders."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from responses.placeholders import placeholders_as_text, placeholders_unknown


class CannedResponse(models.Model):
    """A reply a tech inserts from the picker. The body is plain text; `{{ name }}`
    placeholders from responses.placeholders are filled when it is inserted."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_responses",
        help_text=_("Empty: a global response, offered in every department."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    usage_count = models.PositiveIntegerField(_("times used"), default=0, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        ordering = ["title"]
        indexes = [
            # The picker: active responses, global (NULL) or of the tech's departments, by title.
            models.Index(
                fields=["department", "title"],
                condition=Q(is_active=True),
                name="responses_active_by_dept",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        unknown = placeholders_unknown(self.body or "")
        if unknown:
            raise ValidationError(
                {
                    "body": ValidationError(
                        _(
                            "Unknown placeholders: %(unknown)s. Only these are filled in: "
                            "%(allowed)s."
                        ),
                        code="unknown_placeholder",
                        params={
                            "unknown": ", ".join(unknown),
                            "allowed": placeholders_as_text(),
                        },
                    )
                }
            )

    @property
    def first_line(self) -> str:
        """What the picker shows under the title: the first line that has text."""
        for line in self.body.splitlines():
            if line.strip():
                return line.strip()
        return ""
