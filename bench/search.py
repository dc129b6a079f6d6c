"""python -m bench.search [--tickets 1000000] [--keep] [--refill] [--iterations 20] [--explain]
[--time-migration]

The desk search (issue 14) on the bench database (bench/run.py's, filled or reused the same
way; the fill ends every message with a word of SEARCH_WORDS and a serial number, and a third
of the tickets carry an order number): a word, a very common word, two words, a Ukrainian word,
a customer's name fragment, an email address fragment, an order number and its fragment, a
serial number found in one message, and a number jump, as the admin (every ticket) and as the
measured tech (their departments' pools and their own). First request, median and p95 of the
page through Django's test client, its query count and its slowest statement.

When the search migrations (tickets 0027, 0028) are not applied yet on a filled database they
are applied here and timed; --time-migration undoes and re-applies them on kept data. Results go
into BENCHMARKS.md between <!-- bench:search:results --> markers."""

import argparse
import re
import statistics
import time

from bench.run import BENCHMARKS, ROOT, configure_environment, machine_facts

MIGRATION = ("tickets", "0028_search_documents")
PREVIOUS = ("tickets", "0026_phone_calls")
RESULTS_START, RESULTS_END = "<!-- bench:search:results -->", "<!-- /bench:search:results -->"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000, help="default 1000000")
    parser.add_argument("--iterations", type=int, default=20, help="timed requests per search")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--refill", action="store_true", help="refill even if the data is there")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN the slowest statements")
    parser.add_argument(
        "--time-migration", action="store_true", help="undo and re-apply tickets 0027-0028, timed"
    )
    parser.add_argument("--no-write", action="store_true", help="leave BENCHMARKS.md alone")
    args = parser.parse_args(argv)
    if args.tickets < 1000:
        parser.error("--tickets must be at least 1000")

    configure_environment()
    import warnings

    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    from bench import fill
    from bench.run import _database_create, _database_drop

    _database_create()
    print(f"Bench database: {connection.settings_dict['NAME']}")
    applied = MigrationRecorder(connection).applied_migrations() if _has_recorder() else {}
    migration_seconds = None
    if MIGRATION not in applied and PREVIOUS in applied:
        # Filled before the search existed: migrate the rest, then time the search's own.
        call_command("migrate", *PREVIOUS, verbosity=0)
    else:
        call_command("migrate", verbosity=0)
    dataset = None if args.refill else fill.dataset_ready(tickets=args.tickets)
    if dataset is None:
        print(f"Filling {args.tickets:,} tickets…")
        dataset = fill.fill(tickets=args.tickets)
        print(f"Filled in {dataset.fill_seconds:.1f} s.")
    else:
        print(f"Reusing the {args.tickets:,} tickets already there.")
    if args.time_migration and MIGRATION in MigrationRecorder(connection).applied_migrations():
        print("Undoing the search migration to time it…")
        call_command("migrate", *PREVIOUS, verbosity=0)
    if MIGRATION not in MigrationRecorder(connection).applied_migrations():
        print("Applying the search migration (index builds)…")
        started = time.perf_counter()
        call_command("migrate", *MIGRATION, verbosity=0)
        migration_seconds = time.perf_counter() - started
        print(f"  {migration_seconds:.1f} s")
    call_command("migrate", verbosity=0)

    results = measure(dataset, iterations=args.iterations, explain=args.explain)
    section = report(
        dataset,
        results,
        iterations=args.iterations,
        migration_seconds=migration_seconds,
        facts=machine_facts(),
        sizes=index_sizes(),
    )
    print()
    print(section)
    if not args.no_write:
        results_write(section)
        print(f"Written to {BENCHMARKS.relative_to(ROOT)}.")
    if not args.keep:
        connection.close()
        _database_drop()
        print("Bench database dropped (--keep keeps it).")


def _has_recorder() -> bool:
    from django.db import connection

    return "django_migrations" in connection.introspection.table_names()


