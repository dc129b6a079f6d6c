"""The reports' figures as plain SQL on the tables and indexes they read (tickets/models/
reporting.py and the indexes of migration tickets 0019): what a period costs the database by
itself, whatever the views above it do. Each figure is one statement, for a period globally or
for one tech (the owner of the case when it closed); each is timed and the year's plans kept.

They follow SPEC.md "Reports": a case counts once in a period, at its last closing in it (a
closing superseded by a later one in the same period is left out)."""

import statistics
import time
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

CLOSED_IN_PERIOD = (
    "closed_at >= %(start)s AND closed_at < %(end)s"
    " AND (superseded_at IS NULL OR superseded_at >= %(end)s)"
)
# name -> (global SQL, the same for one tech); %(start)s, %(end)s, %(tech)s.
FIGURES: dict[str, tuple[str, str]] = {
    "1. e-mails received": (
        "SELECT count(*) FROM tickets_inboundemail"
        " WHERE status IN ('ticket', 'reply', 'consultation')"
        " AND received_at >= %(start)s AND received_at < %(end)s",
        "SELECT count(*) FROM tickets_inboundemail AS e JOIN tickets_ticket AS t"
        " ON t.id = e.ticket_id WHERE e.status IN ('ticket', 'reply', 'consultation')"
        " AND e.received_at >= %(start)s AND e.received_at < %(end)s"
        " AND t.assignee_id = %(tech)s",
    ),
    "2.-5., 8., reopened, within SLA: closings in one pass": (
        "SELECT count(*) FILTER (WHERE closed_at <= deadline AND NOT consulted),"
        " count(*) FILTER (WHERE closed_at <= deadline AND consulted),"
        " count(*) FILTER (WHERE closed_at > deadline AND consulted),"
        " count(*) FILTER (WHERE closed_at > deadline AND NOT consulted),"
        " count(*) FILTER (WHERE feedback_at IS NOT NULL), count(*)"
        f" FROM tickets_closure WHERE {CLOSED_IN_PERIOD}",
        "SELECT count(*) FILTER (WHERE closed_at <= deadline AND NOT consulted),"
        " count(*) FILTER (WHERE closed_at <= deadline AND consulted),"
        " count(*) FILTER (WHERE closed_at > deadline AND consulted),"
        " count(*) FILTER (WHERE closed_at > deadline AND NOT consulted),"
        " count(*) FILTER (WHERE feedback_at IS NOT NULL), count(*)"
        f" FROM tickets_closure WHERE owner_id = %(tech)s AND {CLOSED_IN_PERIOD}",
    ),
    "median and p90 first response and resolution (closings)": (
        "SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY response_used),"
        " percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY resolution_used)"
        f" FROM tickets_closure WHERE {CLOSED_IN_PERIOD}",
        "SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY response_used),"
        " percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY resolution_used)"
        f" FROM tickets_closure WHERE owner_id = %(tech)s AND {CLOSED_IN_PERIOD}",
    ),
    "per-tech table (closings by owner)": (
        "SELECT owner_id, count(*) FILTER (WHERE closed_at <= deadline AND NOT consulted),"
        " count(*) FILTER (WHERE closed_at <= deadline AND consulted),"
        " count(*) FILTER (WHERE closed_at > deadline AND consulted),"
        " count(*) FILTER (WHERE closed_at > deadline AND NOT consulted),"
        " count(*) FILTER (WHERE feedback_at IS NOT NULL), count(*)"
        f" FROM tickets_closure WHERE {CLOSED_IN_PERIOD} GROUP BY owner_id",
        "",
    ),
    "trend: closings by month": (
        "SELECT date_trunc('month', closed_at AT TIME ZONE 'UTC'), count(*)"
        f" FROM tickets_closure WHERE {CLOSED_IN_PERIOD} GROUP BY 1 ORDER BY 1",
        "SELECT date_trunc('month', closed_at AT TIME ZONE 'UTC'), count(*)"
        f" FROM tickets_closure WHERE owner_id = %(tech)s AND {CLOSED_IN_PERIOD}"
        " GROUP BY 1 ORDER BY 1",
    ),
    "6.-7. first consultations before / past deadline": (
        "SELECT count(*) FILTER (WHERE asked_at <= deadline_when_asked),"
        " count(*) FILTER (WHERE asked_at > deadline_when_asked) FROM tickets_consultation"
        " WHERE first_of_case AND asked_at >= %(start)s AND asked_at < %(end)s",
        "SELECT count(*) FILTER (WHERE asked_at <= deadline_when_asked),"
        " count(*) FILTER (WHERE asked_at > deadline_when_asked) FROM tickets_consultation"
        " WHERE first_of_case AND asked_at >= %(start)s AND asked_at < %(end)s"
        " AND asked_by_id = %(tech)s",
    ),
    "reopened cases": (
        "SELECT count(DISTINCT ticket_id) FROM tickets_closure"
        " WHERE reopened_at >= %(start)s AND reopened_at < %(end)s",
        "SELECT count(DISTINCT ticket_id) FROM tickets_closure"
        " WHERE reopened_at >= %(start)s AND reopened_at < %(end)s AND owner_id = %(tech)s",
    ),
    "tickets by channel (opened in the period)": (
        "SELECT source, count(*) FROM tickets_ticket"
        " WHERE created_at >= %(start)s AND created_at < %(end)s GROUP BY source",
        "SELECT source, count(*) FROM tickets_ticket"
        " WHERE created_at >= %(start)s AND created_at < %(end)s AND assignee_id = %(tech)s"
        " GROUP BY source",
    ),
    "first response times (cases first answered in the period)": (
        "SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY response_used)"
        " FROM tickets_ticket"
        " WHERE first_response_at >= %(start)s AND first_response_at < %(end)s",
        "SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY response_used)"
        " FROM tickets_ticket WHERE first_response_at >= %(start)s"
        " AND first_response_at < %(end)s AND assignee_id = %(tech)s",
    ),
    "satisfaction by mark": (
        "SELECT mark_id, count(*) FROM tickets_satisfactionrating"
        " WHERE rated_at >= %(start)s AND rated_at < %(end)s GROUP BY mark_id",
        "SELECT mark_id, count(*) FROM tickets_satisfactionrating"
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
