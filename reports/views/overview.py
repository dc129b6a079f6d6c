"""The reports page: the period and scope from the query string, the report, its CSV tables."""

from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render

from accounts.access import reports_required
from helpdesk.csv_export import csv_response
from reports.definitions import (
    METRICS,
    RESOLUTION_TIME_DEFINITION,
    RESPONSE_TIME_DEFINITION,
    SEED_METRICS,
    TECH_ATTRIBUTION,
)
from reports.exports import TABLES, table_rows
from reports.periods import PRESETS, PeriodError, period_from_query
from reports.report import report_build
from reports.report_charts import report_charts
from reports.scope import scope_choices, scope_from_query


def report_request(request):
    """The period and scope asked for, or the error message and the default period."""
    scope = scope_from_query(request.GET, viewer=request.user)
    try:
        return period_from_query(request.GET), scope, ""
    except PeriodError as error:
        return period_from_query({}), scope, str(error)


@reports_required
def index(request):
    period, scope, error = report_request(request)
    report = report_build(period=period, scope=scope)
    context = {
        "report": report,
        "charts": report_charts(report),
        "period": period,
        "scope": scope,
        "period_error": error,
        "presets": PRESETS,
        "choices": scope_choices(request.user),
        "seed_metrics": SEED_METRICS,
        "metrics": METRICS,
        "definitions": {
            "response": RESPONSE_TIME_DEFINITION,
            "resolution": RESOLUTION_TIME_DEFINITION,
            "attribution": TECH_ATTRIBUTION,
        },
        "query": request.GET,
    }
    template = "reports/index.html#report-body" if request.htmx else "reports/index.html"
    return render(request, template, context, status=400 if error else 200)


@reports_required
def table_csv(request, table: str):
    if table not in TABLES:
        raise Http404
    period, scope, error = report_request(request)
    if error:
        return _bad_period(error)
    header, rows = table_rows(table, period=period, scope=scope)
    name = f"report-{table}-{period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}.csv"
    return csv_response(filename=name, header=header, rows=rows)


def _bad_period(error: str):
    return HttpResponseBadRequest(error, content_type="text/plain; charset=utf-8")
