"""The Markdown of a bench.reports run, and where it goes in BENCHMARKS.md: the results block
of the "Reports" section, between <!-- bench:reports:results --> markers (the findings around
it are written by hand)."""

import re
import subprocess

from bench.run import BENCHMARKS, ROOT

TARGET_MS = 1000  # issue 12: a year under 1 s median
REFERENCE_PLANS = 3  # slowest plain-SQL figures whose year plan is written down
BREAKDOWN_MIN_MS = 5  # statements of the admin's overview listed one by one
RESULTS_START, RESULTS_END = "<!-- bench:reports:results -->", "<!-- /bench:reports:results -->"
SECTION_START, SECTION_END = "<!-- bench:reports -->", "<!-- /bench:reports -->"


def report(dataset, timings, figures, explained, *, people, iterations, facts, data) -> str:
    fill_note = f"filled in {dataset.fill_seconds:.0f} s" + (
        " (an earlier run; this one reused it)" if dataset.reused else ""
    )
    lines = [
        f"### Reports at {dataset.tickets:,} tickets"
        + (f", {_settings(people['settings'])}" if people["settings"] else ""),
        "",
        f"Measured {facts['date']} on {facts['cpus']} CPUs ({facts['cpu']}), {facts['memory']}"
        f" RAM, PostgreSQL {facts['postgres']} ({_settings(people['settings'])}), Python"
        f" {facts['python']},"
        f" Django {facts['django']}, code at commit {_commit()}; {fill_note}. Signed in as"
        f" {people['admin']} (admin) or {people['manager']}; the tech is {people['tech']}."
        f" Load average when the timing began: {people['load']}. Daily counts:"
        f" {people['counting']}.",
        "",
    ]
    for name in ("last_month", "last_year"):
        start, end, closings, late, consulted, feedback = data[name]
        lines.append(
            f"- {name.replace('_', ' ')} ({start:%Y-%m-%d} to {end:%Y-%m-%d}): {closings:,}"
            f" closings, {late:,} past deadline, {consulted:,} consulted, {feedback:,} with"
            " feedback"
        )
    lines += _pages(timings, iterations=iterations, skipped=people["skipped"])
    lines += _breakdown(timings)
    lines += _figures(figures)
    lines += _data(dataset, data)
    if explained:
        from bench.report_pages import statement_summary

        lines += ["", f"The {len(explained)} slowest statements of the pages, one of each kind:"]
        for ms, label, sql, plan in explained:
            lines += _folded(f"{label}, {ms:.0f} ms: {statement_summary(sql)}", sql, plan)
    slowest = sorted(figures, key=lambda figure: figure.year_ms, reverse=True)[:REFERENCE_PLANS]
    if slowest:
        lines += ["", "The plans of the slowest plain-SQL figures for the year:"]
        for figure in slowest:
            title = f"{figure.name} ({figure.scope}), {figure.year_ms:.0f} ms"
            lines += _folded(title, "", figure.year_plan)
    return "\n".join(lines)


def _folded(title: str, sql: str, plan: str) -> list[str]:
    """A statement and its plan, folded under a one-line summary."""
    lines = ["", f"<details><summary>{title}</summary>", ""]
    if sql:
        lines += ["```sql", sql, "```", ""]
    return [*lines, "```", plan, "```", "", "</details>"]


def _pages(timings, *, iterations: int, skipped: list[str]) -> list[str]:
    lines = [
        "",
        f"| page | signed in as | first request | median | p90 | queries | SQL time | rows"
        f" | < {TARGET_MS / 1000:.0f} s |",
        "|---|---|--:|--:|--:|--:|--:|--:|:-:|",
    ]
    for timing in timings:
        page = timing.page
        label = f"{page.label} `{page.url}`"
        if not timing.measured:
            lines.append(f"| {label} | {page.who} | {timing.note} | | | | | | |")
            continue
        met = "yes" if timing.median_ms < TARGET_MS else "**no**"
        lines.append(
            f"| {label} | {page.who} | {_ms(timing.first_ms)} | {_ms(timing.median_ms)}"
            f" | {_ms(timing.p90_ms)} | {timing.queries} | {_ms(timing.sql_ms)} | {timing.rows:,}"
            f" | {met} |"
        )
    lines.append("")
    lines.append(
        f"First request: the page's first in the process (cold); median and p90 of {iterations}"
        " timed requests after 2 warm-up ones; SQL time: all statements of one more request;"
        " rows: table rows of the HTML, lines of a CSV."
    )
    for note in skipped:
        lines.append(f"Skipped: {note}.")
    overviews = [timing for timing in timings if timing.page.label.startswith("Overview")]
    if overviews and all(timing.measured and not timing.rows for timing in overviews):
        lines.append(
            "The overview shows no table at this commit (the report views are not there yet):"
            " its times are the frame of an empty page."
        )
    return lines


