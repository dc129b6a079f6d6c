from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts.forms import AdminSignInForm
from accounts.views import home
from helpdesk.views import healthz
from tickets.mail.webhooks import inbound_webhook_urlpatterns

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("desk/responses/", include("responses.urls")),
    path("", include("tickets.urls")),
    path("manage/", include("tickets.urls_manage")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]
# Inbound mail from the configured ESP only (/anymail/<esp>/inbound/), and only once its webhook
# secret is set: without one, no /anymail/ route exists. Read at import: tests reload this module.
if settings.INBOUND_WEBHOOK_ESP:
    urlpatterns.append(
        path(
            "anymail/",
            include(
                (inbound_webhook_urlpatterns(esp=settings.INBOUND_WEBHOOK_ESP), "anymail"),
            ),
        )
    )

admin.site.site_header = _("Helpdesk configuration")
admin.site.site_title = _("Helpdesk configuration")
admin.site.index_title = _("Configuration")
admin.site.login_form = AdminSignInForm

# With the database down, every page answers a 503 page instead of a 500.
handler500 = "helpdesk.views.server_error"
