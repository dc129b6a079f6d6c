"""Who may enter which area. Views use these decorators; they never check roles themselves.

Anonymous visitors are sent to sign in; a signed-in person of the wrong role gets 403."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from departments.selectors import user_is_manager


def _role_required(test):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def can_work_tickets(user) -> bool:
    return user.is_active and (user.is_tech or user.is_admin)


def can_supervise(user) -> bool:
    return user.is_active and (user.is_admin or (user.is_tech and user_is_manager(user)))


def can_read_reports(user) -> bool:
    return can_supervise(user)


def is_customer(user) -> bool:
    return user.is_active and user.is_customer


staff_required = _role_required(can_work_tickets)
manager_required = _role_required(can_supervise)
reports_required = _role_required(can_read_reports)
customer_required = _role_required(is_customer)