def _breakdown(timings) -> list[str]:
    """The admin's overview for the month and the year, statement by statement."""
    from bench.report_pages import statement_summary

    pages = {
        timing.page.label: timing
        for timing in timings
        if timing.measured and timing.page.who == "admin"
    }
    month, year = pages.get("Overview, last month"), pages.get("Overview, last year")
    if not month or not year or len(month.statements) != len(year.statements):
        return []
    if not month.jit or not year.jit:
        return []
    lines = [
        "",
        "Where the admin's overview spends its SQL time, statement by statement (those over"
        f" {BREAKDOWN_MIN_MS} ms in either period; tables without their `tickets_` prefix):",
        "",
        "| statement | last month | of it JIT | last year | of it JIT |",
        "|---|--:|--:|--:|--:|",
    ]
    rest_month = rest_year = 0.0
    rows = zip(month.statements, month.jit, year.statements, year.jit, strict=True)
    for (month_ms, sql), month_jit, (year_ms, _sql), year_jit in rows:
        if max(month_ms, year_ms) < BREAKDOWN_MIN_MS:
            rest_month, rest_year = rest_month + month_ms, rest_year + year_ms
            continue
        lines.append(
            f"| {statement_summary(sql)} | {month_ms:.0f} ms | {month_jit:.0f} ms"
            f" | {year_ms:.0f} ms | {year_jit:.0f} ms |"
        )
    lines.append(f"| the other statements | {rest_month:.0f} ms | | {rest_year:.0f} ms | |")
    lines.append(
        f"| all | {sum(ms for ms, _ in month.statements):.0f} ms | {sum(month.jit):.0f} ms"
        f" | {sum(ms for ms, _ in year.statements):.0f} ms | {sum(year.jit):.0f} ms |"
    )
    lines += [
        "",
        "JIT: PostgreSQL's compilation of the statement (`jit` is on by default; the"
        ' "Timing: … Total" of its EXPLAIN ANALYZE, run once more after the timings).',
    ]
    return lines


def _figures(figures) -> list[str]:
    lines = [
        "",
        "The figures as plain SQL on the same data, each source read once, grouped by owner,"
        " department and month where the page needs it (median of 5 runs, warm;"
        " bench/report_queries.py):",
        "",
        "| figure | scope | last month | last year |",
        "|---|---|--:|--:|",
    ]
    for figure in figures:
        lines.append(
            f"| {figure.name} | {figure.scope} | {figure.month_ms:.1f} ms"
            f" | {figure.year_ms:.1f} ms |"
        )
    for scope in ("all", "one tech"):
        chosen = [figure for figure in figures if figure.scope == scope]
        lines.append(
            f"| **all of them** | {scope} | {sum(f.month_ms for f in chosen):.0f} ms"
            f" | {sum(f.year_ms for f in chosen):.0f} ms |"
        )
    return lines


def _data(dataset, data) -> list[str]:
    lines = ["", "Data and its size on disk:", "", "| table | rows | heap | indexes |"]
    lines.append("|---|--:|--:|--:|")
    for table, rows, heap, indexes in data["tables"]:
        lines.append(f"| `{table}` | {rows:,} | {_size(heap)} | {_size(indexes)} |")
    lines.append(f"| the whole database | | {_size(data['database'])} | |")
    if dataset.steps:
        lines += ["", "The fill, step by step:", "", "| step | seconds |", "|---|--:|"]
        lines += [f"| {label} | {seconds:.1f} |" for label, seconds in dataset.steps]
    return lines


def results_write(section: str, *, variant: str = "") -> None:
    """Replace a results block of the "Reports" section of BENCHMARKS.md: the main one, or with
    `variant` (a run with other PostgreSQL settings, named by them) its own block after the
    main one. A
    missing section is appended with a placeholder for the findings."""
    start, end = _markers(variant)
    text = BENCHMARKS.read_text()
    block = f"{start}\n{section}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _match: block, text)
    elif variant and RESULTS_END in text:
        text = text.replace(RESULTS_END, f"{RESULTS_END}\n\n{block}", 1)
    else:
        text = (
            text.rstrip("\n")
            + f"\n\n{SECTION_START}\n## Reports (issue 12)\n\n{block}\n\n### Findings\n\n"
            + f"(to be written)\n{SECTION_END}\n"
        )
    BENCHMARKS.write_text(text)


def _markers(variant: str) -> tuple[str, str]:
    if not variant:
        return RESULTS_START, RESULTS_END
    return f"<!-- bench:reports:results:{variant} -->", f"<!-- /bench:reports:results:{variant} -->"


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def _settings(settings: dict[str, str]) -> str:
    if not settings:
        return "its default settings"
    return "default settings but " + ", ".join(f"`{k} = {v}`" for k, v in settings.items())


def _ms(value: float) -> str:
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def _size(value: int) -> str:
    return f"{value / 1024 / 1024:,.0f} MB"
