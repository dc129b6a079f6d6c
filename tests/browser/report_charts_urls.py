"""A test-only page with every kind of report chart on realistic numbers, served by the live
server under `override_settings(ROOT_URLCONF=...)` (the product has no such page): a month by
day, a year by month and by week, a year by day, the satisfaction split, tickets by channel, and
the empty and nearly empty cases, laid out in cards as the reports page lays them out."""

import random
from datetime import date, timedelta

from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django.utils.formats import date_format

from helpdesk.urls import urlpatterns as product_urlpatterns
from reports.charts import Bucket, Series, bar_chart, split_chart, trend_chart

PAGE = """{% extends "base.html" %}
{% block title %}Charts{% endblock %}
{% block content %}
<h1 class="h3">Report charts</h1>
<div class="row g-3">
  {% for chart in trends %}
    <div class="col-lg-6"><section class="card h-100"><div class="card-body">
      {% include "reports/includes/chart_trend.html" with chart=chart %}
    </div></section></div>
  {% endfor %}
  <div class="col-lg-6"><section class="card h-100"><div class="card-body">
    {% include "reports/includes/chart_split.html" with chart=split %}
  </div></section></div>
  <div class="col-lg-6"><section class="card h-100"><div class="card-body">
    {% include "reports/includes/chart_bars.html" with chart=bars %}
  </div></section></div>
  <div class="col-lg-6"><section class="card h-100"><div class="card-body">
    {% include "reports/includes/chart_split.html" with chart=empty_split %}
    {% include "reports/includes/chart_trend.html" with chart=empty_trend %}
  </div></section></div>
</div>
{% endblock %}
"""


def days(first: date, count: int) -> list[Bucket]:
    return [
        Bucket(label=date_format(first + timedelta(days=i), "j M"), start=first + timedelta(days=i))
        for i in range(count)
    ]


def weeks(first: date, count: int) -> list[Bucket]:
    return [
        Bucket(
            label=date_format(first + timedelta(weeks=i), "j M"), start=first + timedelta(weeks=i)
        )
        for i in range(count)
    ]


def months(year: int) -> list[Bucket]:
    return [
        Bucket(label=date_format(date(year, m, 1), "M Y"), start=date(year, m, 1))
        for m in range(1, 13)
    ]


def charts() -> dict:
    rng = random.Random(12)
    march = days(date(2025, 3, 1), 31)
    weekday = [b.start.weekday() < 5 for b in march]
    received = [rng.randint(38, 74) if w else rng.randint(3, 12) for w in weekday]
    on_time = [round(r * rng.uniform(0.7, 0.9)) for r in received]
    late = [rng.randint(0, 6) if w else 0 for w in weekday]
    year_months = months(2024)
    first_response = [rng.randint(40, 200) * 60 for _ in year_months]
    resolution = [rng.randint(6, 30) * 3600 + rng.randint(0, 59) * 60 for _ in year_months]
    resolution[7] = None  # August: nobody closed anything (the line has a gap)
    year_weeks = weeks(date(2024, 1, 1), 53)
    within_sla = [round(rng.uniform(78, 99), 1) for _ in year_weeks]
    for gap in (16, 17, 30):
        within_sla[gap] = None
    reopened = [round(rng.uniform(0, 9), 1) for _ in year_weeks]
    reopened[31] = None
    leap_year = days(date(2024, 1, 1), 366)
    mails = [
        rng.randint(900, 2400) if b.start.weekday() < 5 else rng.randint(80, 300) for b in leap_year
    ]
    return {
        "trends": [
            trend_chart(
                title="Cases by day, March 2025",
                buckets=march,
                series=[
                    Series(key="received", label="E-mails received", values=received),
                    Series(key="on_time", label="Closed on time", values=on_time),
                    Series(key="late", label="Closed past deadline", values=late),
                ],
            ),
            trend_chart(
                title="Median times by month, 2024",
                buckets=year_months,
                series=[
                    Series(
                        key="first_response",
                        label="First response (median)",
                        values=first_response,
                        unit="duration",
                    ),
                    Series(
                        key="resolution",
                        label="Resolution (median)",
                        values=resolution,
                        unit="duration",
                    ),
                ],
            ),
            trend_chart(
                title="Within SLA by week, 2024",
                buckets=year_weeks,
                series=[
                    Series(key="sla", label="Within SLA", values=within_sla, unit="percent"),
                    Series(key="reopened", label="Reopened", values=reopened, unit="percent"),
                ],
            ),
            trend_chart(
                title="E-mails received by day, 2024",
                buckets=leap_year,
                series=[Series(key="mails", label="E-mails received", values=mails)],
            ),
            trend_chart(
                title="Cases today",
                buckets=days(date(2025, 3, 14), 1),
                series=[
                    Series(key="received", label="Received", values=[17]),
                    Series(key="closed", label="Closed", values=[12]),
                ],
            ),
            trend_chart(
                title="Reopened cases by day",
                buckets=days(date(2025, 3, 1), 7),
                series=[Series(key="reopened", label="Reopened", values=[0] * 7)],
            ),
        ],
        "split": split_chart(
            title="Satisfaction after closing",
            parts=[
                ("Answer satisfies", 412),
                ("Satisfies, but took too long", 96),
                ("Not complete enough", 38),
                ("Did not help at all", 9),
            ],
        ),
        "bars": bar_chart(
            title="Tickets by channel",
            rows=[("E-mail", 12480), ("Web form", 3112), ("Staff on the phone", 640), ("API", 0)],
            label_heading="Channel",
            value_heading="Tickets",
        ),
        "empty_split": split_chart(
            title="Satisfaction after closing (last week)",
            parts=[("Answer satisfies", 0), ("Not complete enough", 0)],
            empty_text="No customer rated a case closed in this period.",
        ),
        "empty_trend": trend_chart(
            title="First responses by day (yesterday)",
            buckets=days(date(2025, 3, 13), 1),
            series=[Series(key="fr", label="First responses", values=[None])],
        ),
    }


def chart_page(request):
    page = engines["django"].from_string(PAGE)
    return HttpResponse(page.render(charts(), request))


urlpatterns = [path("test-charts/", chart_page), *product_urlpatterns]
