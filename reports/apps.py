from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # The outbox renders the monthly summary with the reports' own code; registered from
        # here so that the tickets code never imports the reports.
        from reports.monthly_summary import monthly_summary_mails
        from tickets.mail.outbox import MONTHLY_SUMMARY
        from tickets.notifications import renderer_register

        renderer_register(MONTHLY_SUMMARY, monthly_summary_mails)
