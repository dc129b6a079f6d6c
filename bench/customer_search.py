"""python -m bench.customer_search [--tickets 100000] [--keep] [--refill] [--iterations 30]

The desk's customer search (/desk/customers/?q=, accounts/customer_search.py) on the bench
database (bench/run.py's, filled or reused the same way): a name fragment, an email fragment, an
order number, a phone number's digits and the list without a search, each as the admin (every
customer) and as the measured tech (only the customers of tickets they may see). The fill has no
phones, companies or order numbers, so they are added first (idempotent, seeded by id): a phone
for every customer, a company for one in four, an order number on one ticket in three. Prints
the median, 95th percentile and query count of each page and the EXPLAIN (ANALYZE) of the
slowest search, and writes a Markdown block into BENCHMARKS.md between
<!-- bench:customer-search:results --> markers."""

import argparse
import re
import statistics
import time
from pathlib import Path

from bench.run import BENCHMARKS, ROOT, configure_environment, machine_facts

MARK_BEGIN = "<!-- bench:customer-search:results -->"
MARK_END = "<!-- /bench:customer-search:results -->"
TARGET_MS = 100


def searches(tech) -> list[tuple[str, str]]:
    """(what, query): the email, order number and phone are of a customer the measured tech
    may see (so both people find them), taken from the tech's first visible ticket with an
    order number."""
    from tickets.access import tickets_visible_to_staff

    ticket = (
        tickets_visible_to_staff(tech)
        .exclude(order_number="")
        .select_related("customer")
        .order_by("id")
        .first()
    )
    customer = ticket.customer
    email = customer.emails.order_by("-is_primary").first().email
    digits = "".join(c for c in customer.phone if c.isdigit())
    return [
        ("Name fragment, common", "ander"),
        ("Name and surname", "ines weber"),
        ("Email fragment", email.split("@")[0] + "@"),
        ("Order number", ticket.order_number.lower()),
        ("Phone digits", f"{digits[2:4]} {digits[4:8]}-{digits[8:]}"),
        ("No match", "zzqx"),
    ]


def details_add() -> None:
    """Phones, companies and order numbers the fill leaves empty."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_customer WHERE phone <> ''")
        if cursor.fetchone()[0]:
            return
        print("Adding phones, companies and order numbers…")
        cursor.execute(
            "UPDATE accounts_customer SET phone = '+49 30 5550 ' || lpad(id::text, 4, '0'),"
            " company = CASE WHEN id % 4 = 0 THEN 'Company ' || (id / 4) || ' GmbH' ELSE '' END"
        )
        cursor.execute(
            "UPDATE tickets_ticket SET order_number = 'ORD-' || lpad(id::text, 6, '0')"
            " WHERE id % 3 = 0"
        )
        cursor.execute("ANALYZE accounts_customer")
        cursor.execute("ANALYZE tickets_ticket")


def time_page(client, url: str, iterations: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.measure import _timer

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    timed: list[tuple[float, str]] = []
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(_timer(timed)):
        client.get(url)
    durations = []
    for _ in range(iterations):
        started = time.perf_counter()
        client.get(url)
        durations.append((time.perf_counter() - started) * 1000)
    durations.sort()
    found = len(re.findall(rb'data-testid="customer-row"', response.content))
    return {
        "median": statistics.median(durations),
        "p95": durations[max(0, round(len(durations) * 0.95) - 1)],
        "queries": len(captured.captured_queries) or len(timed),
        "found": found,
        "slowest_sql": max(timed)[1],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.customer_search", description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000, help="default 100000")
    parser.add_argument("--iterations", type=int, default=30, help="timed requests per page")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--refill", action="store_true", help="refill even if the data is there")
    parser.add_argument("--no-write", action="store_true", help="leave BENCHMARKS.md alone")
    args = parser.parse_args(argv)
    if args.tickets < 1000:
        parser.error("--tickets must be at least 1000")

    configure_environment()
    import warnings

    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils.http import urlencode

    from accounts.models import Customer, User
    from bench.fill.shape import ADMIN_EMAIL
    from bench.run import _database_drop, bench_database_ready

    dataset = bench_database_ready(tickets=args.tickets, refill=args.refill)
    details_add()

    people = {
        "admin": User.objects.get(email=ADMIN_EMAIL),
        "tech": User.objects.get(email=dataset.tech_email),
    }
    clients = {}
    for who, user in people.items():
        clients[who] = Client()
        clients[who].force_login(user)
    base = reverse("tickets:desk_customers")
    wanted = searches(people["tech"])
    pages = [(what, f"{base}?{urlencode({'q': query})}") for what, query in wanted]
    pages.append(("List, first page", base))
    # The machine's state at the time: a page whose figures on a quiet machine are in
    # "Results" above (under 50 ms median).
    pages.append(("Reference: the desk, my pool", reverse("tickets:desk")))
    results = []
    for what, url in pages:
        for who, client in clients.items():
            result = time_page(client, url, args.iterations)
            results.append((what, url, who, result))
            print(
                f"{what:<22} {who:<6} median {result['median']:6.1f} ms"
                f"  p95 {result['p95']:6.1f} ms  {result['queries']} queries"
                f"  {result['found']} rows"
            )
    loadavg = Path("/proc/loadavg")
    load = loadavg.read_text().split()[:3] if loadavg.exists() else []
    slowest = max(results, key=lambda r: r[3]["median"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest[3]["slowest_sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print(f"\nSlowest: {slowest[0]} as {slowest[2]}\n{plan}")

    facts = machine_facts()
    customers = Customer.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tickets_ticket WHERE order_number <> ''")
        with_orders = cursor.fetchone()[0]
    lines = [
        MARK_BEGIN,
        f"Measured {facts['date']} on {facts['cpus']} CPUs ({facts['cpu']}), {facts['memory']}"
        f" RAM, PostgreSQL {facts['postgres']}; `python -m bench.customer_search --tickets"
        f" {dataset.tickets}`, {args.iterations} requests a page through the test client"
        f" (the whole page rendered). Data: {dataset.tickets:,} tickets ({with_orders:,} with an"
        f" order number), {customers:,} customers. The admin sees every customer; the tech"
        " only those of the tickets they may see."
        + (f" Load average when the timing ended: {' / '.join(load)}." if load else ""),
        "",
        "| Search | Query | As | Median | p95 | Queries | Rows |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    queries = dict(wanted)
    for what, _url, who, result in results:
        query = f"`{queries[what]}`" if what in queries else ""
        lines.append(
            f"| {what} | {query} | {who} | {result['median']:.1f} ms"
            f" | {result['p95']:.1f} ms | {result['queries']} | {result['found']} |"
        )
    lines += [
        "",
        f"Target: median under {TARGET_MS} ms. Slowest: {slowest[0]} as {slowest[2]};"
        " its slowest statement's plan:",
        "",
        "```",
        plan,
        "```",
        MARK_END,
    ]
    block = "\n".join(lines)
    if not args.no_write:
        text = BENCHMARKS.read_text()
        if MARK_BEGIN in text:
            text = re.sub(
                re.escape(MARK_BEGIN) + ".*?" + re.escape(MARK_END),
                lambda _m: block,
                text,
                flags=re.S,
            )
        else:
            text = text.rstrip() + "\n\n## Customer search\n\n" + block + "\n"
        BENCHMARKS.write_text(text)
        print(f"Written to {BENCHMARKS.relative_to(ROOT)}.")
    if not args.keep:
        connection.close()
        _database_drop()
        print("Bench database dropped (--keep keeps it).")


if __name__ == "__main__":
    main()
