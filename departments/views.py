from django.db.models import OuterRef, Prefetch, Subquery
from django.shortcuts import render

from accounts.access import manager_required
from accounts.models import LoginEvent
from departments.models import Membership
from departments.selectors import departments_managed_by


@manager_required
def manage(request):
    departments = departments_managed_by(request.user).prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("user")
            .annotate(last_sign_in_at=_latest_event_at(LoginEvent.Kind.SIGN_IN))
            .order_by("user__full_name"),
        )
    )
    return render(request, "departments/manage.html", {"departments": departments})


def _latest_event_at(kind):
    return Subquery(
        LoginEvent.objects.filter(user=OuterRef("user"), kind=kind).order_by("-at").values("at")[:1]
    )
