from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsesConfig(AppConfig):
    """Canned responses and the editable mail templates (built by later issues)."""

    name = "responses"
    verbose_name = _("Responses")
