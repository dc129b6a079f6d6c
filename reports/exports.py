"""The reports' tables as CSV rows: each table of the page, for the same period and scope, and
the cases behind a number. Plain values (durations in hours, shares in percent) so a
spreadsheet can compute with them."""

from collections.abc import Iterator
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from reports.breakdowns import (
    answers,
    by_category,
    by_channel,
    opened_counts,
    satisfaction_split,
    trend,
)
from reports.case_lists import case_rows
from reports.definitions import (
    CLOSINGS,
    CONSULTATIONS,
    MAILS,
    METRICS,
    REOPENINGS,
    SEED_METRICS,
    Metric,
)
from reports.metrics import MOMENT, Numbers, report_numbers
from reports.periods import ReportPeriod
from reports.report import department_rows, tech_rows
from reports.scope import Scope

ROW_KEYS = [metric.key for metric in SEED_METRICS] + ["closed", "within_sla", "reopened"]
# The business times' percentiles: reports/metrics.py report_numbers works them out for the whole
# scope only, so only the summary's table has them (a tech's or a department's would be empty).
TIME_KEYS = ("response_p50", "response_p90", "resolution_p50", "resolution_p90")


def _hours(value: timedelta | None) -> str:
    return f"{value.total_seconds() / 3600:.2f}" if value is not None else ""


def _share(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else ""


def _numbers_header(*, times: bool) -> list[str]:
    header = [
        *(str(METRICS[key].label) for key in ROW_KEYS),
        _("Customer feedback after closing, %"),
        _("Within SLA, %"),
    ]
    if times:
        header += [
            _("First response, median (business hours)"),
            _("First response, 90th percentile (business hours)"),
            _("Resolution, median (business hours)"),
            _("Resolution, 90th percentile (business hours)"),
        ]
    return header


def _numbers_cells(numbers: Numbers, *, times: bool) -> list:
    cells = [
        *(numbers.count(key) for key in ROW_KEYS),
        _share(numbers.share("feedback")),
        _share(numbers.share("within_sla")),
    ]
    if times:
        cells += [_hours(numbers.times.get(key)) for key in TIME_KEYS]
    return cells


def _breakdown(rows, who: str, total: Numbers, *, times: bool = False):
    header = [who, *_numbers_header(times=times)]
    lines = [[row.label, *_numbers_cells(row.numbers, times=times)] for row in rows]
    lines.append([_("All"), *_numbers_cells(total, times=times)])
    return header, lines


def table_rows(table: str, *, period: ReportPeriod, scope: Scope) -> tuple[list[str], list]:
    """(header, rows) of one of the page's tables (TABLES)."""
    if table == "summary":
        return _breakdown([], _("Scope"), report_numbers(period, scope).total, times=True)
    if table == "techs":
        numbers = report_numbers(period, scope)
        rows = tech_rows(period, scope, numbers)
        header, lines = _breakdown(rows, _("Tech"), numbers.total)
        signed_in = [_hours(row.signed_in) for row in rows] + [""]
        return [*header, _("Signed in (hours)")], [
            [*line, hours] for line, hours in zip(lines, signed_in, strict=True)
        ]
    if table == "departments":
        numbers = report_numbers(period, scope)
        return _breakdown(department_rows(numbers), _("Department"), numbers.total)
    if table == "channels":
        return [_("Channel"), _("Cases opened")], [
            [r.label, r.count] for r in by_channel(opened_counts(period, scope))
        ]
    if table == "categories":
        rows = by_category(opened_counts(period, scope))
        return [_("Category"), _("Cases opened")], [[r.label, r.count] for r in rows]
    if table == "satisfaction":
        split = satisfaction_split(period, scope)
        return [_("Mark"), _("Score"), _("Ratings")], [
            [mark.label, mark.score, mark.count] for mark in split.marks
        ]
    if table == "answers":
        return [_("Question"), _("Answer"), _("Times given")], [
            [row.question_text, row.answer, row.count] for row in answers(period, scope)
        ]
    if table == "trend":
        data = trend(period, report_numbers(period, scope))
        header = [
            _("From"),
            str(METRICS["emails_received"].label),
            _("Closed on time"),
            _("Closed past deadline"),
            _("Within SLA, %"),
        ]
        rows = zip(
            data.starts,
            data.received,
            data.on_time,
            data.past_deadline,
            data.within_sla,
            strict=True,
        )
        return header, [[day.isoformat(), a, b, c, _share(d)] for day, a, b, c, d in rows]
    raise KeyError(table)


TABLES = (
    "summary",
    "techs",
    "departments",
    "channels",
    "categories",
    "satisfaction",
    "answers",
    "trend",
)


def case_csv(
    *, metric: Metric, period: ReportPeriod, scope: Scope, viewer
) -> tuple[list, Iterator]:
    """The cases behind a number, every one (streamed in chunks, not one page)."""
    header = [
        _("Ticket"),
        _("Subject"),
        _("Department"),
        _("Owner"),
        _("When"),
        _("Deadline"),
        _("Detail"),
    ]
    rows = case_rows(metric=metric, period=period, scope=scope, viewer=viewer)
    fields = CSV_FIELDS[metric.source]
    # Plain values, not model instances: a year's list is tens of thousands of rows.
    values = rows.values_list(
        "ticket__number",
        "ticket__subject",
        fields["department"],
        f"{fields['owner']}__full_name",
        f"{fields['owner']}__email",
        MOMENT[metric.source],
        fields["deadline"] or MOMENT[metric.source],
        fields["detail"] or MOMENT[metric.source],
    )

    def lines():
        for number, subject, department, name, email, at, deadline, detail in values.iterator(
            chunk_size=2000
        ):
            yield [
                number,
                subject,
                department or "",
                name or email or "",
                _local(at, period),
                _local(deadline, period) if fields["deadline"] else "",
                detail if fields["detail"] else "",
            ]

    return header, lines()


# Per source: where a case line's department, owner, deadline and detail come from (as
# reports/case_lists.py case_line reads them from the rows).
CSV_FIELDS = {
    CLOSINGS: {
        "department": "department__name",
        "owner": "owner",
        "deadline": "deadline",
        "detail": "",
    },
    REOPENINGS: {
        "department": "department__name",
        "owner": "owner",
        "deadline": "deadline",
        "detail": "",
    },
    CONSULTATIONS: {
        "department": "case_department__name",
        "owner": "case_owner",
        "deadline": "deadline_when_asked",
        "detail": "department__name",
    },
    MAILS: {
        "department": "department__name",
        "owner": "owner",
        "deadline": "",
        "detail": "from_address",
    },
}


def _local(moment, period: ReportPeriod) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment, period.zone).strftime("%Y-%m-%d %H:%M")
