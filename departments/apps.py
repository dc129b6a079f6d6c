from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DepartmentsConfig(AppConfig):
    name = "departments"
    verbose_name = _("Departments")

    def ready(self):
        from departments import sla_changes  # noqa: F401 - connects the SLA change receivers
