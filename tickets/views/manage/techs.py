"""A manager's page about one tech: their departments and retrieval priorities, their open pool,
and their sign-in sessions for any period, with a CSV of those sessions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import sign_in_sessions
from accounts.access import manager_required
from accounts.models import User
from departments import selectors_techs
from departments.memberships import RETRIEVAL_PRIORITY_MAX, membership_retrieval_priority_set
from helpdesk.csv_export import csv_response
from tickets.forms_manage_techs import RetrievalPriorityForm, SignInPeriodForm
from tickets.sla.marks import clock_marks_attach
from tickets.views.absence import absence_panel_context

TEMPLATE = "manage/tech_detail.html"


@manager_required
@require_GET
def tech_detail(request, tech_id):
    tech = selectors_techs.tech_for_supervisor(user=request.user, tech_id=tech_id)
    sign_ins = _sign_ins_context(request, tech)
    status = 400 if sign_ins["period_form"].errors else 200
    # A period chosen with htmx is pushed to the history; restoring it asks for the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        # htmx swaps only 2xx answers; the partial shows the form's errors itself.
        return render(request, f"{TEMPLATE}#tech-sign-ins", sign_ins)
    context = {**_tech_context(request, tech), **sign_ins}
    return render(request, TEMPLATE, context, status=status)


@manager_required
@require_POST
def tech_memberships(request, tech_id):
    """Change one membership's retrieval priority, in a department the manager manages."""
    tech = selectors_techs.tech_for_supervisor(user=request.user, tech_id=tech_id)
    form = RetrievalPriorityForm(
        request.POST,
        departments=selectors_techs.departments_editable_for(viewer=request.user, tech=tech),
    )
    saved = None
    if form.is_valid():
        try:
            saved = membership_retrieval_priority_set(
                by=request.user,
                tech=tech,
                department=form.cleaned_data["department"],
                priority=form.cleaned_data["retrieval_priority"],
            )
        except (PermissionDenied, ValidationError) as error:
            form.add_error(None, _refusal_text(error))
    if saved is not None:
        notice = _("Retrieval priority in %(department)s is now %(priority)d.") % {
            "department": saved.department.name,
            "priority": saved.retrieval_priority,
        }
        if not request.htmx:
            messages.success(request, notice)
            return redirect(reverse("manage:tech_detail", args=[tech.pk]) + "#departments")
        context = {**_tech_context(request, tech), "priority_notice": notice}
        return render(request, f"{TEMPLATE}#tech-departments", context)
    context = {
        **_tech_context(request, tech),
        "priority_form": form,
        "priority_department": request.POST.get("department", ""),
    }
    if request.htmx:
        return render(request, f"{TEMPLATE}#tech-departments", context)
    context.update(_sign_ins_context(request, tech))
    return render(request, TEMPLATE, context, status=400)


@manager_required
@require_GET
def tech_sessions_csv(request, tech_id):
    """The tech's sign-in sessions of the period as CSV, times in the viewer's zone."""
    tech = selectors_techs.tech_for_supervisor(user=request.user, tech_id=tech_id)
    form = SignInPeriodForm(request.GET)
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        return HttpResponseBadRequest(" ".join(errors), content_type="text/plain; charset=utf-8")
    period = form.period
    # The rows are written while the response streams, after the middleware has put the
    # viewer's zone and language away: they are carried along explicitly.
    zone = timezone.get_current_timezone()
    language = translation.get_language()
    sessions = sign_in_sessions.sign_in_sessions_all(user=tech, period=period)

    def rows():
        with translation.override(language), timezone.override(zone):
            for session in sessions:
                yield [
                    _iso(session.signed_in_at, zone),
                    _iso(session.ended_at, zone),
                    str(session.how_label),
                    _iso(session.last_active_at, zone),
                    int(session.duration.total_seconds()),
                    session.ip_address,
                    session.browser,
                ]

    filename = (
        f"sign-ins-{tech.pk}-{period.first_day.isoformat()}-{period.last_day.isoformat()}.csv"
    )
    header = [
        _("Signed in"),
        _("Ended"),
        _("How it ended"),
        _("Last active"),
        _("Duration (seconds)"),
        _("IP address"),
        _("Browser"),
    ]
    return csv_response(filename=filename, header=header, rows=rows())


def _tech_context(request, tech: User) -> dict:
    memberships = selectors_techs.tech_memberships(viewer=request.user, tech=tech)
    pool = selectors_techs.tech_open_pool(viewer=request.user, tech=tech)
    clock_marks_attach(pool.tickets)
    return {
        "tech": tech,
        "memberships": memberships,
        "is_manager": any(row.membership.is_manager for row in memberships),
        "pool": pool,
        # The pool leaves out departments the viewer does not manage; say so when there are some.
        "pool_partial": any(not row.editable for row in memberships),
        "priority_max": RETRIEVAL_PRIORITY_MAX,
        **absence_panel_context(tech=tech, manager_view=True),
    }


def _sign_ins_context(request, tech: User) -> dict:
    form = SignInPeriodForm(request.GET)
    context = {"tech": tech, "period_form": form, "sessions": None, "failures": None}
    if form.is_valid():
        period = form.period
        context["sessions"] = sign_in_sessions.sign_in_sessions_page(
            user=tech, period=period, cursor=request.GET.get("cursor", "")
        )
        context["failures"] = sign_in_sessions.sign_in_failures(user=tech, period=period)
        context["period_query"] = (
            f"from={period.first_day.isoformat()}&to={period.last_day.isoformat()}"
        )
    return context


def _iso(moment, zone) -> str:
    return "" if moment is None else timezone.localtime(moment, zone).isoformat(timespec="seconds")


def _refusal_text(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return _("You can change retrieval priorities only in departments you manage.")
