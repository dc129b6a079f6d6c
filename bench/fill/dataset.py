"""The dataset a bench run times: filled step by step, or found ready from an earlier run (kept
with --keep), as recorded in the bench_meta table."""

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

from bench.fill.bulk import customers_insert, measured_pool_assign, messages_insert, tickets_insert
from bench.fill.history import closings_insert, consultations_insert
from bench.fill.long_thread import long_thread_insert
from bench.fill.mail_history import inbound_insert, mailboxes_insert, sign_ins_insert
from bench.fill.shape import CUSTOMERS, FILL_VERSION, MEASURED_TECH_EMAIL, SEED
from bench.fill.staff import staff_insert

META_TABLE = "bench_meta"


@dataclass(frozen=True)
class Dataset:
    tickets: int
    messages: int
    tech_email: str
    thread_number: int  # the measured tech's ticket with THREAD_LENGTH messages
    short_thread_number: int  # one of their tickets with a three-message thread
    fill_seconds: float  # how long the fill took (when this run reused it: the original fill)
    reused: bool
    steps: tuple[tuple[str, float], ...] = ()  # each step of the fill and its seconds


def dataset_ready(*, tickets: int) -> Dataset | None:
    """The dataset already in the database, if it holds `tickets` tickets of this version."""
    meta = _meta_read()
    if meta.get("version") != FILL_VERSION or meta.get("tickets") != str(tickets):
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tickets_ticket")
        if cursor.fetchone()[0] != tickets:
            return None
    return Dataset(
        tickets=tickets,
        messages=int(meta["messages"]),
        tech_email=meta["tech_email"],
        thread_number=int(meta["thread_number"]),
        short_thread_number=int(meta["short_thread_number"]),
        fill_seconds=float(meta["fill_seconds"]),
        reused=True,
        steps=tuple(tuple(step) for step in json.loads(meta.get("steps", "[]"))),
    )


def fill(*, tickets: int, log: Callable[[str], None] = print) -> Dataset:
    """Empty the bench database and generate `tickets` tickets with their threads."""
    started = time.perf_counter()
    rng = random.Random(SEED)
    steps = []

    def step(label: str, function, *args):
        began = time.perf_counter()
        result = function(*args)
        seconds = round(time.perf_counter() - began, 1)
        steps.append((label, seconds))
        log(f"  {label}: {seconds:.1f} s")
        return result

    with transaction.atomic(), connection.cursor() as cursor:
        # Foreign keys are right by construction: skip their per-row trigger checks (millions
        # of them at the large size). Needs a superuser (the bench's postgres role is one).
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SELECT setseed(%s)", [(SEED % 1000) / 1000])
        step("emptied the tables", _reset, cursor)
        staff = step("staff, departments, memberships", staff_insert, cursor, rng)
        step(f"{CUSTOMERS:,} customers", customers_insert, cursor)
        step(f"{tickets:,} tickets", tickets_insert, cursor, tickets, staff)
        step("the measured tech's pool", measured_pool_assign, cursor, staff)
        step("messages", messages_insert, cursor)
        thread_number, short_number = step("a 50-message thread", long_thread_insert, cursor, staff)
        # What the reports read (fill version 3).
        step("consultations", consultations_insert, cursor, staff)
        step("closings, reopenings and ratings", closings_insert, cursor)
        step("mailboxes", mailboxes_insert, cursor)
        step(
            "inbound mail",
            lambda: inbound_insert(cursor, tickets=tickets, department_ids=staff.department_ids),
        )
        step("sign-ins", sign_ins_insert, cursor)
        cursor.execute("SELECT count(*) FROM tickets_message")
        messages = cursor.fetchone()[0]
    # VACUUM cannot run in a transaction; it also sets the visibility map (index-only scans).
    with connection.cursor() as cursor:
        step("VACUUM ANALYZE", cursor.execute, "VACUUM ANALYZE")
    dataset = Dataset(
        tickets=tickets,
        messages=messages,
        tech_email=MEASURED_TECH_EMAIL,
        thread_number=thread_number,
        short_thread_number=short_number,
        fill_seconds=round(time.perf_counter() - started, 1),
        reused=False,
        steps=tuple(steps),
    )
    _meta_write(dataset)
    return dataset


def _reset(cursor) -> None:
    cursor.execute(
        "TRUNCATE tickets_attachment, tickets_message, tickets_ticket, accounts_customeremail,"
        " accounts_customer, departments_membership, departments_webform_categories,"
        " departments_webform, departments_category, responses_cannedresponse,"
        " departments_department, accounts_loginevent, django_session, accounts_user,"
        " tickets_closure, tickets_consultation, tickets_satisfactionrating,"
        " tickets_inboundemail, departments_mailbox, reports_countedday, reports_dailycount"
        " RESTART IDENTITY CASCADE"
    )
    cursor.execute("ALTER SEQUENCE tickets_ticket_number_seq RESTART")
    cursor.execute(f"DROP TABLE IF EXISTS {META_TABLE}")


def _meta_read() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [META_TABLE])
        if cursor.fetchone()[0] is None:
            return {}
        cursor.execute(f"SELECT key, value FROM {META_TABLE}")
        return dict(cursor.fetchall())


def _meta_write(dataset: Dataset) -> None:
    values = {
        "version": FILL_VERSION,
        "tickets": str(dataset.tickets),
        "messages": str(dataset.messages),
        "tech_email": dataset.tech_email,
        "thread_number": str(dataset.thread_number),
        "short_thread_number": str(dataset.short_thread_number),
        "fill_seconds": str(dataset.fill_seconds),
        "steps": json.dumps(dataset.steps),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, value text NOT NULL)"
        )
        cursor.execute(f"DELETE FROM {META_TABLE}")
        cursor.executemany(f"INSERT INTO {META_TABLE} VALUES (%s, %s)", list(values.items()))
