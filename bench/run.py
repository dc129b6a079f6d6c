"""python -m bench.run [--tickets 100000] [--keep] [--refill] [--explain]

Creates the bench database if it is missing, migrates it, fills it (unless it already holds the
requested dataset), times the desk's pages, prints a Markdown table and writes it into
BENCHMARKS.md. The database is dropped afterwards unless --keep is given; a kept database is
reused by the next run of the same size."""

import argparse
import datetime
import os
import platform
import re
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "BENCHMARKS.md"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/helpdesk_bench"
MEDIAN_TARGET_MS = 50

# The same production-shaped settings the test suite runs with (pyproject.toml), DEBUG off.
ENVIRONMENT_DEFAULTS = {
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SECRET_KEY": "bench-only-secret-key-long-and-varied-enough-for-the-production-rule-0123456789",
    "MAILBOX_CREDENTIALS_KEY": "YmVuY2gtb25seS1tYWlsYm94LWNyZWRlbnRpYWxzLWs=",
    "ALLOWED_HOSTS": "*",
    "DEFAULT_FROM_EMAIL": "helpdesk@example.com",
    "SITE_URL": "http://testserver",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
    "SECURE_COOKIES": "false",
    "CELERY_TASK_ALWAYS_EAGER": "true",
    "VAR_DIR": "var/bench",
    "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
}


def configure_environment() -> str:
    """Point Django at the bench database. DATABASE_URL is set, not defaulted: a DATABASE_URL
    in the environment or .env names the real database, which the fill would empty."""
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    name = urlsplit(url).path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"BENCH_DATABASE_URL must name a database with 'bench' in it, not {name!r}.")
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "false"
    os.environ["CACHE_KEY_PREFIX"] = "bench"
    for key, value in ENVIRONMENT_DEFAULTS.items():
        os.environ.setdefault(key, value)
    return url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[2])
    parser.add_argument("--tickets", type=int, default=100_000, help="default 100000")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--refill", action="store_true", help="refill even if the data is there")
    parser.add_argument("--iterations", type=int, default=50, help="timed requests per page")
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE each page's slowest query"
    )
    parser.add_argument("--no-write", action="store_true", help="leave BENCHMARKS.md alone")
    args = parser.parse_args(argv)
    if args.tickets < 1000:
        parser.error("--tickets must be at least 1000")

    configure_environment()
    # WhiteNoise warns that collectstatic has not run; the bench serves no static files.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()
    from django.db import connection

    from bench import measure

    dataset = bench_database_ready(tickets=args.tickets, refill=args.refill)
    print(f"Timing each page {args.iterations} times…")
    results = measure.measure_all(dataset=dataset, iterations=args.iterations, explain=args.explain)
    section = report_section(dataset, results, facts=machine_facts(), facts_data=dataset_facts())
    print()
    print(section)
    if not args.no_write:
        benchmarks_write(dataset.tickets, section)
        print(f"Written to {BENCHMARKS.relative_to(ROOT)}.")
    if not args.keep:
        connection.close()
        _database_drop()
        print("Bench database dropped (--keep keeps it).")


def _admin_connection():
    """A connection to the server's maintenance database, for CREATE / DROP DATABASE."""
    import psycopg
    from django.db import connection

    settings = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=True,
    )


def bench_database_ready(*, tickets: int, refill: bool):
    """The bench database created if missing, migrated, and holding `tickets` tickets of the
    current fill (filled now when it does not, or when `refill`): the dataset to time."""
    from django.core.management import call_command
    from django.db import connection

    from bench import fill

    _database_create()
    print(f"Bench database: {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    dataset = None if refill else fill.dataset_ready(tickets=tickets)
    if dataset is None:
        print(f"Filling {tickets:,} tickets…")
        dataset = fill.fill(tickets=tickets)
        print(f"Filled in {dataset.fill_seconds:.1f} s.")
    else:
        print(f"Reusing the {tickets:,} tickets already there.")
    return dataset


def _database_create() -> None:
    from django.db import connection
    from psycopg import sql

    name = connection.settings_dict["NAME"]
    with _admin_connection() as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}.")


def _database_drop() -> None:
    from django.db import connection
    from psycopg import sql

    name = connection.settings_dict["NAME"]
    with _admin_connection() as admin:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        admin.execute(drop.format(sql.Identifier(name)))


def machine_facts() -> dict[str, str]:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    memory = re.search(r"MemTotal:\s+(\d+) kB", meminfo)
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    cpu = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "cpus": str(len(os.sched_getaffinity(0))),
        "cpu": cpu.group(1).strip() if cpu else platform.processor(),
        "memory": f"{int(memory.group(1)) / 1024 / 1024:.0f} GiB" if memory else "?",
        "postgres": postgres.split(" ")[0],
        "python": platform.python_version(),
        "django": django.get_version(),
    }


def dataset_facts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE status_type = 'closed'),"
            " count(*) FILTER (WHERE status_type IN ('new', 'open') AND assignee_id IS NULL),"
            " count(*) FILTER (WHERE status_type IN ('new', 'open') AND assignee_id IS NOT NULL)"
            " FROM tickets_ticket"
        )
        closed, general, assigned = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM tickets_message")
        messages = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM accounts_customer")
        customers = cursor.fetchone()[0]
    return {
        "closed": closed,
        "general": general,
        "assigned": assigned,
        "messages": messages,
        "customers": customers,
    }


def report_section(dataset, results, *, facts: dict[str, str], facts_data: dict[str, int]) -> str:
    """The Markdown section for one dataset size: heading, machine, data, table."""
    fill_note = f"filled in {dataset.fill_seconds:.0f} s" + (
        " (an earlier run; this one reused it)" if dataset.reused else ""
    )
    lines = [
        f"### {dataset.tickets:,} tickets",
        "",
        f"Measured {facts['date']} on {facts['cpus']} CPUs ({facts['cpu']}), {facts['memory']}"
        f" RAM, PostgreSQL {facts['postgres']}, Python {facts['python']}, Django"
        f" {facts['django']}; {fill_note}.",
        f"Data: {dataset.tickets:,} tickets ({facts_data['closed']:,} closed,"
        f" {facts_data['general']:,} in general pools, {facts_data['assigned']:,} open in techs'"
        f" pools), {facts_data['messages']:,} messages, {facts_data['customers']:,} customers.",
        "",
        "| page | rows shown | queries | median | p95 | SQL time | slowest query | < 50 ms |",
        "|---|--:|--:|--:|--:|--:|--:|:-:|",
    ]
    for result in results:
        page = f"{result.page} ({result.note})" if result.note else result.page
        met = "yes" if result.median_ms < MEDIAN_TARGET_MS else "**no**"
        lines.append(
            f"| {page} | {result.rows} | {result.queries} | {result.median_ms:.1f} ms"
            f" | {result.p95_ms:.1f} ms | {result.sql_ms:.1f} ms | {result.slowest_query_ms:.1f} ms"
            f" | {met} |"
        )
    return "\n".join(lines)


def benchmarks_write(tickets: int, section: str) -> None:
    """Replace this size's section of BENCHMARKS.md (between its markers), or append it."""
    start, end = f"<!-- bench:{tickets} -->", f"<!-- /bench:{tickets} -->"
    block = f"{start}\n{section}\n{end}"
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _match: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    BENCHMARKS.write_text(text)


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"Done in {time.perf_counter() - started:.0f} s.")
