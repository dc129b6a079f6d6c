"""The authentication backend: Django's, behind the sign-in throttle."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from accounts.models import User
from accounts.sign_in_throttle import REQUEST_ATTRIBUTE, sign_in_failure_count, sign_in_throttle


class ThrottledModelBackend(ModelBackend):
    """Every password check goes through here (the sign-in page, the admin's login page, any
    later form), so no form is a way around the throttle. While the throttle holds, the password
    is not checked at all (even a right one fails) and the request says why; a failed check
    counts against the throttle."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if request is None or username is None:
            return super().authenticate(request, username=username, password=password, **kwargs)
        throttle = sign_in_throttle(request=request, email=username)
        if throttle is not None:
            setattr(request, REQUEST_ATTRIBUTE, throttle)
            # Stops authenticate() here; it then signals a failed sign-in, which is recorded.
            raise PermissionDenied
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            sign_in_failure_count(request=request, email=username)
        return user
