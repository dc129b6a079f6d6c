"""Middleware that must run before anything else: the health check and the NUL-byte guard."""

from django.http import HttpResponse
from django.template import loader

from helpdesk.views import healthz

HEALTHZ_PATH = "/healthz"


class HealthCheckMiddleware:
    """Answers /healthz itself, first in MIDDLEWARE: the check must not load a session or a user
    (with the database down, a session cookie would turn the 503 JSON into a 500 page), nor
    depend on the Host header a load balancer's probe sends."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == HEALTHZ_PATH:
            return healthz(request)
        return self.get_response(request)


class RejectNullBytesMiddleware:
    """400 for a NUL byte in the path or the query string. No URL of ours has one, PostgreSQL
    cannot store or compare text holding one, and a view reading a query parameter should not
    each have to know that. Form fields refuse NUL in POSTed text on their own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _query_has_nul(request):
            return bad_request_response()
        return self.get_response(request)


def _query_has_nul(request) -> bool:
    if not request.META.get("QUERY_STRING"):
        return False
    return any(
        "\x00" in name or any("\x00" in value for value in values)
        for name, values in request.GET.lists()
    )


def bad_request_response() -> HttpResponse:
    """A plain 400 page that needs neither the database nor the session."""
    return HttpResponse(loader.get_template("400.html").render(), status=400)
