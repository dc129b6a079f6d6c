"""python -m bench.reports [--tickets 1000000] [--keep] [--refill] [--iterations 10]

The report pages (issue 12) on the bench database (bench/run.py's, filled or reused the same
way): the overview for last month and for last year, as an admin (all departments, then one
tech) and as the manager of one department; the CSV of the per-tech table; one drill-down case
list and its CSV; the sign-in history of last year. Pages that do not exist yet are skipped
with a note. Then the figures as plain SQL (bench/report_queries.py), the EXPLAIN (ANALYZE,
BUFFERS) of the slowest statements, the data's size, and a Markdown section written into
BENCHMARKS.md between
<!-- bench:reports:results --> markers (the findings around it are written by hand)."""

import argparse
import datetime
import os
import time

from bench.run import BENCHMARKS, ROOT, configure_environment, machine_facts

EXPLAINED = 6  # slowest statements of the pages explained
SIZED_TABLES = [
    "tickets_ticket",
    "tickets_message",
    "tickets_closure",
    "tickets_consultation",
    "tickets_inboundemail",
    "tickets_satisfactionrating",
    "accounts_loginevent",
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.reports", description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000, help="default 1000000")
    parser.add_argument("--iterations", type=int, default=10, help="timed requests per page")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--refill", action="store_true", help="refill even if the data is there")
    parser.add_argument("--no-write", action="store_true", help="leave BENCHMARKS.md alone")
    parser.add_argument(
        "--uncounted",
        action="store_true",
        help="forget the reports' daily counts and time the pages reading the rows alone",
    )
    parser.add_argument(
        "--pg",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a PostgreSQL setting for the measured session, e.g. --pg jit=off (repeatable)",
    )
    args = parser.parse_args(argv)
    if args.tickets < 1000:
        parser.error("--tickets must be at least 1000")
    settings = dict(setting.split("=", 1) for setting in args.pg if "=" in setting)
    if len(settings) != len(args.pg) or not all(
        name.replace("_", "").isalnum() for name in settings
    ):
        parser.error("--pg takes NAME=VALUE")

    configure_environment()
    import warnings

    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()
    from django.db import connection

    from bench import report_markdown
    from bench.run import _database_drop, bench_database_ready

    dataset = bench_database_ready(tickets=args.tickets, refill=args.refill)

    counting = days_counted(uncounted=args.uncounted)
    session_settings_apply(settings)
    timings, figures, explained, people = measure(dataset, iterations=args.iterations)
    people["settings"] = settings
    people["counting"] = counting
    section = report_markdown.report(
        dataset,
        timings,
        figures,
        explained,
        people=people,
        iterations=args.iterations,
        facts=machine_facts(),
        data=data_facts(),
    )
    print()
    print(section)
    if not args.no_write:
        variant = ",".join(f"{name}={value}" for name, value in settings.items())
        report_markdown.results_write(section, variant=variant)
        print(f"Written to {BENCHMARKS.relative_to(ROOT)}.")
    if not args.keep:
        connection.close()
        _database_drop()
        print("Bench database dropped (--keep keeps it).")


def days_counted(*, uncounted: bool) -> str:
    """The reports' daily counts as the beat task (reports-days-count) keeps them on a running
    helpdesk: every ended day counted, timed here; or, with --uncounted, none."""
    from reports.daily_counts import days_count, days_uncounted
    from reports.models import CountedDay, DailyCount

    if uncounted:
        DailyCount.objects.all().delete()
        CountedDay.objects.all().delete()
        return "none: the pages read every day from its rows (--uncounted)"
    started = time.perf_counter()
    counted = days_count(days_uncounted(limit=100_000))
    seconds = time.perf_counter() - started
    total = CountedDay.objects.count()
    print(f"Daily counts: {counted:,} days counted in {seconds:.1f} s ({total:,} in all).")
    if counted:
        return (
            f"every ended day ({total:,}), counted in {seconds:.1f} s before the timing, as the"
            " beat task reports-days-count does as days end"
        )
    return f"every ended day ({total:,}), counted by an earlier run"


def session_settings_apply(settings: dict[str, str]) -> None:
    """SET each PostgreSQL setting on the bench's connection, now and whenever it reconnects
    (the test client keeps one connection open across its requests)."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    def apply(connection, **_kwargs):
        with connection.cursor() as cursor:
            for name, value in settings.items():
                cursor.execute(f"SELECT set_config('{name}', %s, false)", [value])

    if settings:
        connection_created.connect(apply, weak=False)
        connection.ensure_connection()
        apply(connection)


def periods(now: datetime.datetime) -> dict[str, tuple[datetime.datetime, datetime.datetime]]:
    """Last month and last year as calendar periods in UTC (the bench's users have no time
    zone of their own, so the views see UTC too)."""
    this_month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    this_year = this_month.replace(month=1)
    return {
        "last_month": (last_month, this_month),
        "last_year": (this_year.replace(year=this_year.year - 1), this_year),
    }


def measure(dataset, *, iterations: int):
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from bench import report_markdown, report_pages, report_queries
    from bench.fill.shape import ADMIN_EMAIL
    from bench.report_pages import Page
    from departments.models import Membership

    admin = User.objects.get(email=ADMIN_EMAIL)
    tech = User.objects.get(email=dataset.tech_email)
    manager = (
        Membership.objects.filter(is_manager=True, department__memberships__user=tech)
        .select_related("user")
        .order_by("department_id")
        .first()
        .user
    )
    managed = Membership.objects.filter(user=manager, is_manager=True).order_by("department_id")
    people = {
        "admin": admin.email,
        "tech": f"{tech.full_name} (id {tech.pk})",
        "manager": f"{manager.email}, manager of "
        + " and ".join(m.department.name for m in managed.select_related("department")),
    }
    clients = {}
    for who, user in (("admin", admin), ("manager", manager)):
        clients[who] = Client()
        clients[who].force_login(user)

    month_url, year_url = "/reports/?period=last_month", "/reports/?period=last_year"
    pages = [
        Page("Overview, last month", "admin", month_url),
        Page("Overview, last year", "admin", year_url),
        Page("Overview, last month, one tech", "admin", f"{month_url}&tech={tech.pk}"),
        Page("Overview, last year, one tech", "admin", f"{year_url}&tech={tech.pk}"),
        Page("Overview, last month", "manager", month_url),
        Page("Overview, last year", "manager", year_url),
    ]
    admin_client = clients["admin"]
    links = report_pages.links_on(admin_client, year_url)
    skipped = []
    per_tech_csv = report_pages.csv_link(admin_client, year_url, links, prefer="tech")
    if per_tech_csv:
        pages.append(Page("Per-tech table, CSV, last year", "admin", per_tech_csv))
    else:
        skipped.append("Per-tech table, CSV: the year's page offers no CSV link")
    # Closed past deadline without consulting: a seventh of a year's closings.
    case_list = report_pages.case_list_link(links, prefer="closed_late")
    if case_list:
        metric = case_list.split("/")[3]
        pages.append(Page(f"Case list ({metric}), last year", "admin", case_list))
        case_links = report_pages.links_on(admin_client, case_list)
        case_csv = report_pages.csv_link(admin_client, case_list, case_links)
        if case_csv:
            pages.append(Page(f"Case list ({metric}), CSV, last year", "admin", case_csv))
        else:
            skipped.append(f"Case list ({metric}), CSV: the case list offers no CSV link")
    else:
        skipped.append("Case list: the year's page links to no /reports/cases/<metric>/ list")

    people["load"] = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    # The sign-in history (every tech's sessions and hours; it offers no "last year" by name).
    first, end = periods(timezone.now().astimezone(datetime.UTC))["last_year"]
    last = (end - datetime.timedelta(days=1)).date()
    sign_ins = f"/reports/sign-ins/?from={first.date()}&to={last}"
    pages.append(Page("Sign-in history, last year", "admin", sign_ins))
    timings = []
    for page in pages:
        timing = report_pages.page_time(clients[page.who], page, iterations=iterations)
        timings.append(timing)
        if timing.measured:
            print(
                f"  {page.label} ({page.who}): first {timing.first_ms:.0f} ms, median"
                f" {timing.median_ms:.0f} ms, p90 {timing.p90_ms:.0f} ms,"
                f" {timing.queries} queries, SQL {timing.sql_ms:.0f} ms"
            )
        else:
            print(f"  {page.label} ({page.who}): {timing.note}")
    for note in skipped:
        print(f"  {note}: skipped")

    for timing in timings:
        if (
            timing.measured
            and timing.page.who == "admin"
            and timing.page.url
            in (
                month_url,
                year_url,
            )
        ):
            report_pages.jit_measure(timing, min_ms=report_markdown.BREAKDOWN_MIN_MS)
    explained = [
        (ms, label, sql, report_pages.explain(sql))
        for ms, label, sql in report_pages.slowest_statements(timings, count=EXPLAINED)
    ]
    spans = periods(timezone.now().astimezone(datetime.UTC))
    print("Timing the figures as plain SQL…")
    figures = report_queries.figures_measure(
        month=spans["last_month"], year=spans["last_year"], tech_id=tech.pk
    )
    for figure in figures:
        print(
            f"  {figure.name} ({figure.scope}): month {figure.month_ms:.1f} ms,"
            f" year {figure.year_ms:.1f} ms"
        )
    people["skipped"] = skipped
    return timings, figures, explained, people


def data_facts() -> dict:
    from django.db import connection
    from django.utils import timezone

    spans = periods(timezone.now().astimezone(datetime.UTC))
    facts: dict = {"tables": []}
    with connection.cursor() as cursor:
        for table in SIZED_TABLES:
            cursor.execute(
                f"SELECT count(*), pg_relation_size(%s), pg_indexes_size(%s) FROM {table}",
                [table, table],
            )
            facts["tables"].append((table, *cursor.fetchone()))
        cursor.execute("SELECT pg_database_size(current_database())")
        facts["database"] = cursor.fetchone()[0]
        for name, (start, end) in spans.items():
            cursor.execute(
                "SELECT count(*), count(*) FILTER (WHERE closed_at > deadline),"
                " count(*) FILTER (WHERE consulted),"
                " count(*) FILTER (WHERE feedback_at IS NOT NULL)"
                " FROM tickets_closure WHERE closed_at >= %s AND closed_at < %s",
                [start, end],
            )
            facts[name] = (start, end, *cursor.fetchone())
    return facts


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"Done in {time.perf_counter() - started:.0f} s.")
