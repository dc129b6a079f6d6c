from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    """The project package as an app: project-wide management commands and the health check."""

    name = "helpdesk"
    verbose_name = _("Helpdesk")
