"""python -m bench.escalation [--tickets 100000] [--overdue 10000] [--keep] [--refill]

The SLA escalation sweep (tickets/sla/escalation.py) on the bench database (bench/run.py fills
it, or reuses a kept one of the same size): `--overdue` open cases are made to pass their clock
in the last half hour (closed cases are reopened for it when there are not enough open ones),
then
1. one sweep over them: time, queries, alerts recorded, event lines and mails written;
2. sweeps that find nothing new: time and query count (the target: one indexed query under
   10 ms), and the EXPLAIN of that query, which must read the partial index tickets_sla_alert.
Mails are written to the outbox but not handed to the broker (the outbox's own sending is not
what is measured). Afterwards the cases, the thread, the notifications and the outbox are put
back as they were, so a kept database measures the same next time; a run that died half-way is
undone at the start of the next. Prints a Markdown table."""

import argparse
import statistics
import time
from dataclasses import dataclass

from bench.run import configure_environment

SAVED_TABLE = "bench_escalation_saved"  # the ticket rows as they were
MARKS_TABLE = "bench_escalation_marks"  # the largest id of each table the run writes to
EMPTY_RUNS = 20
TARGET_MS = 10
# The ticket columns the setup and the sweep change, put back afterwards.
SAVED_COLUMNS = [
    "status_id",
    "status_type",
    "closed_at",
    "due_at",
    "risk_at",
    "response_due_at",
    "resolution_due_at",
    "sla_alerts",
    "sla_alert_at",
    "sla_mark_at",
    "response_used",
    "resolution_used",
    "response_limit",
    "resolution_limit",
    "resolution_started_at",
    "pending_since",
    "pending_reminded_at",
    "pending_action_at",
    "updated_at",
]
WATERMARKED = ["tickets_notification", "tickets_outboundemail", "tickets_message"]


