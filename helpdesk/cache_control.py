"""No page the application renders is kept by a browser or a proxy: desk, ticket, manager,
report, preference and admin pages show people's mail and names, and a shared computer's back
button or disk cache must not show them to the next person. Static files (served by WhiteNoise
before this middleware) keep their long cache lifetimes."""

from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """`Cache-Control: private, no-store` on every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
