import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from helpdesk.health import service_health

# What a client should wait before trying again when the database does not answer.
DATABASE_RETRY_AFTER_SECONDS = 30


@never_cache
@require_GET
def healthz(request):
    checks = service_health()
    healthy = all(result["ok"] for result in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


def server_error(request):
    """handler500. The database not answering is an outage, not a bug: a 503 page saying so,
    with Retry-After. Both pages are static: with the database down, nothing may touch it (no
    session, no user, no navigation)."""
    if isinstance(sys.exception(), OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)
