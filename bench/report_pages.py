"""Time the report pages through Django's test client, and find their slowest queries.

Which pages exist is found at run time: a route that answers 404 is skipped with a note, and the
CSV exports and drill-down case lists are the links the report page itself offers (the bench
does not guess their URLs beyond a few common spellings, each checked to answer text/csv).

Each page is requested once cold (its first request in this process: templates compiled, the
database's pages perhaps not in memory, any cache of the view empty), a few times to warm up,
then timed `iterations` times; one more request runs under CaptureQueriesContext to count its
queries (BEGIN and COMMIT included, as django_assert_num_queries counts them) and keep each
one's SQL and time for EXPLAIN."""

import html
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

WARMUP = 2
CSV_SPELLINGS = ("format=csv", "export=csv", "csv=1")


@dataclass(frozen=True)
class Page:
    label: str
    who: str  # "admin", "manager"
    url: str


@dataclass
class Timing:
    page: Page
    status: int
    note: str = ""  # why it was skipped, or what it showed
    first_ms: float = 0.0
    median_ms: float = 0.0
    p90_ms: float = 0.0
    queries: int = 0
    sql_ms: float = 0.0
    rows: int = 0  # table rows in the HTML, lines of a CSV (header left out)
    size: int = 0  # bytes of the response
    statements: list[tuple[float, str]] = field(default_factory=list)  # (ms, SQL) of one request
    jit: list[float] = field(default_factory=list)  # JIT ms of each statement (jit_measure)

    @property
    def measured(self) -> bool:
        return self.status == 200 and not self.note.startswith("skipped")


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def page_time(client: Client, page: Page, *, iterations: int) -> Timing:
    """First, median and 90th percentile of the server time of `page`, its queries."""
    started = time.perf_counter()
    response = client.get(page.url)
    body = body_of(response)
    first_ms = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        return Timing(
            page=page,
            status=response.status_code,
            note="skipped: the route is missing"
            if response.status_code == 404
            else f"skipped: HTTP {response.status_code}",
        )
    for _ in range(WARMUP):
        body_of(client.get(page.url))
    timings = []
    for _ in range(iterations):
        started = time.perf_counter()
        body_of(client.get(page.url))
        timings.append((time.perf_counter() - started) * 1000)
    statements: list[tuple[float, str]] = []
    with (
        CaptureQueriesContext(connection) as captured,
        connection.execute_wrapper(_timer(statements)),
    ):
        body_of(client.get(page.url))
    is_csv = "csv" in response.get("Content-Type", "")
    text = body.decode("utf-8", "replace")
    return Timing(
        page=page,
        status=200,
        first_ms=first_ms,
        median_ms=statistics.median(timings),
        p90_ms=_percentile(timings, 90),
        queries=len(captured.captured_queries),
        sql_ms=sum(ms for ms, _sql in statements),
        rows=max(0, text.count("\n") - 1) if is_csv else text.count("<tr"),
        size=len(body),
        statements=statements,
    )


def links_on(client: Client, url: str) -> list[str]:
    """The report links (under /reports/) of the page at `url`, in page order, unescaped."""
    response = client.get(url)
    if response.status_code != 200:
        return []
    text = body_of(response).decode("utf-8", "replace")
    found = []
    for href in re.findall(r'href="([^"]+)"', text):
        link = html.unescape(href)
        if link.startswith("/reports/") and link not in found:
            found.append(link)
    return found


def csv_link(client: Client, url: str, links: list[str], *, prefer: str = "") -> str | None:
    """The CSV export the page at `url` offers (a link with `prefer` in it first), else the
    page's own URL with a common CSV spelling, if that answers text/csv."""
    offered = [link for link in links if "csv" in link.lower()]
    preferred = [link for link in offered if prefer and prefer in link.lower()]
    if preferred or offered:
        return (preferred or offered)[0]
    for spelling in CSV_SPELLINGS:
        guess = f"{url}{'&' if '?' in url else '?'}{spelling}"
        response = client.get(guess)
        if response.status_code == 200 and "csv" in response.get("Content-Type", ""):
            return guess
    return None


def case_list_link(links: list[str], *, prefer: str) -> str | None:
    """A drill-down case list among `links`: the one of metric `prefer`, else the first."""
    lists = [link for link in links if link.startswith("/reports/cases/")]
    lists = [link for link in lists if "csv" not in link.lower()]
    for link in lists:
        if link.split("/")[3] == prefer:
            return link
    return lists[0] if lists else None


def slowest_statements(timings: list[Timing], *, count: int) -> list[tuple[float, str, str]]:
    """The `count` slowest SELECTs over the measured pages, one of each kind (the same tables,
    grouping and names, whatever the filters): (ms, page label, SQL)."""
    seen, found = set(), []
    everything = [
        (ms, f"{timing.page.label} ({timing.page.who})", sql)
        for timing in timings
        for ms, sql in timing.statements
    ]
    for ms, label, sql in sorted(everything, reverse=True):
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        kind = statement_summary(sql)
        if kind in seen:
            continue
        seen.add(kind)
        found.append((ms, label, sql))
        if len(found) == count:
            break
    return found


def statement_summary(sql: str) -> str:
    """A statement in a few words: its tables, what it groups by, the names it selects."""
    tables = [name.removeprefix("tickets_") for name in re.findall(r'(?:FROM|JOIN) "(\w+)"', sql)]
    if not tables:  # hand-written SQL: its tables unquoted, its own words
        raw = re.findall(r"(?:FROM|JOIN) (\w+)", sql)
        tables = [name for name in raw if "_" in name]
        return "SQL on " + " + ".join(dict.fromkeys(tables)) if tables else "SQL"
    words = " + ".join(dict.fromkeys(tables))
    names = re.findall(r'AS "(\w+)"', sql.split(" FROM ", 1)[0])
    first = re.match(r'\s*SELECT (.+?) AS "(\w+)"', sql)
    keys = [name.removeprefix("group_") for name in names if name.startswith("group_")]
    if keys:  # values(group_owner=…, group_department=…).annotate(…)
        words += " by " + ", ".join(keys)
        names = [name for name in names if not name.startswith("group_")]
    elif " GROUP BY " in sql and first:
        column = re.findall(r'"(\w+)"', first.group(1))
        key = "month" if "DATE_TRUNC" in first.group(1) else (column[-1] if column else "?")
        words += f" by {key}"
        names = names[1:]
    if names:
        words += ": " + ", ".join(names[:4]) + (", …" if len(names) > 4 else "")
    return words


def jit_measure(timing: Timing, *, min_ms: float) -> None:
    """The JIT compilation time of each SELECT of the page slower than `min_ms`, from its
    EXPLAIN ANALYZE (0 for the others)."""
    timing.jit = []
    for ms, sql in timing.statements:
        if ms < min_ms or not sql.lstrip().upper().startswith("SELECT"):
            timing.jit.append(0.0)
            continue
        found = re.search(r"Timing: .*Total ([\d.]+) ms", explain(sql))
        timing.jit.append(float(found.group(1)) if found else 0.0)


def explain(sql: str) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of one statement, in a transaction rolled back afterwards."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    return plan


def _timer(statements: list[tuple[float, str]]) -> Callable:
    """An execute wrapper recording each query's time and its SQL with the parameters in
    place."""

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            milliseconds = (time.perf_counter() - started) * 1000
            text = connection.ops.last_executed_query(context["cursor"], sql, params)
            statements.append((milliseconds, text))

    return wrapper


def _percentile(values: list[float], rank: int) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, -(-rank * len(ordered) // 100) - 1)]
