import zoneinfo
from contextlib import suppress

from django.conf import settings
from django.utils import timezone

from accounts import login_history


class UserTimeZoneMiddleware:
    """Shows times in the signed-in person's zone, else the helpdesk's default. Storage is UTC."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.default_zone = zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIME_ZONE)

    def __call__(self, request):
        user = getattr(request, "user", None)
        zone = self.default_zone
        if user is not None and user.is_authenticated and user.time_zone:
            with suppress(zoneinfo.ZoneInfoNotFoundError, ValueError):
                zone = zoneinfo.ZoneInfo(user.time_zone)
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class SignInActivityMiddleware:
    """Keeps the sign-in's last activity current so an expired session gets a true sign-out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            login_history.sign_in_activity_touch(request=request)
        return response
