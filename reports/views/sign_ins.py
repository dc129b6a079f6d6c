"""The sign-in history report: per tech, for a period, every session, the failed sign-ins and
the hours signed in per day, with CSVs of the sessions and of the hours."""

from urllib.parse import urlencode

from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts import sign_in_sessions
from accounts.access import reports_required
from accounts.sign_in_hours import hours_decimal, period_days, sign_in_hours_by_day
from helpdesk.csv_export import csv_response
from reports.forms_sign_ins import SignInReportPeriodForm
from reports.period_presets import PRESETS
from reports.sign_ins import sign_in_report, sign_in_report_tech, sign_in_report_techs

TEMPLATE = "reports/sign_ins.html"


@reports_required
@require_GET
def sign_ins(request):
    techs, tech, form = _filters(request)
    context = {
        "techs": techs,
        "tech": tech,
        "period_form": form,
        "presets": PRESETS.items(),
        "report": None,
        # Links to a named period keep the tech chosen.
        "tech_query": "&" + urlencode({"tech": tech.pk}) if tech else "",
    }
    if form.is_valid():
        context["report"] = sign_in_report(
            techs=[tech] if tech else techs,
            period=form.period,
            cursor=request.GET.get("cursor", ""),
        )
        context["query"] = _query(form, tech)
    # A period chosen with htmx is pushed to the history; restoring it asks for the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        # htmx swaps only 2xx answers; the partial shows the form's errors itself.
        return render(request, f"{TEMPLATE}#sign-ins-report", context)
    return render(request, TEMPLATE, context, status=200 if form.is_valid() else 400)


@reports_required
@require_GET
def sessions_csv(request):
    """Every session begun in the period, of the chosen tech or all the viewer may read,
    newest first, times in the viewer's zone."""
    techs, tech, form = _filters(request)
    if not form.is_valid():
        return _bad_period(form)
    period = form.period
    shown = [tech] if tech else techs
    by_id = {person.pk: person for person in shown}
    # The rows are written while the response streams, after the middleware has put the
    # viewer's zone and language away: they are carried along explicitly.
    zone = timezone.get_current_timezone()
    language = translation.get_language()
    sessions = sign_in_sessions.sign_in_sessions_all(users=shown, period=period)

    def rows():
        with translation.override(language), timezone.override(zone):
            for session in sessions:
                person = by_id[session.user_id]
                yield [
                    person.full_name,
                    person.email,
                    _iso(session.signed_in_at, zone),
                    _iso(session.ended_at, zone),
                    str(session.how_label),
                    _iso(session.last_active_at, zone),
                    int(session.duration.total_seconds()),
                    session.ip_address,
                    session.browser,
                ]

    header = [
        _("Tech"),
        _("Email"),
        _("Signed in"),
        _("Ended"),
        _("How it ended"),
        _("Last active"),
        _("Duration (seconds)"),
        _("IP address"),
        _("Browser"),
    ]
    return csv_response(
        filename=_filename("sign-in-sessions", period, tech), header=header, rows=rows()
    )


@reports_required
@require_GET
def hours_csv(request):
    """Hours signed in per day of the period and tech: one row each, zero included, so a
    spreadsheet can pivot them."""
    techs, tech, form = _filters(request)
    if not form.is_valid():
        return _bad_period(form)
    period = form.period
    shown = [tech] if tech else techs
    by_day = sign_in_hours_by_day(user_ids=[person.pk for person in shown], period=period)

    def rows():
        for day in period_days(period):
            for person in shown:
                hours = by_day[person.pk][day]
                seconds = int(hours.total_seconds())
                yield [
                    day.isoformat(),
                    person.full_name,
                    person.email,
                    hours_decimal(hours),
                    seconds,
                ]

    header = [_("Day"), _("Tech"), _("Email"), _("Hours signed in"), _("Seconds signed in")]
    return csv_response(
        filename=_filename("sign-in-hours", period, tech), header=header, rows=rows()
    )


def _filters(request):
    """The techs the viewer may read, the one the query names (None: all; Http404 for one they
    may not), and the period form."""
    techs = sign_in_report_techs(viewer=request.user)
    tech = sign_in_report_tech(techs=techs, tech_id=request.GET.get("tech", ""))
    return techs, tech, SignInReportPeriodForm(request.GET)


def _bad_period(form) -> HttpResponseBadRequest:
    errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    return HttpResponseBadRequest(" ".join(errors), content_type="text/plain; charset=utf-8")


def _query(form, tech) -> str:
    return form.query + ("&" + urlencode({"tech": tech.pk}) if tech else "")


def _filename(what: str, period, tech) -> str:
    who = f"-{tech.pk}" if tech else ""
    return f"{what}{who}-{period.first_day.isoformat()}-{period.last_day.isoformat()}.csv"


def _iso(moment, zone) -> str:
    return "" if moment is None else timezone.localtime(moment, zone).isoformat(timespec="seconds")
