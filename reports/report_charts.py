"""The reports page's charts, drawn from the report's own numbers (reports/charts.py draws):
the trend of the key counts and of the share within SLA, cases by channel and by category, and
the satisfaction split. Each chart's table is the accessible source of its numbers."""

from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reports.charts import (
    BarChart,
    Bucket,
    Series,
    SplitChart,
    TrendChart,
    bar_chart,
    split_chart,
    trend_chart,
)
from reports.report import Report


@dataclass(frozen=True)
class ReportCharts:
    counts: TrendChart
    within_sla: TrendChart
    channels: BarChart
    categories: BarChart
    satisfaction: SplitChart


def report_charts(report: Report) -> ReportCharts:
    trend = report.trend
    buckets = [
        Bucket(label=date_format(start, trend.date_format), start=start) for start in trend.starts
    ]
    by = trend.label
    return ReportCharts(
        counts=trend_chart(
            title=_("Mail received and cases closed, %(by)s") % {"by": by},
            buckets=buckets,
            series=[
                Series("received", _("E-mails received"), trend.received, "count"),
                Series("on_time", _("Closed on time"), trend.on_time, "count"),
                Series("past_deadline", _("Closed past deadline"), trend.past_deadline, "count"),
            ],
            empty_text=_("Nothing was received or closed in this period."),
        ),
        within_sla=trend_chart(
            title=_("Share of closed cases within SLA, %(by)s") % {"by": by},
            buckets=buckets,
            series=[Series("within_sla", _("Within SLA"), trend.within_sla, "percent")],
            empty_text=_("No case was closed in this period."),
        ),
        channels=bar_chart(
            title=_("Cases opened by channel"),
            rows=[(row.label, row.count) for row in report.channels],
            label_heading=_("Channel"),
            value_heading=_("Cases opened"),
            empty_text=_("No cases opened in this period."),
        ),
        categories=bar_chart(
            title=_("Cases opened by category"),
            rows=[(row.label, row.count) for row in report.categories],
            label_heading=_("Category"),
            value_heading=_("Cases opened"),
            empty_text=_("No cases opened in this period."),
        ),
        satisfaction=split_chart(
            title=_("Satisfaction by mark"),
            parts=[
                (_("%(mark)s (score %(score)s)") % {"mark": m.label, "score": m.score}, m.count)
                for m in report.satisfaction.marks
            ],
            empty_text=_("No customer rated a case in this period."),
        ),
    )
