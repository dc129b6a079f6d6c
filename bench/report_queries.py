"""The reports' numbers as plain SQL on the same tables and indexes (tickets/models/reporting.py,
migrations tickets 0019 and 0022), each source read once: what a period costs the database when
every row of the period is read one time, whatever the views above it do. The definitions follow
reports/definitions.py and reports/metrics.py (a case counts once, at its last closing in the
period; spam closings never; a mail counts for its case's department and owner when it arrived,
a first consultation for its ticket's). Counts add up, so one query per source grouped by
owner, department and month gives the total, both breakdowns and the trend; percentiles do not,
so they are one more pass over the closings (one sort per percentile)."""

import statistics
import time
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

CLOSED = (
    " FROM tickets_closure WHERE closed_at >= %(start)s AND closed_at < %(end)s"
    " AND (superseded_at IS NULL OR superseded_at >= %(end)s) AND reason <> 'spam'"
)
CLOSING_COUNTS = (
    "count(*) FILTER (WHERE closed_at <= deadline AND NOT consulted),"
    " count(*) FILTER (WHERE closed_at <= deadline AND consulted),"
    " count(*) FILTER (WHERE closed_at > deadline AND consulted),"
    " count(*) FILTER (WHERE closed_at > deadline AND NOT consulted),"
    " count(*) FILTER (WHERE feedback_at IS NOT NULL),"
    " count(*) FILTER (WHERE closed_at <= deadline AND (first_response_at <= response_due_at"
    " OR first_response_at IS NULL AND closed_at <= response_due_at)), count(*)"
)
ACCEPTED = (
    " FROM tickets_inboundemail WHERE status IN ('ticket', 'reply', 'consultation')"
    " AND received_at >= %(start)s AND received_at < %(end)s"
)
FIRST_CONSULTED = (
    " FROM tickets_consultation AS k"
    " WHERE k.first_of_case AND k.asked_at >= %(start)s AND k.asked_at < %(end)s"
)
OPENED = " FROM tickets_ticket WHERE created_at >= %(start)s AND created_at < %(end)s"
MONTH = "date_trunc('month', {} AT TIME ZONE 'UTC')"
TIMES = (
    "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY response_used),"
    " percentile_cont(0.9) WITHIN GROUP (ORDER BY response_used),"
    " percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_used),"
    " percentile_cont(0.9) WITHIN GROUP (ORDER BY resolution_used)"
)

# name -> (SQL for everything, the same for one tech or "" when a tech needs no other form).
FIGURES: dict[str, tuple[str, str]] = {
    "1. e-mails received by owner, department and month": (
        f"SELECT owner_id, department_id, {MONTH.format('received_at')}, count(*){ACCEPTED}"
        " GROUP BY 1, 2, 3",
        f"SELECT department_id, {MONTH.format('received_at')}, count(*){ACCEPTED}"
        " AND owner_id = %(tech)s GROUP BY 1, 2",
    ),
    "2.-5., 8., within SLA: closings by owner, department and month": (
        f"SELECT owner_id, department_id, {MONTH.format('closed_at')}, {CLOSING_COUNTS}{CLOSED}"
        " GROUP BY 1, 2, 3",
        f"SELECT department_id, {MONTH.format('closed_at')}, {CLOSING_COUNTS}{CLOSED}"
        " AND owner_id = %(tech)s GROUP BY 1, 2",
    ),
    "first response and resolution, median and p90 (closings)": (
        f"{TIMES}{CLOSED}",
        f"{TIMES}{CLOSED} AND owner_id = %(tech)s",
    ),
    "6.-7. first consultations by owner, department and month": (
        "SELECT k.case_owner_id, k.case_department_id, {},".format(MONTH.format("k.asked_at"))
        + " count(*) FILTER (WHERE k.asked_at <= k.deadline_when_asked),"
        f" count(*) FILTER (WHERE k.asked_at > k.deadline_when_asked){FIRST_CONSULTED}"
        " GROUP BY 1, 2, 3",
        "SELECT k.case_department_id, count(*) FILTER (WHERE k.asked_at <= k.deadline_when_asked),"
        f" count(*) FILTER (WHERE k.asked_at > k.deadline_when_asked){FIRST_CONSULTED}"
        " AND k.case_owner_id = %(tech)s GROUP BY 1",
    ),
    "reopened cases by owner and department": (
        "SELECT owner_id, department_id, count(DISTINCT ticket_id) FROM tickets_closure"
        " WHERE reopened_at >= %(start)s AND reopened_at < %(end)s AND reason <> 'spam'"
        " GROUP BY 1, 2",
        "SELECT department_id, count(DISTINCT ticket_id) FROM tickets_closure"
        " WHERE reopened_at >= %(start)s AND reopened_at < %(end)s AND reason <> 'spam'"
        " AND owner_id = %(tech)s GROUP BY 1",
    ),
    "cases opened by channel and category": (
        f"SELECT source, category_id, count(*){OPENED} GROUP BY 1, 2",
        f"SELECT source, category_id, count(*){OPENED} AND assignee_id = %(tech)s GROUP BY 1, 2",
    ),
    "satisfaction by mark": (
        "SELECT mark_id, count(*), sum(score) FROM tickets_satisfactionrating"
        " WHERE rated_at >= %(start)s AND rated_at < %(end)s GROUP BY mark_id",
        "SELECT mark_id, count(*), sum(score) FROM tickets_satisfactionrating"
        " WHERE rated_at >= %(start)s AND rated_at < %(end)s AND owner_id = %(tech)s"
        " GROUP BY mark_id",
    ),
    "sign-in hours per tech": (
        "SELECT i.user_id, sum(least(o.at, %(end)s) - greatest(i.at, %(start)s))"
        " FROM accounts_loginevent AS i JOIN accounts_loginevent AS o ON o.sign_in_id = i.id"
        " WHERE i.kind = 'sign_in' AND i.at < %(end)s AND o.at >= %(start)s GROUP BY i.user_id",
        "SELECT sum(least(o.at, %(end)s) - greatest(i.at, %(start)s))"
        " FROM accounts_loginevent AS i JOIN accounts_loginevent AS o ON o.sign_in_id = i.id"
        " WHERE i.kind = 'sign_in' AND i.user_id = %(tech)s AND i.at < %(end)s"
        " AND o.at >= %(start)s",
    ),
}
REPEATS = 5


@dataclass(frozen=True)
class Figure:
    name: str
    scope: str  # "all", "one tech"
    month_ms: float
    year_ms: float
    year_plan: str


def figures_measure(
    *, month: tuple[datetime, datetime], year: tuple[datetime, datetime], tech_id: int
) -> list[Figure]:
    """Each figure for the month and the year, globally and for the tech: median of REPEATS
    runs after one warm-up, and the EXPLAIN (ANALYZE, BUFFERS) of the year."""
    figures = []
    for name, (overall, per_tech) in FIGURES.items():
        for scope, sql in (("all", overall), ("one tech", per_tech)):
            if not sql:
                continue
            timings = {}
            for label, (start, end) in (("month", month), ("year", year)):
                params = {"start": start, "end": end, "tech": tech_id}
                timings[label] = _median_ms(sql, params)
            plan = _plan(sql, {"start": year[0], "end": year[1], "tech": tech_id})
            figures.append(Figure(name, scope, timings["month"], timings["year"], plan))
    return figures


def _median_ms(sql: str, params: dict) -> float:
    timings = []
    with connection.cursor() as cursor:
        for index in range(REPEATS + 1):
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            if index:  # the first run warms up
                timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _plan(sql: str, params: dict) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())
