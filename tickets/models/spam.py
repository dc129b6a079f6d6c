"""The spam filter's memory: word counts and the size of what it learned from."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SpamToken(models.Model):
    """How often a word was seen in spam and in good mail: the spam filter's memory."""

    token = models.CharField(_("token"), max_length=64, primary_key=True)
    spam_count = models.PositiveIntegerField(_("in spam"), default=0)
    ham_count = models.PositiveIntegerField(_("in good mail"), default=0)

    class Meta:
        verbose_name = _("spam filter token")
        verbose_name_plural = _("spam filter tokens")

    def __str__(self):
        return self.token


class SpamCorpus(models.Model):
    """How many spam and good mails the filter has learned from (a single row)."""

    spam_messages = models.PositiveIntegerField(_("spam mails learned"), default=0)
    ham_messages = models.PositiveIntegerField(_("good mails learned"), default=0)

    class Meta:
        verbose_name = _("spam filter corpus")
        verbose_name_plural = _("spam filter corpus")

    def __str__(self):
        return f"{self.spam_messages} spam / {self.ham_messages} good"