@dataclass(frozen=True)
class Sweep:
    label: str
    cases: int  # due when it started
    alerts: int
    events: int
    mails: int
    queries: int
    milliseconds: float


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.escalation", description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000, help="default 100000")
    parser.add_argument("--overdue", type=int, default=10_000, help="default 10000")
    parser.add_argument("--batch", type=int, default=200, help="the sweep's batch, default 200")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--refill", action="store_true", help="refill even if the data is there")
    args = parser.parse_args(argv)
    if args.tickets < 1000:
        parser.error("--tickets must be at least 1000")
    if not 0 < args.overdue <= args.tickets:
        parser.error("--overdue must be between 1 and --tickets")

    configure_environment()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import fill
    from bench.run import _database_create, _database_drop

    _database_create()
    print(f"Bench database: {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    undo()  # a run that died half-way
    if args.refill or fill.dataset_ready(tickets=args.tickets) is None:
        print(f"Filling {args.tickets:,} tickets…")
        dataset = fill.fill(tickets=args.tickets)
        print(f"Filled in {dataset.fill_seconds:.1f} s.")
    else:
        print(f"Reusing the {args.tickets:,} tickets already there.")
    try:
        results, plan = measure(overdue=args.overdue, batch=args.batch)
    finally:
        undo()
    print()
    print(report(results, plan, tickets=args.tickets, batch=args.batch))
    if not args.keep:
        connection.close()
        _database_drop()
        print("Bench database dropped (--keep keeps it).")


def measure(*, overdue: int, batch: int) -> tuple[list[Sweep], str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tickets.mail import outbox
    from tickets.sla.escalation import sla_alerts_sweep

    now = timezone.now()
    made, reopened, already = overdue_make(count=overdue, now=now)
    print(
        f"{made:,} open cases passed their clock in the last half hour ({reopened:,} of them"
        f" reopened closed cases); {already:,} more came due since the fill."
    )
    # The mails stay in the outbox: handing them to the broker (or, with the suite's eager
    # Celery, sending them) is the outbox's work, not the sweep's.
    outbox.outbox_queue = lambda ids: list(ids)

    results = []
    before = _counts()
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        alerts = sla_alerts_sweep(now=now, batch=batch)
        elapsed = (time.perf_counter() - started) * 1000
    after = _written_since(before)
    results.append(
        Sweep(
            label=f"Sweep over the overdue cases (batches of {batch})",
            cases=made + already,
            alerts=alerts,
            events=after["events"],
            mails=after["mails"],
            queries=len(captured),
            milliseconds=elapsed,
        )
    )

    timings, queries, sql = [], set(), ""
    for _ in range(EMPTY_RUNS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            found = sla_alerts_sweep(now=now, batch=batch)
            timings.append((time.perf_counter() - started) * 1000)
        assert found == 0, f"a second sweep found {found} alerts"
        queries.add(len(captured))
        sql = captured.captured_queries[0]["sql"]
    results.append(
        Sweep(
            label=f"Sweep that finds nothing new (median of {EMPTY_RUNS})",
            cases=0,
            alerts=0,
            events=0,
            mails=0,
            queries=max(queries),
            milliseconds=statistics.median(timings),
        )
    )
    return results, explain(sql)


def overdue_make(*, count: int, now) -> tuple[int, int, int]:
    """Save the rows the run will change, then give `count` cases (open ones first, then
    reopened closed ones) a clock that passed in the last half hour and no SLA mail yet.
    Returns (cases made overdue, of which reopened, cases already due since the fill)."""
    from django.db import connection, transaction

    columns = ", ".join(SAVED_COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM tickets_ticket WHERE status_type IN ('new', 'open')"
            " ORDER BY md5(id::text) LIMIT %s",
            [count],
        )
        chosen = [row[0] for row in cursor.fetchall()]
        opened = len(chosen)
        if opened < count:
            cursor.execute(
                "SELECT id FROM tickets_ticket WHERE status_type = 'closed'"
                " ORDER BY md5(id::text) LIMIT %s",
                [count - opened],
            )
            chosen += [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT count(*) FROM tickets_ticket WHERE sla_alert_at <= %s AND NOT id = ANY(%s)",
            [now, chosen],
        )
        already = cursor.fetchone()[0]
        cursor.execute(
            f"CREATE TABLE {SAVED_TABLE} AS SELECT id, {columns} FROM tickets_ticket"
            " WHERE id = ANY(%s) OR sla_alert_at <= %s",
            [chosen, now],
        )
        cursor.execute(f"CREATE TABLE {MARKS_TABLE} (name text PRIMARY KEY, id bigint NOT NULL)")
        for table in WATERMARKED:
            cursor.execute(
                f"INSERT INTO {MARKS_TABLE} SELECT %s, coalesce(max(id), 0) FROM {table}", [table]
            )
        cursor.execute("SELECT id FROM tickets_status WHERE type = 'open' AND is_default")
        open_status = cursor.fetchone()[0]
        # Reopened: in progress again, as status_set leaves a reopened case.
        cursor.execute(
            "UPDATE tickets_ticket SET status_id = %s, status_type = 'open', closed_at = NULL,"
            " pending_since = NULL WHERE id = ANY(%s) AND status_type = 'closed'",
            [open_status, chosen],
        )
        # Passed within the last half hour: the first response clock where there was no reply
        # yet (resolution still running later), else the resolution clock.
        cursor.execute(
            "UPDATE tickets_ticket AS t SET"
            " sla_alerts = 0, sla_mark_at = %(now)s, resolution_started_at = t.created_at,"
            " response_limit = d.response_time_limit,"
            " resolution_limit = coalesce(d.resolution_time_limit, d.response_time_limit),"
            " response_due_at = CASE WHEN t.first_response_at IS NULL THEN passed.at"
            "   ELSE t.response_due_at END,"
            " resolution_due_at = CASE WHEN t.first_response_at IS NULL"
            "   THEN passed.at + coalesce(d.resolution_time_limit, d.response_time_limit)"
            "        - d.response_time_limit ELSE passed.at END,"
            " due_at = passed.at, risk_at = passed.at, sla_alert_at = passed.at"
            " FROM departments_department AS d,"
            " LATERAL (SELECT %(now)s - random() * interval '30 minutes' AS at) AS passed"
            " WHERE t.id = ANY(%(chosen)s) AND d.id = t.department_id",
            {"now": now, "chosen": chosen},
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket")
    return len(chosen), len(chosen) - opened, already


def undo() -> None:
    """Put the saved rows back and remove what the run wrote after its watermarks."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [SAVED_TABLE])
        if cursor.fetchone()[0] is None:
            return
    columns = ", ".join(f"{column} = s.{column}" for column in SAVED_COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT name, id FROM {MARKS_TABLE}")
        marks = dict(cursor.fetchall())
        for table in WATERMARKED:  # the notifications first: they point at the event lines
            cursor.execute(f"DELETE FROM {table} WHERE id > %s", [marks[table]])
        cursor.execute(
            f"UPDATE tickets_ticket AS t SET {columns} FROM {SAVED_TABLE} AS s WHERE t.id = s.id"
        )
        cursor.execute(f"DROP TABLE {SAVED_TABLE}, {MARKS_TABLE}")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE tickets_ticket, tickets_message, tickets_outboundemail")
    print("Put the cases, the thread and the outbox back as they were.")


def _written_since(before: dict[str, int]) -> dict[str, int]:
    from tickets.models import Message, OutboundEmail

    return {
        "events": Message.objects.filter(id__gt=before["events"]).count(),
        "mails": OutboundEmail.objects.filter(id__gt=before["mails"]).count(),
    }


def _counts() -> dict[str, int]:
    """The largest ids of the thread and the outbox (the run only adds rows to them)."""
    from tickets.models import Message, OutboundEmail

    return {
        "events": Message.objects.order_by("-id").values_list("id", flat=True).first() or 0,
        "mails": OutboundEmail.objects.order_by("-id").values_list("id", flat=True).first() or 0,
    }


def explain(sql: str) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the sweep's one query when nothing is due."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def report(results: list[Sweep], plan: str, *, tickets: int, batch: int) -> str:
    full, empty = results
    per_case = full.milliseconds / full.cases if full.cases else 0
    lines = [
        f"### SLA escalation sweep, {tickets:,} tickets",
        "",
        "| sweep | cases due | alerts | event lines | mails written | queries | time |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for result in results:
        lines.append(
            f"| {result.label} | {result.cases:,} | {result.alerts:,} | {result.events:,}"
            f" | {result.mails:,} | {result.queries:,} | {_duration(result.milliseconds)} |"
        )
    uses_index = "tickets_sla_alert" in plan
    met = empty.queries == 1 and empty.milliseconds < TARGET_MS and uses_index
    lines += [
        "",
        f"Over the overdue cases: {per_case:.2f} ms a case, {full.queries / max(1, full.cases):.3f}"
        f" queries a case (batches of {batch}).",
        f"Nothing new: {empty.queries} query, median {empty.milliseconds:.2f} ms, plan reads"
        f" tickets_sla_alert: {'yes' if uses_index else '**no**'}; target (one indexed query"
        f" under {TARGET_MS} ms) {'met' if met else '**not met**'}.",
        "",
        "```",
        plan,
        "```",
    ]
    return "\n".join(lines)


def _duration(milliseconds: float) -> str:
    if milliseconds >= 1000:
        return f"{milliseconds / 1000:.2f} s"
    return f"{milliseconds:.2f} ms"


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"Done in {time.perf_counter() - started:.0f} s.")
