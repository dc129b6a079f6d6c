from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from accounts import signals  # noqa: F401 - connects the sign-in history receivers

        # The outbox renders the account mails (password reset, sign-up) with the accounts' code.
        from accounts.account_mail import KINDS, account_mails
        from tickets.notifications import renderer_register

        for kind in KINDS:
            renderer_register(kind, account_mails)
