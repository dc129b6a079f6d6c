"""Absences: a tech records their own (linked from Preferences), a manager records their techs'
(/manage/techs/<id>/absences/), and the returning tech takes handed-over tickets back.

The panel (templates/accounts/includes/absence_panel.html) is one include for both sides; an
htmx request gets the panel alone, a plain form post is redirected back to the page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import absences
from accounts.access import manager_required, staff_required
from accounts.forms import AbsenceForm
from accounts.models import User
from departments.selectors_techs import tech_for_supervisor
from tickets import handover
from tickets.sla.marks import clock_marks_attach

HANDED_OVER_PAGE_SIZE = 200


def absence_panel_context(*, tech: User, manager_view: bool, form: AbsenceForm | None = None):
    """What templates/accounts/includes/absence_panel.html needs (the tech detail page includes
    the panel with this context)."""
    if manager_view:
        add_url = reverse("manage:tech_absence_add", args=[tech.pk])
    else:
        add_url = reverse("accounts:absence")
    return {
        "tech": tech,
        "absences": list(absences.absences_ahead(tech)),
        "absence_form": form or AbsenceForm(tech=tech),
        "absence_add_url": add_url,
        "absence_manager_view": manager_view,
    }


def _page_of(*, tech: User, manager_view: bool) -> str:
    """Where a plain (no JavaScript) form post comes back to: the tech's page for a manager."""
    if manager_view:
        return reverse("manage:tech_detail", args=[tech.pk]) + "#absence"
    return reverse("accounts:absence")


def _panel_response(request, *, tech: User, manager_view: bool, form=None, status=200):
    context = absence_panel_context(tech=tech, manager_view=manager_view, form=form)
    template = "accounts/absences.html"
    if request.htmx:
        template = "accounts/includes/absence_panel.html"
    return render(request, template, context, status=status)


def _absence_add(request, *, tech: User, manager_view: bool):
    form = AbsenceForm(request.POST, tech=tech)
    if form.is_valid():
        data = form.cleaned_data
        try:
            absences.absence_record(
                tech=tech,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                substitute=data["substitute"],
                note=data["note"],
                created_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Absence recorded."))
            if request.htmx:
                return _panel_response(request, tech=tech, manager_view=manager_view)
            return redirect(_page_of(tech=tech, manager_view=manager_view))
    # htmx swaps only a 2xx answer: the panel with its errors must come back as 200 there, or
    # the click seems to do nothing.
    status = 200 if request.htmx else 400
    return _panel_response(request, tech=tech, manager_view=manager_view, form=form, status=status)


def _absence_stop(request, *, tech: User, absence_id: int, manager_view: bool, page: str):
    absence = absences.absence_of(tech=tech, absence_id=absence_id)
    absence = handover.absence_stop(absence=absence)
    if absence.cancelled_at is not None:
        messages.success(request, _("Absence cancelled."))
    else:
        messages.success(request, _("Absence ended."))
    if request.htmx:
        return _panel_response(request, tech=tech, manager_view=manager_view)
    return redirect(page)


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def my_absences(request):
    """The tech's own absences: record one, cancel one ahead, end the current one."""
    if not request.user.is_tech:  # an admin who is not staff has no pool to hand over
        return redirect("accounts:preferences")
    if request.method == "POST":
        return _absence_add(request, tech=request.user, manager_view=False)
    return _panel_response(request, tech=request.user, manager_view=False)


@staff_required
@require_POST
def my_absence_stop(request, absence_id):
    return _absence_stop(
        request,
        tech=request.user,
        absence_id=absence_id,
        manager_view=False,
        page=reverse("accounts:absence"),
    )


@never_cache
@manager_required
@require_http_methods(["GET", "POST"])
def tech_absences(request, tech_id):
    """A manager records an absence of a tech of their departments (anyone else: 404)."""
    tech = tech_for_supervisor(user=request.user, tech_id=tech_id)
    if request.method == "POST":
        return _absence_add(request, tech=tech, manager_view=True)
    return _panel_response(request, tech=tech, manager_view=True)


@manager_required
@require_POST
def tech_absence_stop(request, tech_id, absence_id):
    tech = tech_for_supervisor(user=request.user, tech_id=tech_id)
    return _absence_stop(
        request,
        tech=tech,
        absence_id=absence_id,
        manager_view=True,
        page=_page_of(tech=tech, manager_view=True),
    )


@never_cache
@staff_required
def handed_over(request):
    """The tickets handed over while the tech was away, still open and with the substitute or
    in the general pool, each to take back."""
    rows = _handed_over_rows(request.user)
    template = "tickets/desk_handed_over.html"
    if request.htmx:
        template += "#handed-over-list"
    return render(request, template, {"hand_overs": rows, "next": request.path})


@staff_required
@require_POST
def take_back(request):
    """Take back one handed-over ticket (`ticket`: its id) or all of them (`ticket=all`)."""
    choice = request.POST.get("ticket", "")
    if choice == "all":
        taken, refused = handover.tickets_take_back_all(tech=request.user)
        if taken:
            messages.success(
                request,
                ngettext(
                    "%(count)s ticket is back in your pool.",
                    "%(count)s tickets are back in your pool.",
                    taken,
                )
                % {"count": taken},
            )
        if refused:
            messages.warning(
                request,
                ngettext(
                    "%(count)s ticket was taken by someone else meanwhile and stays with them.",
                    "%(count)s tickets were taken by someone else meanwhile and stay with them.",
                    refused,
                )
                % {"count": refused},
            )
    elif choice.isascii() and choice.isdigit() and len(choice) < 19:
        try:
            ticket = handover.ticket_take_back(tech=request.user, ticket_id=int(choice))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(tag)s is back in your pool.") % {"tag": ticket.tag})
    else:
        messages.error(request, _("Choose a ticket to take back."))
    if request.htmx:
        rows = _handed_over_rows(request.user)
        return render(
            request,
            "tickets/desk_handed_over.html#handed-over-list",
            {"hand_overs": rows, "next": request.POST.get("next", "")},
        )
    return redirect(_next_page(request))


def _handed_over_rows(user) -> list:
    rows = list(handover.handed_over_waiting(user)[:HANDED_OVER_PAGE_SIZE])
    clock_marks_attach(row.ticket for row in rows)
    return rows


def _next_page(request) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("tickets:desk_handed_over")
