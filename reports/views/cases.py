"""The cases behind one number of the reports, as a page and as CSV."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render

from accounts.access import reports_required
from helpdesk.csv_export import csv_response
from reports.case_lists import case_line, case_rows
from reports.definitions import METRICS
from reports.exports import case_csv
from reports.views.overview import report_request

PAGE_SIZE = 50


def _metric(key: str):
    metric = METRICS.get(key)
    if metric is None:
        raise Http404
    return metric


@reports_required
def cases(request, metric: str):
    metric = _metric(metric)
    period, scope, error = report_request(request)
    if error:
        return HttpResponseBadRequest(error, content_type="text/plain; charset=utf-8")
    rows = case_rows(metric=metric, period=period, scope=scope, viewer=request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "metric": metric,
        "period": period,
        "scope": scope,
        "page": page,
        "lines": [case_line(row, metric.source) for row in page.object_list],
    }
    template = "reports/cases.html#case-list" if request.htmx else "reports/cases.html"
    return render(request, template, context)


@reports_required
def cases_csv(request, metric: str):
    metric = _metric(metric)
    period, scope, error = report_request(request)
    if error:
        return HttpResponseBadRequest(error, content_type="text/plain; charset=utf-8")
    header, rows = case_csv(metric=metric, period=period, scope=scope, viewer=request.user)
    name = f"cases-{metric.key}-{period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}.csv"
    return csv_response(filename=name, header=header, rows=rows)