def searches(dataset) -> list[tuple[str, str, int]]:
    """(label, query, expected status) of each timed search, from the data itself."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT order_number FROM tickets_ticket WHERE order_number <> ''"
            " ORDER BY id DESC LIMIT 1 OFFSET 1000"
        )
        order = cursor.fetchone()[0]
        cursor.execute("SELECT max(id) FROM tickets_message WHERE body LIKE '%%SN-%%'")
        last = cursor.fetchone()[0]
        cursor.execute("SELECT body FROM tickets_message WHERE id = %s", [last - 5000])
        serial = re.search(r"SN-[0-9]+", cursor.fetchone()[0]).group(0)
        cursor.execute(
            "SELECT e.email FROM accounts_customeremail e ORDER BY e.id DESC LIMIT 1 OFFSET 777"
        )
        email = cursor.fetchone()[0]
    # One of the measured tech's tickets: both the admin and the tech may open it.
    number = dataset.short_thread_number
    return [
        ("Word (in ~1/60 of messages)", "firmware", 200),
        ("Very common word (in ~1/8 of messages)", "password", 200),
        ("Two words", "firmware reset", 200),
        ("Ukrainian word", "гарантію", 200),
        ("Accented word typed without accents", "cafe", 200),
        ("Customer name fragment", "Kowalsk", 200),
        ("Email address fragment", email.split("@")[0][:-1], 200),
        ("Order number", order, 200),
        ("Order number fragment", order[:-2], 200),
        ("Serial number (one message)", serial, 200),
        ("Ticket number jump", f"#{number}", 302),
    ]


def measure(dataset, *, iterations: int, explain: bool):
    from urllib.parse import urlencode

    from django.test import Client

    from accounts.models import User
    from bench.fill.shape import ADMIN_EMAIL
    from bench.measure import _timed, explain_query

    results = []
    for who, email in (("admin", ADMIN_EMAIL), ("tech", dataset.tech_email)):
        client = Client()
        client.force_login(User.objects.get(email=email))
        for label, text, expect in searches(dataset):
            url = "/desk/search/?" + urlencode({"q": text})
            started = time.perf_counter()
            response = client.get(url)
            first_ms = (time.perf_counter() - started) * 1000
            rows = response.content.decode().count('data-testid="search-hit"')
            result = _timed(client, f"{label}: {text}", url, rows=rows, n=iterations, expect=expect)
            results.append((who, first_ms, result))
            print(
                f"  {who} · {label} ({text!r}): first {first_ms:.0f} ms, median"
                f" {result.median_ms:.1f} ms, p95 {result.p95_ms:.1f} ms, {result.queries}"
                f" queries, {rows} hits"
            )
            if explain:
                explain_query(result)
    return results


def index_sizes() -> list[tuple[str, str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, pg_size_pretty(pg_relation_size(indexname::regclass))"
            " FROM pg_indexes WHERE indexname IN ("
            "'tickets_ticketsearch_staff', 'tickets_ticketsearch_customer',"
            " 'tickets_ticketsearch_pkey', 'tickets_ticket_customer_id_id',"
            " 'tickets_ticket_order_trgm', 'tickets_search_customer_name_trgm',"
            " 'tickets_search_customer_company_trgm', 'accounts_customer_phone_trgm',"
            " 'accounts_customeremail_trgm') ORDER BY indexname"
        )
        return cursor.fetchall()


def report(dataset, results, *, iterations, migration_seconds, facts, sizes) -> str:
    medians = [result.median_ms for _who, _first, result in results]
    lines = [
        RESULTS_START,
        f"### Search at {dataset.tickets:,} tickets / {dataset.messages:,} messages",
        "",
        f"{facts['date']}: {facts['cpus']} CPUs ({facts['cpu']}), {facts['memory']},"
        f" PostgreSQL {facts['postgres']}, Django {facts['django']}. `python -m bench.search"
        f" --tickets {dataset.tickets} --keep`; {iterations} timed requests per search after"
        " warm-up, through Django's test client (the whole page: session, rendering).",
        "",
        "| Who | Search | Hits shown | First (ms) | Median (ms) | p95 (ms) | Queries |"
        " Slowest statement (ms) |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for who, first_ms, result in results:
        lines.append(
            f"| {who} | {result.page} | {result.rows} | {first_ms:.0f} | {result.median_ms:.1f}"
            f" | {result.p95_ms:.1f} | {result.queries} | {result.slowest_query_ms:.1f} |"
        )
    lines += [
        "",
        f"Median of the medians: {statistics.median(medians):.1f} ms; slowest median:"
        f" {max(medians):.1f} ms (target: under 100 ms).",
    ]
    if migration_seconds is not None:
        lines += [
            "",
            f"The search migration (tickets 0027: extensions, configuration, seven GIN indexes"
            f" built CONCURRENTLY, ANALYZE) took {migration_seconds:.0f} s on this data.",
        ]
    if sizes:
        lines += ["", "Index sizes: " + ", ".join(f"`{name}` {size}" for name, size in sizes) + "."]
    lines.append(RESULTS_END)
    return "\n".join(lines)


def results_write(section: str) -> None:
    text = BENCHMARKS.read_text()
    if RESULTS_START in text and RESULTS_END in text:
        before, rest = text.split(RESULTS_START, 1)
        _old, after = rest.split(RESULTS_END, 1)
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n## Search (issue 14)\n\n" + section + "\n"
    BENCHMARKS.write_text(text)


if __name__ == "__main__":
    main()
