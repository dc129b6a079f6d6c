"""python -m bench.ingest [--messages 10000] [--protocol imap|pop3] [--profile] [--no-write]
                         [--keep] [--no-auto-response]

Times one worker taking mail in from a real Dovecot (the mail tests' harness): delivers realistic
mail to one mailbox, polls it until nothing is left, checks that every mail became exactly one
record and was marked done on the server, polls all of it a second time (every mail a
duplicate), prints a Markdown report and writes it into BENCHMARKS.md.

The order of a run: a warm-up batch of new tickets (so replies have tickets to answer), a sample
of 200 mails polled with every statement captured and timed (queries per mail), with --profile
1,000 mails under a sampling profiler and 1,000 under cProfile, then the timed batch of
--messages mails plus 1% second copies of some of them (same Message-ID, one more Received
header), polled by one worker with `mailbox_poll(limit=500)` until a poll takes in nothing.
Everything runs in this process: auto-responses are Celery tasks run eagerly into Django's locmem
mail backend, so their cost is part of the time."""

from __future__ import annotations

import argparse
import cProfile
import datetime
import imaplib
import io
import logging
import os
import pstats
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import warnings
from collections import Counter, deque
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path
from urllib.parse import urlsplit

from bench.run import BENCHMARKS, ROOT, configure_environment, machine_facts

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/helpdesk_bench_ingest"
MEDIA_DIR = ROOT / "var" / "bench" / "ingest-media"  # raw mail and attachments of the run
PROFILE_FILE = ROOT / "var" / "bench" / "ingest.prof"
MARKER = "ingest"
RESULTS_MARKER = "ingest:results"

USER = "support@example.test"
TARGET_PER_SECOND = 200
POLL_LIMIT = 500
SAMPLE_MESSAGES = 200
PROFILE_MESSAGES = 1000
SENDERS = 2000
SEED = 5
# What the mail is: new requests, replies to earlier tickets, new requests with a screenshot,
# out-of-office answers to our auto-responses.
MIX = {"new": 0.70, "reply": 0.20, "attachment": 0.05, "automatic": 0.05}
EXPECTED_STATUS = {
    "new": "ticket",
    "attachment": "ticket",
    "reply": "reply",
    "automatic": "ignored",
}
HTML_SHARE = 0.5  # mails sent as text and HTML (multipart/alternative), as webmail does
DUPLICATE_SHARE = 0.01
APPEND_WINDOW = 100  # APPENDs written before their answers are read
COMMIT_PROBE = 300


# --- the environment -------------------------------------------------------------------------


def environment_configure() -> str:
    """The page bench's settings, with a database, cache prefix and media folder of our own, so
    a kept page-bench database is never touched."""
    url = os.environ.get("BENCH_INGEST_DATABASE_URL", DEFAULT_DATABASE_URL)
    name = urlsplit(url).path.lstrip("/")
    if "bench" not in name or "ingest" not in name:
        # The database is dropped before the run: it must be unmistakably this bench's.
        sys.exit(
            f"BENCH_INGEST_DATABASE_URL must name a database with 'bench' and 'ingest' in it,"
            f" not {name!r}."
        )
    os.environ["BENCH_DATABASE_URL"] = url
    configure_environment()
    os.environ["CACHE_KEY_PREFIX"] = "bench-ingest"
    os.environ["MEDIA_ROOT"] = str(MEDIA_DIR)
    return url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ingest", description=__doc__.split("\n\n")[1].replace("\n", " ")
    )
    parser.add_argument("--messages", type=int, default=10_000, help="timed mails; default 10000")
    parser.add_argument("--protocol", choices=("imap", "pop3"), default="imap")
    parser.add_argument("--keep", action="store_true", help="keep the database and media")
    parser.add_argument("--no-write", action="store_true", help="leave BENCHMARKS.md alone")
    parser.add_argument(
        "--no-auto-response",
        action="store_true",
        help="turn the mailbox's auto-responses off, to see the intake alone",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also take in 1,000 mails under a sampling profiler and 1,000 under cProfile",
    )
    args = parser.parse_args(argv)
    if args.messages < 100:
        parser.error("--messages must be at least 100")

    environment_configure()
    # Stopped with SIGTERM (kill, timeout): unwind, so Dovecot stops and the database is dropped.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit("Stopped (SIGTERM)."))
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()
    # One INFO line per eager auto-response task; a Celery worker would write it to its own log.
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection

    from bench.run import _database_create, _database_drop
    from tests.mail.dovecot import start_dovecot

    _database_drop()  # a fresh database: ticket numbers, customers and spam counts from zero
    _database_create()
    print(f"Bench database: {connection.settings_dict['NAME']} (created afresh)")
    call_command("migrate", verbosity=0)
    shutil.rmtree(MEDIA_DIR, ignore_errors=True)
    server = start_dovecot()
    print(f"Dovecot: IMAPS {server.imaps_port}, POP3S {server.pop3s_port} ({server.root})")
    try:
        report = run(args, server)
        section = report_section(report)
        print()
        print(section)
        if not args.no_write:
            benchmarks_write(section)
            print(f"Written to {BENCHMARKS.relative_to(ROOT)}.")
    finally:
        server.stop()
        if not args.keep:
            connection.close()
            _database_drop()
            shutil.rmtree(MEDIA_DIR, ignore_errors=True)
            print("Bench database and media dropped (--keep keeps them).")


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Pass:
    """One worker polling until a poll takes in nothing."""

    messages: int = 0  # mails the polls went through (taken in + duplicates + oversized)
    taken_in: int = 0
    duplicates: int = 0
    oversized: int = 0
    polls: int = 0
    seconds: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.taken_in / self.seconds if self.seconds else 0.0

    @property
    def seen_per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


@dataclass
class QueryGroup:
    label: str
    shape: str
    count: int = 0
    seconds: float = 0.0


@dataclass
class Report:
    args: argparse.Namespace
    facts: dict[str, str]
    warmup: int
    warmup_pass: Pass
    sample_kinds: Counter
    main_kinds: Counter
    copies: int
    delivered: int  # every mail delivered in the run, copies and warm-up included
    delivery_seconds: float  # the timed batch only
    delivery_messages: int
    main: Pass
    sample_taken: int
    sample_seconds: float
    queries: list[QueryGroup]
    query_total: int
    transactions: dict[str, int]
    commit_ms: float
    statuses: dict[str, int]
    expected_statuses: dict[str, int]
    records: int
    unique_delivered: int
    tickets: int
    server_total: int
    server_unseen: int
    repoll: Pass
    repoll_new_records: int
    repoll_new_tickets: int
    auto_responses: int
    timed_auto_responses: int
    profile: str = ""
    profile_areas: list[tuple[str, float]] = field(default_factory=list)
    profile_seconds: float = 0.0
    sampled: Sampled | None = None
    problems: list[str] = field(default_factory=list)


def run(args: argparse.Namespace, server) -> Report:
    from django.conf import settings
    from django.core import mail as django_mail
    from django.db import connection

    from tickets.fraud import blocked_senders_changed
    from tickets.models import InboundEmail, OutboundEmail, Ticket

    settings.MAILBOX_CA_FILE = str(server.ca_file)
    blocked_senders_changed()
    django_mail.outbox = []
    mailbox = desk_prepare(server, args.protocol, auto_response=not args.no_auto_response)
    corpus = Corpus(seed=SEED)
    spam_train(corpus)
    facts = machine_facts()
    facts["commit"] = git_commit()
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        facts["synchronous_commit"] = cursor.fetchone()[0]
    commit_ms = commit_probe()
    print(
        f"One small write transaction commits in {commit_ms:.2f} ms (synchronous_commit"
        f" {facts['synchronous_commit']})."
    )

    warmup = max(100, args.messages // 20)
    print(f"Warm-up: delivering and taking in {warmup:,} new requests…")
    deliver(server, [m.raw for m in corpus.batch(warmup, mix={"new": 1.0})])
    warmup_pass = ingest(mailbox.pk)
    corpus.threads_load()

    sample = corpus.batch(SAMPLE_MESSAGES)
    sampled = corpus.batch(PROFILE_MESSAGES) if args.profile else []
    profiled = corpus.batch(PROFILE_MESSAGES) if args.profile else []
    timed = corpus.batch(args.messages, duplicates=DUPLICATE_SHARE)
    deliver(server, [m.raw for m in sample + sampled + profiled])
    print(f"Delivering {len(timed):,} mails (one IMAP session, pipelined APPEND)…")
    delivery_seconds = deliver(server, [m.raw for m in timed])
    print(f"Delivered in {delivery_seconds:.1f} s ({len(timed) / delivery_seconds:,.0f}/s).")

    print(f"Counting the queries of one poll of {SAMPLE_MESSAGES} mails…")
    sample_pass, captured, timings = ingest_counted(mailbox.pk, SAMPLE_MESSAGES)
    queries = query_groups(timings)
    transactions = transactions_count(captured)
    print(f"{len(captured)} queries for {sample_pass.taken_in} mails; each shape, per mail:")
    for group in query_groups(timings, by="shape"):
        per_mail = group.count / max(sample_pass.taken_in, 1)
        ms = group.seconds / max(sample_pass.taken_in, 1) * 1000
        print(f"  {per_mail:5.2f} x {ms:5.2f} ms  {group.shape[:400]}")

    profile_text, areas, profile_seconds = "", [], 0.0
    sampling = None
    if sampled:
        print(f"Taking in {len(sampled):,} mails under a sampling profiler…")
        sampling = ingest_sampled(mailbox.pk, len(sampled))
    if profiled:
        print(f"Taking in {len(profiled):,} mails under cProfile…")
        profile_text, areas, profile_seconds = ingest_profiled(mailbox.pk, len(profiled))

    print(f"Timed: one worker takes in {len(timed):,} mails, {POLL_LIMIT} per poll…")
    responses_before = OutboundEmail.objects.filter(kind="auto_response").count()
    main_pass = ingest(mailbox.pk, progress=True, server=server)
    timed_responses = OutboundEmail.objects.filter(kind="auto_response").count() - responses_before
    print(
        f"Taken in {main_pass.taken_in:,} in {main_pass.seconds:.1f} s:"
        f" {main_pass.per_second:.1f} mails/s."
    )

    problems = []
    every = [*sample, *sampled, *profiled, *timed]
    unique = warmup + sum(not m.copy for m in every)
    copies = sum(m.copy for m in every)
    if main_pass.duplicates != sum(m.copy for m in timed):
        problems.append(
            f"first pass recognised {main_pass.duplicates} second copies,"
            f" {sum(m.copy for m in timed)} were delivered"
        )
    records = InboundEmail.objects.count()
    if records != unique:
        problems.append(f"{records} inbound records for {unique} different mails delivered")
    statuses = dict(Counter(InboundEmail.objects.values_list("status", flat=True)))
    expected = Counter({"ticket": warmup})
    for message in every:
        if not message.copy:
            expected[EXPECTED_STATUS[message.kind]] += 1
    if statuses != dict(expected):
        problems.append(f"outcomes {statuses}, expected {dict(expected)}")
    tickets = Ticket.objects.count()
    server_total, server_unseen = server_counts(server)
    delivered = warmup + len(every)
    if args.protocol == "imap":
        if server_total != delivered or server_unseen:
            problems.append(
                f"the server holds {server_total} mails ({server_unseen} unseen),"
                f" {delivered} were delivered and all should be seen"
            )
    elif server_total:
        problems.append(f"POP3 left {server_total} mails on the server; all should be deleted")

    print("Second pass: every mail again, all of them duplicates…")
    if args.protocol == "imap":
        from departments.models import Mailbox

        Mailbox.objects.filter(pk=mailbox.pk).update(imap_last_uid=0)
    else:
        raws = corpus.delivered
        print(f"(POP3 deleted them: delivering the same {len(raws):,} mails again)")
        deliver(server, raws)
    repoll = ingest(mailbox.pk, server=server)
    repoll_new_records = InboundEmail.objects.count() - records
    repoll_new_tickets = Ticket.objects.count() - tickets
    if repoll.taken_in or repoll_new_records or repoll_new_tickets:
        problems.append(
            f"the second pass took in {repoll.taken_in} mails, made {repoll_new_records} records"
            f" and {repoll_new_tickets} tickets; all should have been duplicates"
        )
    if repoll.duplicates != delivered:
        problems.append(f"the second pass saw {repoll.duplicates} duplicates of {delivered}")
    print(
        f"Second pass: {repoll.duplicates:,} duplicates in {repoll.seconds:.1f} s"
        f" ({repoll.seen_per_second:.0f}/s), {repoll_new_tickets} new tickets."
    )
    for problem in problems:
        print(f"PROBLEM: {problem}")

    return Report(
        args=args,
        facts=facts,
        warmup=warmup,
        warmup_pass=warmup_pass,
        sample_kinds=Counter(m.kind for m in sample),
        main_kinds=Counter(m.kind for m in timed if not m.copy),
        copies=copies,
        delivered=delivered,
        delivery_seconds=delivery_seconds,
        delivery_messages=len(timed),
        main=main_pass,
        sample_taken=sample_pass.taken_in,
        sample_seconds=sample_pass.seconds,
        queries=queries,
        query_total=len(captured),
        transactions=transactions,
        commit_ms=commit_ms,
        statuses=statuses,
        expected_statuses=dict(expected),
        records=records,
        unique_delivered=unique,
        tickets=tickets,
        server_total=server_total,
        server_unseen=server_unseen,
        repoll=repoll,
        repoll_new_records=repoll_new_records,
        repoll_new_tickets=repoll_new_tickets,
        auto_responses=OutboundEmail.objects.filter(kind="auto_response").count(),
        timed_auto_responses=timed_responses,
        profile=profile_text,
        profile_areas=areas,
        profile_seconds=profile_seconds,
        sampled=sampling,
        problems=problems,
    )


def git_commit() -> str:
    """The commit the code under test is at (read only), "?" outside a checkout."""
    try:
        found = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return "?"
    return found.stdout.strip() or "?"


def desk_prepare(server, protocol: str, *, auto_response: bool = True):
    """One department and its mailbox on the Dovecot, over TLS, verified against the harness CA;
    auto-responses as the department says (on), or off."""
    from departments.credentials import secret_encrypt
    from departments.models import Category, Department, Mailbox

    department = Department.objects.create(name="Technical support", slug="technical-support")
    category = Category.objects.create(department=department, name="General")
    imap = protocol == "imap"
    return Mailbox.objects.create(
        name="Support",
        department=department,
        email_address=USER,
        protocol=Mailbox.Protocol.IMAP if imap else Mailbox.Protocol.POP3,
        host="localhost",
        port=server.imaps_port if imap else server.pop3s_port,
        security=Mailbox.Security.TLS,
        verify_certificate=True,
        username=USER,
        password_encrypted=secret_encrypt(server.users[USER]),
        default_category=category,
        auto_response=Mailbox.AutoResponse.DEPARTMENT
        if auto_response
        else Mailbox.AutoResponse.OFF,
    )


def spam_train(corpus: Corpus) -> None:
    """A filter that has learned something, as in production once techs mark spam: 40 mails of
    each kind, so every mail is scored (two queries) instead of skipped as "untrained"."""
    from tickets.mail import spam

    for index in range(40):
        subject, text = corpus.request_text()
        spam.spam_learn(
            tokens=spam.spam_tokens(subject=subject, text=text, from_address=f"h{index}@x.test"),
            is_spam=False,
        )
        subject, text = corpus.spam_text()
        spam.spam_learn(
            tokens=spam.spam_tokens(subject=subject, text=text, from_address=f"s{index}@x.test"),
            is_spam=True,
        )


def commit_probe() -> float:
    """Milliseconds per small write transaction (one INSERT, autocommit): the floor that every
    commit of the intake pays for the WAL flush."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_commit_probe (id serial, at timestamptz)")
        started = time.perf_counter()
        for _ in range(COMMIT_PROBE):
            cursor.execute("INSERT INTO bench_commit_probe (at) VALUES (now())")
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_commit_probe")
    return seconds / COMMIT_PROBE * 1000


# --- polling ---------------------------------------------------------------------------------


def ingest(mailbox_id: int, *, limit: int = POLL_LIMIT, progress=False, server=None) -> Pass:
    """Poll until a poll takes in nothing; the last, empty poll is part of the time."""
    from tickets.mail.polling import mailbox_poll

    result = Pass()
    before = cpu_snapshot(server) if server else {}
    processes_before = _processes() if server else {}
    started = time.perf_counter()
    while True:
        poll = mailbox_poll(mailbox_id=mailbox_id, limit=limit)
        if poll.skipped:
            raise RuntimeError("the poll was skipped: another worker holds the mailbox's lock")
        result.polls += 1
        result.taken_in += poll.taken_in
        result.duplicates += poll.duplicates
        result.oversized += poll.oversized
        seen = poll.taken_in + poll.duplicates + poll.oversized
        result.messages += seen
        if progress and seen:
            elapsed = time.perf_counter() - started
            rate = result.taken_in / elapsed
            print(f"  {result.messages:>7,} mails  {elapsed:7.1f} s  {rate:6.1f}/s")
        if not seen:
            break
    result.seconds = time.perf_counter() - started
    if server:
        after = cpu_snapshot(server)
        result.cpu = {key: after[key] - before[key] for key in after}
        # Who else was busy meanwhile: a second program on a 2-core machine skews the result.
        tick, grown, processes = os.sysconf("SC_CLK_TCK"), Counter(), _processes()
        dovecot = _dovecot_pids(server, processes) | {os.getpid()}
        for pid, process in processes.items():
            if pid not in dovecot and not process["name"].startswith("postgres"):
                earlier = processes_before.get(pid, {"cpu": 0})["cpu"]
                grown[f"{process['name']} ({pid})"] += (process["cpu"] - earlier) / tick
        busiest = ", ".join(f"{name} {cpu:.1f} s" for name, cpu in grown.most_common(5) if cpu)
        print(f"  CPU {result.cpu}; other busiest processes: {busiest or 'none'}")
    return result


def ingest_counted(mailbox_id: int, count: int):
    """One poll of `count` mails with every statement captured: CaptureQueriesContext for the
    count (BEGIN and COMMIT included, as django_assert_num_queries counts), and an execute
    wrapper plus a timed commit for the durations (Django's query log rounds each one to whole
    milliseconds, which makes sub-millisecond queries read as 0)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tickets.mail.polling import mailbox_poll

    timings: list[dict] = []

    def timed_execute(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append({"sql": sql, "time": time.perf_counter() - started})

    commit = connection._commit

    def timed_commit():
        started = time.perf_counter()
        try:
            return commit()
        finally:
            timings.append({"sql": "COMMIT", "time": time.perf_counter() - started})

    connection._commit = timed_commit
    # Django keeps the last 9,000 queries only; a POP3 poll runs more than that.
    queries_log, connection.queries_log = connection.queries_log, deque()
    try:
        with (
            CaptureQueriesContext(connection) as context,
            connection.execute_wrapper(timed_execute),
        ):
            started = time.perf_counter()
            poll = mailbox_poll(mailbox_id=mailbox_id, limit=count)
            seconds = time.perf_counter() - started
        captured = list(context.captured_queries)  # read from the log, before it is put back
    finally:
        del connection._commit
        connection.queries_log = queries_log
    # psycopg sends BEGIN itself with a transaction's first statement: counted, not timed apart.
    timings += [{"sql": "BEGIN", "time": 0.0} for q in captured if q["sql"] == "BEGIN"]
    result = Pass(messages=poll.taken_in + poll.duplicates, taken_in=poll.taken_in, polls=1)
    result.duplicates, result.seconds = poll.duplicates, seconds
    return result, captured, timings


# Functions whose cumulative time the profile summary shows, as (label, file suffix, names);
# names separated by "|" count together.
PROFILE_AREAS = (
    ("mailbox_poll: everything", "tickets/mail/polling.py", "mailbox_poll"),
    ("fetching the mail (IMAP FETCH / POP3 RETR, one round trip each)", "fetching.py", "new_mail"),
    ("marking it done (IMAP STORE \\Seen / POP3 DELE)", "fetching.py", "mark_done|mark_done_many"),
    ("inbound_receive: one mail taken in", "tickets/mail/intake.py", "inbound_receive"),
    ("  parse_email", "tickets/mail/parsing.py", "parse_email"),
    ("  _record: raw file written, InboundEmail row", "tickets/mail/intake.py", "_record"),
    ("  _process: spam, threading, ticket or reply", "tickets/mail/intake.py", "_process"),
    ("    sender_check (blocked senders, cached in Redis)", "tickets/fraud.py", "sender_check"),
    ("    own_addresses", "tickets/mail/intake.py", "own_addresses"),
    ("    spam score", "tickets/mail/spam.py", "spam_score"),
    ("    _consultation_answered", "tickets/mail/intake.py", "_consultation_answered"),
    ("    _thread_target", "tickets/mail/intake.py", "_thread_target"),
    ("    split_quoted_history", "tickets/mail/quoting.py", "split_quoted_history"),
    ("    customer_match_or_create", "accounts/customers.py", "customer_match_or_create"),
    ("    ticket_create_from_email", "tickets/services.py", "ticket_create_from_email"),
    ("    ticket_reply_from_customer", "tickets/services.py", "ticket_reply_from_customer"),
    ("    attachments (inspect with Pillow)", "tickets/mail/intake.py", "_inspected_attachments"),
    ("    attachments (save, thumbnail)", "tickets/attachments.py", "attachments_save"),
    (
        "  auto-response (eager Celery task, locmem)",
        "tickets/tasks.py",
        "inbound_auto_response_send",
    ),
    ("    mail_template_for (up to 3 queries)", "responses/mail_templates.py", "mail_template_for"),
    ("    mail_render", "responses/mail_templates.py", "mail_render"),
    ("    outbound_send (2 transactions)", "tickets/mail/outbound.py", "outbound_send"),
    ("files written (Storage.save: raw mail, attachments)", "files/storage/base.py", "save"),
    ("all SQL: psycopg Cursor.execute", "psycopg/cursor.py", "execute"),
    ("  of it, COMMITs (psycopg Connection.commit)", "psycopg/connection.py", "commit"),
    ("Django's SQL compiler (as_sql)", "django/db/models/sql/compiler.py", "as_sql"),
)


STDLIB = sysconfig.get_paths()["stdlib"]
PACKAGES = (
    ("/django/db/", "Django's ORM and database layer"),
    ("/django/", "Django, other (mail, files, templates, transaction hooks)"),
    ("/psycopg/", "psycopg (Python side)"),
    ("/celery/", "Celery (eager task machinery)"),
    ("/kombu/", "Celery (eager task machinery)"),
    ("/redis/", "the Redis client (cache)"),
    ("/PIL/", "Pillow"),
    ("/site-packages/", "other libraries"),
)


@dataclass
class Sampled:
    """What the StackSampler found, in milliseconds per mail."""

    states: list[tuple[str, float]]
    areas: list[tuple[str, float, float]]  # label, wall, of it Python running
    packages: list[tuple[str, float]]
    seconds: float
    taken: int

    @property
    def rate(self) -> float:
        return self.taken / self.seconds if self.seconds else 0.0


class StackSampler:
    """A wall-clock sampling profiler: SIGALRM every millisecond, and the handler (which Python
    runs in the main thread, between two bytecodes or as soon as a blocking call returns or is
    interrupted) books the time since the last sample to every PROFILE_AREA on the stack and to
    what the innermost frame is doing: waiting for PostgreSQL, for the mail server, or running
    Python. Unlike cProfile it does not slow the ORM's many small calls down more than the
    rest, so its shares are close to the real ones."""

    INTERVAL = 0.001

    def __init__(self):
        self.areas: Counter = Counter()
        self.python_areas: Counter = Counter()  # the same, counting only Python running
        self.states: Counter = Counter()
        self.packages: Counter = Counter()  # Python running, by the package whose code it is
        self.by_name: dict[str, list[tuple[str, str]]] = {}
        for label, suffix, names in PROFILE_AREAS:
            for name in names.split("|"):
                self.by_name.setdefault(name, []).append((suffix, label))
        self.last = 0.0

    def __enter__(self):
        self.previous = signal.signal(signal.SIGALRM, self._sample)
        self.last = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, self.INTERVAL, self.INTERVAL)
        return self

    def __exit__(self, *exc) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.previous)

    def _sample(self, _signum, frame) -> None:
        now = time.perf_counter()
        weight, self.last = now - self.last, now
        if frame is None:
            return
        state = self._state(frame.f_code)
        python = state.startswith("running")
        self.states[state] += weight
        if python:
            self.packages[self._package(frame)] += weight
        found = set()
        while frame is not None:
            code = frame.f_code
            for suffix, label in self.by_name.get(code.co_name, ()):
                if code.co_filename.endswith(suffix):
                    found.add(label)
            frame = frame.f_back
        for label in found:
            self.areas[label] += weight
            if python:
                self.python_areas[label] += weight

    @staticmethod
    def _package(frame) -> str:
        """Whose code runs: the innermost frame outside the standard library (so copy.copy
        called by the ORM counts as the ORM), except that the email package counts apart."""
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename.startswith(STDLIB) and "/email/" in filename:
                return "the email package (parsing mail, building the auto-response)"
            if not filename.startswith((STDLIB, "<")):
                break
            frame = frame.f_back
        if frame is None:
            return "the standard library"
        for marker, package in PACKAGES:
            if marker in filename:
                return package
        return "the application (tickets, accounts, responses, departments)"

    @staticmethod
    def _state(code) -> str:
        filename, name = code.co_filename, code.co_name
        if "/psycopg/" in filename and name in ("wait", "_execute_send", "_exec_command"):
            return "waiting for PostgreSQL (round trips, commit flush)"
        if filename.endswith(("/ssl.py", "/socket.py")):
            return "waiting for the mail server (TLS socket)"
        return "running Python (this worker's CPU)"


def ingest_sampled(mailbox_id: int, count: int):
    """Take in `count` mails under the StackSampler; returns per-mail wall milliseconds by
    state and by area, the seconds and the mails taken."""
    from tickets.mail.polling import mailbox_poll

    started, taken = time.perf_counter(), 0
    with StackSampler() as sampler:
        while taken < count:
            poll = mailbox_poll(mailbox_id=mailbox_id, limit=min(POLL_LIMIT, count - taken))
            if not poll.taken_in + poll.duplicates:
                break
            taken += poll.taken_in + poll.duplicates
    seconds = time.perf_counter() - started
    per_mail = 1000 / max(taken, 1)
    found = Sampled(
        states=[(state, ms * per_mail) for state, ms in sampler.states.most_common()],
        areas=[
            (label, sampler.areas[label] * per_mail, sampler.python_areas[label] * per_mail)
            for label, _suffix, _name in PROFILE_AREAS
        ],
        packages=[(name, ms * per_mail) for name, ms in sampler.packages.most_common()],
        seconds=seconds,
        taken=taken,
    )
    print(f"Sampled {taken:,} mails in {seconds:.1f} s ({found.rate:.1f}/s); wall ms per mail:")
    for label, ms in found.states:
        print(f"  {ms:7.2f} ms  {label}")
    print("  of the Python time, by whose code runs:")
    for label, ms in found.packages:
        print(f"  {ms:7.2f} ms    {label}")
    print("  by area (wall, of it Python):")
    for label, ms, python in found.areas:
        print(f"  {ms:7.2f} ms {python:7.2f} ms  {label}")
    return found


def ingest_profiled(mailbox_id: int, count: int) -> tuple[str, list[tuple[str, float]], float]:
    """Take in `count` mails under cProfile: the 25 functions with the most cumulative time and
    the time of the PROFILE_AREAS; the raw profile is kept in PROFILE_FILE."""
    from tickets.mail.polling import mailbox_poll

    profiler = cProfile.Profile()
    started = time.perf_counter()
    taken = 0
    profiler.enable()
    while taken < count:
        poll = mailbox_poll(mailbox_id=mailbox_id, limit=min(POLL_LIMIT, count - taken))
        if not poll.taken_in + poll.duplicates:
            break
        taken += poll.taken_in + poll.duplicates
    profiler.disable()
    seconds = time.perf_counter() - started
    PROFILE_FILE.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(PROFILE_FILE)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(25)
    text = re.sub(r"\n{3,}", "\n\n", out.getvalue()).strip()
    areas = []
    for label, suffix, names in PROFILE_AREAS:
        # Cumulative time of the outermost calls only: mark_done calling mark_done_many, or a
        # recursive call, must not count twice.
        wanted = {
            key for key in stats.stats if key[0].endswith(suffix) and key[2] in names.split("|")
        }
        total = 0.0
        for key in wanted:
            _cc, _nc, _tt, cumulative, callers = stats.stats[key]
            if not callers:  # called from the frame that turned the profiler on
                total += cumulative
            else:  # the calls along each edge from outside the set
                total += sum(edge[3] for caller, edge in callers.items() if caller not in wanted)
        areas.append((label, total / max(taken, 1) * 1000))
    print(text)
    print(
        f"\nProfiled {taken:,} mails in {seconds:.1f} s (with cProfile's overhead);"
        f" per mail, cumulative:"
    )
    for label, ms in areas:
        print(f"  {ms:7.2f} ms  {label}")
    print(f"Raw profile: {PROFILE_FILE.relative_to(ROOT)} (python -m pstats)")
    return text, areas, seconds


def cpu_snapshot(server) -> dict[str, float]:
    """CPU seconds used so far by this worker, by PostgreSQL (all its processes) and by the
    Dovecot (its master and every process under it, finished children included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    processes = _processes()
    tick = os.sysconf("SC_CLK_TCK")
    postgres = sum(p["cpu"] for p in processes.values() if p["name"].startswith("postgres"))
    dovecot = sum(processes[pid]["cpu"] for pid in _dovecot_pids(server, processes))
    # The whole machine's busy time (every core), to see what else ran meanwhile.
    busy = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return {
        "worker": usage.ru_utime + usage.ru_stime,
        "postgres": postgres / tick,
        "dovecot": dovecot / tick,
        "machine": (sum(busy) - busy[3] - busy[4]) / tick,  # all but idle and iowait
    }


def _dovecot_pids(server, processes: dict[int, dict]) -> set[int]:
    """The Dovecot master and every process under it."""
    master = server.master_pid()
    found = {master} if master in processes else set()
    grew = bool(found)
    while grew:
        grew = False
        for pid, process in processes.items():
            if process["ppid"] in found and pid not in found:
                found.add(pid)
                grew = True
    return found


def _processes() -> dict[int, dict]:
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        # utime, stime, cutime, cstime are fields 14-17 of stat; `fields` starts at field 3.
        cpu = sum(int(value) for value in fields[11:15])
        found[int(entry.name)] = {"name": name, "ppid": int(fields[1]), "cpu": cpu}
    return found


# --- queries ---------------------------------------------------------------------------------

_QUOTED = re.compile(r"'(?:[^']|'')*'")
_NUMBER = re.compile(r"-?\b\d+(?:\.\d+)?(?:e[-+]?\d+)?\b", re.IGNORECASE)
_LIST = re.compile(r"\(\s*\?(?:\s*,\s*\?)*\s*\)")
_SAVEPOINT = re.compile(r'^(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT) "?\w+"?')


def query_shape(sql: str) -> str:
    """The statement with its values replaced, so the same query with other values matches."""
    sql = _SAVEPOINT.sub(r"\1 …", sql.strip()).replace("%s", "?")
    return _LIST.sub("(…)", _NUMBER.sub("?", _QUOTED.sub("?", sql)))


def query_label(sql: str) -> str:
    """A short name: statement, table, the columns of its WHERE clause."""
    first = sql.split(None, 1)[0].upper()
    if first in ("BEGIN", "COMMIT", "ROLLBACK") or _SAVEPOINT.match(sql):
        return _SAVEPOINT.sub(r"\1", sql).strip()
    function = re.match(r"SELECT (\w+)\(", sql)
    if function and " FROM " not in sql:
        return f"SELECT {function[1]}()"
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"', sql)
    label = f"{first} {table[1] if table else '?'}"
    where = sql.split(" WHERE ", 1)[1] if " WHERE " in sql else ""
    columns = re.findall(r'"\w+"\."(\w+)"\s*(?:=|IN\b|IS\b|<|>|LIKE|::)', where)
    if columns:
        label += " by " + ", ".join(dict.fromkeys(columns))
    if first == "SELECT" and re.match(r"SELECT (?:1|%s|\(1\)) AS \"a\"", sql):
        label = label.replace("SELECT", "EXISTS", 1)
    elif first == "SELECT" and "COUNT(" in sql.upper():
        label = label.replace("SELECT", "COUNT", 1)
    if first == "UPDATE":
        assigned = sql.split(" SET ", 1)[1].split(" WHERE ", 1)[0] if " SET " in sql else ""
        label += " set " + ", ".join(dict.fromkeys(re.findall(r'"(\w+)" = ', assigned)))
    if " FOR UPDATE" in sql:
        label += " FOR UPDATE"
    return label


def query_groups(timings: list[dict], *, by: str = "label") -> list[QueryGroup]:
    """The captured queries grouped by short label (by="label") or by exact shape."""
    groups: dict[str, QueryGroup] = {}
    for query in timings:
        shape, label = query_shape(query["sql"]), query_label(query["sql"])
        group = groups.setdefault(
            label if by == "label" else shape, QueryGroup(label=label, shape=shape)
        )
        group.count += 1
        group.seconds += float(query["time"] or 0)
    return sorted(groups.values(), key=lambda g: (-g.count, -g.seconds))


def transactions_count(captured: list[dict]) -> dict[str, int]:
    """Transactions the statements ran in: explicit (BEGIN … COMMIT) and single autocommitted
    statements, and of those, how many wrote (each written commit waits for the WAL flush)."""
    counts = Counter()
    inside, wrote = False, False
    for query in captured:
        sql = query["sql"].strip()
        first = sql.split(None, 1)[0].upper()
        writes = first in ("INSERT", "UPDATE", "DELETE") or "nextval(" in sql
        if first == "BEGIN":
            inside, wrote = True, False
        elif first in ("COMMIT", "ROLLBACK"):
            counts["explicit"] += 1
            counts["written"] += wrote and first == "COMMIT"
            inside = False
        elif inside:
            wrote = wrote or writes
        else:
            counts["autocommit"] += 1
            counts["written"] += writes
    return dict(counts)


# --- the server ------------------------------------------------------------------------------


def deliver(server, raws: list[bytes]) -> float:
    """APPEND every mail to the user's INBOX in one session, APPEND_WINDOW commands written
    before their answers are read (LITERAL+, RFC 7888, so no wait for a continuation);
    returns the seconds it took."""
    started = time.perf_counter()
    with socket.create_connection((server.host, server.imap_port), timeout=120) as sock:
        reader = sock.makefile("rb")
        greeting = reader.readline()
        if b"LITERAL+" not in greeting:
            raise RuntimeError(f"the server does not offer LITERAL+: {greeting!r}")
        counter = 0

        def answer(tag: bytes) -> None:
            while True:
                line = reader.readline()
                if not line:
                    raise RuntimeError("the server closed the connection")
                if line.startswith(tag + b" "):
                    if not line.startswith(tag + b" OK"):
                        raise RuntimeError(f"the server refused: {line!r}")
                    return

        def tag_next() -> bytes:
            nonlocal counter
            counter += 1
            return b"D%d" % counter

        tag = tag_next()
        password = server.users[USER]
        sock.sendall(b'%s LOGIN "%s" "%s"\r\n' % (tag, USER.encode(), password.encode()))
        answer(tag)
        for start in range(0, len(raws), APPEND_WINDOW):
            chunk, tags, out = raws[start : start + APPEND_WINDOW], [], bytearray()
            for raw in chunk:
                tag = tag_next()
                tags.append(tag)
                out += b"%s APPEND INBOX {%d+}\r\n%s\r\n" % (tag, len(raw), raw)
            sock.sendall(out)
            for tag in tags:
                answer(tag)
        tag = tag_next()
        sock.sendall(b"%s LOGOUT\r\n" % tag)
        answer(tag)
    return time.perf_counter() - started


def server_counts(server) -> tuple[int, int]:
    """How many mails the INBOX holds and how many of them are unseen (EXAMINE: no change)."""
    conn = imaplib.IMAP4(server.host, server.imap_port, timeout=60)
    try:
        conn.login(USER, server.users[USER])
        _typ, data = conn.select("INBOX", readonly=True)
        total = int(data[0])
        _typ, data = conn.uid("SEARCH", "UNSEEN")
        return total, len((data[0] or b"").split())
    finally:
        conn.logout()


# --- the mail --------------------------------------------------------------------------------

FIRST_NAMES = (
    "Anna", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Karin",
    "Liam", "Maria", "Nikolai", "Olga", "Pavel", "Quinn", "Rosa", "Sven", "Tanya", "Umar", "Vera",
    "Wei", "Xenia", "Yusuf", "Zoe", "Alex", "Bianca", "Chen", "Dmitri",
)  # fmt: skip
LAST_NAMES = (
    "Schmidt", "Novak", "Garcia", "Rossi", "Kowalski", "Ivanova", "Smith", "Tanaka", "Silva",
    "Berg", "Dubois", "Okafor", "Jensen", "Petrov", "Moreau", "Kim", "Larsen", "Costa", "Weber",
    "Fischer", "Hansen", "Lopez", "Meyer", "Young", "Walker", "Horvat",
)  # fmt: skip
DOMAINS = (
    "example.com", "example.org", "example.net", "mail.example.com", "post.example.org",
    "acme.example", "globex.example", "initech.example", "umbrella.example",
)  # fmt: skip
SUBJECTS = (
    "Printer shows error E-{n}",
    "Invoice {n} was charged twice",
    "Cannot log in since this morning",
    "Order {n} has not arrived yet",
    "Refund for order {n}",
    "VPN drops every few minutes",
    "Password reset link does not work",
    "Question about my subscription",
    "Wrong delivery address on order {n}",
    "App crashes when I open settings",
    "How do I export my data?",
    "Need a copy of invoice {n}",
    "Package arrived damaged",
    "Two-factor code never arrives",
    "Upgrade to the business plan",
    "Sync stopped working after update {n}",
    "Cannot add a new user to our account",
    "Exchange of item {n}",
)
SENTENCES = (
    "Since the update yesterday the problem comes back every time I restart.",
    "I have already tried turning it off and on again, without success.",
    "The error message says that the request could not be completed.",
    "Could you please check what is going on with my account?",
    "We are a team of twelve and everybody sees the same thing.",
    "The order number is on the confirmation mail I received last week.",
    "It worked fine until Monday, and nothing changed on our side.",
    "I attached the details I could find, please let me know if you need more.",
    "Our accounting department needs the corrected invoice by Friday.",
    "The tracking page has said the parcel is in transit for six days now.",
    "When I click the link I only see a blank page.",
    "I use the latest version on a laptop and on my phone.",
    "Is there a way to change this myself, or do you have to do it?",
    "The payment left my bank account twice, on the same day.",
    "This is quite urgent for us because the quarter ends next week.",
    "I called yesterday and was told to write to this address.",
    "The box was crushed and one of the parts is broken.",
    "Please tell me what information you need from me.",
    "We would also like to know whether the price includes support.",
    "The code arrives after more than ten minutes, when it has already expired.",
    "Several colleagues cannot open the shared folder either.",
    "I would prefer a replacement over a refund if that is possible.",
)
REPLIES = (
    "Thank you for the quick answer.",
    "I tried what you suggested, but it still does not work.",
    "Here is the additional information you asked for.",
    "The problem happened again this morning at about nine.",
    "Any news on this? We are still waiting.",
    "That solved it, thank you very much!",
    "The order number is {n}, and the invoice date was last Tuesday.",
    "Could you call me back? My number is in the signature.",
)
GREETINGS = ("Hello,", "Hi,", "Good morning,", "Dear support team,", "Hello support,")
CLOSINGS = ("Thanks,", "Best regards,", "Kind regards,", "Cheers,", "Thank you,")
SPAM_SUBJECTS = (
    "CHEAP MEDS ONLINE NOW",
    "You have WON $1,000,000!!!",
    "Exclusive offer: lose weight fast",
    "Urgent business proposal for you",
)
SPAM_SENTENCES = (
    "Click here http://deals.example/win to claim your prize now!!!",
    "Limited offer, buy cheap pills without prescription, 90% discount.",
    "Dear friend, I am a banker with a transfer of $15,000,000 for you.",
    "Earn 5000 USD per week from home, no experience required.",
    "Visit http://casino.example/bonus for free spins and a bonus.",
    "Unsubscribe http://mailer.example/u if you do not want our offers.",
)


@dataclass(frozen=True)
class Thread:
    number: int
    name: str
    address: str
    subject: str
    auto_response_id: str  # the Message-ID of our auto-response, "" when none went out
    auto_response_subject: str


@dataclass(frozen=True)
class Mail:
    kind: str
    raw: bytes
    copy: bool = False  # a second copy of a mail delivered before


class Corpus:
    """Deterministic, realistic mail: customers from a pool of SENDERS addresses, each thread's
    replies from its customer, HTML and text for half of them, screenshots as PNG."""

    def __init__(self, *, seed: int):
        self.rng = random.Random(seed)
        names = [(f, last) for f in FIRST_NAMES for last in LAST_NAMES]
        self.rng.shuffle(names)
        self.senders = []
        for index in range(SENDERS):
            first, last = names[index % len(names)]
            domain = DOMAINS[index % len(DOMAINS)]
            address = f"{first}.{last}{index}@{domain}".lower()
            self.senders.append((f"{first} {last}", address))
        self.threads: list[Thread] = []
        self.sequence = 0
        self.clock = datetime.datetime(2026, 11, 24, 8, 0, tzinfo=datetime.UTC)
        self.images = [self._png(index) for index in range(16)]
        self.delivered: list[bytes] = []

    def threads_load(self) -> None:
        """The tickets the warm-up opened, with their customer and auto-response."""
        from tickets.models import InboundEmail, OutboundEmail

        responses = {
            ticket_id: (message_id, subject)
            for ticket_id, message_id, subject in OutboundEmail.objects.filter(
                kind="auto_response"
            ).values_list("ticket_id", "message_id_header", "subject")
        }
        rows = InboundEmail.objects.filter(status="ticket").values_list(
            "ticket_id", "ticket__number", "ticket__subject", "from_address"
        )
        names = dict(self.senders_by_address())
        for ticket_id, number, subject, address in rows.order_by("pk"):
            response_id, response_subject = responses.get(ticket_id, ("", ""))
            self.threads.append(
                Thread(
                    number=number,
                    name=names.get(address, address),
                    address=address,
                    subject=subject,
                    auto_response_id=response_id,
                    auto_response_subject=response_subject,
                )
            )

    def senders_by_address(self):
        return ((address, name) for name, address in self.senders)

    def batch(self, count: int, *, mix=MIX, duplicates: float = 0.0) -> list[Mail]:
        kinds = self.rng.choices(list(mix), weights=list(mix.values()), k=count)
        mails = [Mail(kind, self.build(kind)) for kind in kinds]
        if duplicates:
            # A second copy some positions later: same Message-ID, one more Received header.
            keyed = [(float(index), mail) for index, mail in enumerate(mails)]
            for index in self.rng.sample(range(count), round(count * duplicates)):
                later = index + self.rng.randint(1, 50) + 0.5
                raw = self._received(mails[index].raw, "backup-mx.example.net") + mails[index].raw
                keyed.append((later, Mail(mails[index].kind, raw, copy=True)))
            mails = [mail for _key, mail in sorted(keyed, key=lambda item: item[0])]
        self.delivered.extend(mail.raw for mail in mails)
        return mails

    def build(self, kind: str) -> bytes:
        rng = self.rng
        self.sequence += 1
        self.clock += datetime.timedelta(seconds=rng.randint(5, 60))
        if kind in ("reply", "automatic"):
            thread = rng.choice(self.threads)
            name, address = thread.name, thread.address
        else:
            name, address = rng.choice(self.senders)
        message_id = f"<{rng.getrandbits(64):016x}.{self.sequence}@{address.split('@')[1]}>"
        headers, attachments, in_reply_to = {}, [], ""
        if kind in ("new", "attachment"):
            subject, text = self.request_text(name=name)
            if kind == "attachment":
                text += "\n\nI attached a screenshot of the error."
                filename = f"Screenshot {self.sequence}.png"
                attachments.append((filename, "image/png", rng.choice(self.images)))
        elif kind == "reply":
            tag = f"[#{thread.number}]"
            base = thread.auto_response_subject or f"{tag} {thread.subject}"
            subject = f"Re: {base}" if tag in base else f"Re: {tag} {base}"
            in_reply_to = thread.auto_response_id
            reply = rng.choice(REPLIES).format(n=rng.randint(10000, 99999))
            quoted = "\n".join(f"> {line}" for line in self._paragraphs(1).splitlines())
            attribution = f"On {format_datetime(self.clock)}, Support <{USER}> wrote:"
            text = f"{rng.choice(GREETINGS)}\n\n{reply}\n\n{rng.choice(CLOSINGS)}\n{name}\n\n"
            text += f"{attribution}\n{quoted}\n"
        else:
            base = thread.auto_response_subject or f"[#{thread.number}] {thread.subject}"
            subject = f"Automatic reply: {base}"
            in_reply_to = thread.auto_response_id
            headers = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
            text = (
                "Thank you for your message. I am out of the office until Monday with limited"
                " access to email. For urgent matters please call our office.\n\n" + name
            )
        html = None
        if kind != "automatic" and rng.random() < HTML_SHARE:
            paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
            html = f'<div dir="ltr" style="font-family:Arial,sans-serif">{paragraphs}</div>'
        return self._message(
            name=name,
            address=address,
            subject=subject,
            text=text,
            html=html,
            message_id=message_id,
            in_reply_to=in_reply_to,
            headers=headers,
            attachments=attachments,
        )

    def request_text(self, name: str = "Customer") -> tuple[str, str]:
        rng = self.rng
        subject = rng.choice(SUBJECTS).format(n=rng.randint(1000, 99999))
        body = self._paragraphs(rng.randint(1, 3))
        signature = f"-- \n{name}\nPhone: +1 555 01{rng.randint(10, 99)}"
        text = f"{rng.choice(GREETINGS)}\n\n{body}\n\n{rng.choice(CLOSINGS)}\n{name}\n\n{signature}"
        return subject, text

    def spam_text(self) -> tuple[str, str]:
        rng = self.rng
        sentences = rng.sample(SPAM_SENTENCES, 3)
        return rng.choice(SPAM_SUBJECTS), " ".join(sentences)

    def _paragraphs(self, count: int) -> str:
        return "\n\n".join(
            " ".join(self.rng.sample(SENTENCES, self.rng.randint(1, 4))) for _ in range(count)
        )

    def _received(self, raw: bytes, host: str) -> bytes:
        when = format_datetime(self.clock)
        line = f"Received: from {host} ([192.0.2.{self.rng.randint(1, 254)}]) by mx.example.test"
        return f"{line}\r\n\twith ESMTPS id {self.rng.getrandbits(48):012x}; {when}\r\n".encode()

    def _message(
        self, *, name, address, subject, text, html, message_id, in_reply_to, headers, attachments
    ) -> bytes:
        message = EmailMessage()
        message["Return-Path"] = f"<{address}>"
        message["From"] = formataddr((name, address))
        message["To"] = f"Support <{USER}>"
        message["Subject"] = subject
        message["Date"] = format_datetime(self.clock)
        message["Message-ID"] = message_id
        if in_reply_to:
            message["In-Reply-To"] = in_reply_to
            message["References"] = in_reply_to
        message["User-Agent"] = self.rng.choice(("Thunderbird 128.4", "Outlook 16.0", "Webmail"))
        for key, value in headers.items():
            message[key] = value
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
        for filename, content_type, payload in attachments:
            maintype, subtype = content_type.split("/")
            message.add_attachment(payload, maintype=maintype, subtype=subtype, filename=filename)
        raw = re.sub(rb"\r?\n", b"\r\n", message.as_bytes())
        received = self._received(raw, f"mail.{address.split('@')[1]}")
        return self._received(raw, "mx.example.test") + received + raw

    def _png(self, index: int) -> bytes:
        """A small screenshot-like PNG of about 5 KB (noise does not compress)."""
        from PIL import Image

        image = Image.frombytes("RGB", (40, 40), self.rng.randbytes(40 * 40 * 3))
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()


# --- the report ------------------------------------------------------------------------------


def report_section(report: Report) -> str:
    from django.conf import settings

    main, repoll, facts = report.main, report.repoll, report.facts
    protocol = "IMAP" if report.args.protocol == "imap" else "POP3"
    met = "yes" if main.per_second >= TARGET_PER_SECOND else "**no**"
    per_message_ms = main.seconds / max(main.messages, 1) * 1000
    sql_ms = sum(g.seconds for g in report.queries) / max(report.sample_taken, 1) * 1000
    queries_per_mail = report.query_total / max(report.sample_taken, 1)
    transactions = report.transactions
    kinds = report.main_kinds
    lines = [
        f"### {report.args.messages:,} mails over {protocol}"
        + (", auto-responses off" if report.args.no_auto_response else ""),
        "",
        f"Measured {facts['date']} on {facts['cpus']} CPUs ({facts['cpu']}), {facts['memory']}"
        f" RAM, PostgreSQL {facts['postgres']} (synchronous_commit"
        f" {facts['synchronous_commit']}), Python {facts['python']}, Django {facts['django']},"
        f" code at commit {facts['commit']};"
        f" one worker, {protocol} over TLS on 127.0.0.1, `mailbox_poll(limit={POLL_LIMIT})`.",
        f"Timed batch: {sum(kinds.values()):,} mails ({kinds['new']:,} new requests,"
        f" {kinds['reply']:,} replies, {kinds['attachment']:,} with a screenshot,"
        f" {kinds['automatic']:,} out-of-office answers) and {main.duplicates:,} second copies;"
        f" {report.timed_auto_responses:,} auto-responses sent meanwhile (at most"
        f" {settings.MAIL_AUTO_RESPONSES_PER_HOUR} an hour per sender);"
        f" {report.delivered:,} mails in the whole run.",
        "",
        "| pass | mails | time | mails per second | target 200/s |",
        "|---|--:|--:|--:|:-:|",
        f"| delivery (pipelined IMAP APPEND, one session) | {report.delivery_messages:,}"
        f" | {report.delivery_seconds:.1f} s"
        f" | {report.delivery_messages / report.delivery_seconds:,.0f} | |",
        f"| first pass: taken in | {main.taken_in:,} (+ {main.duplicates:,} copies recognised)"
        f" | {main.seconds:.1f} s | **{main.per_second:.1f}** | {met} |",
        f"| second pass: all again, cursor reset | {repoll.messages:,} duplicates,"
        f" {repoll.taken_in} taken in | {repoll.seconds:.1f} s | {repoll.seen_per_second:.0f}"
        " | |",
        "",
        "| measure | value |",
        "|---|--:|",
        f"| wall time per mail (first pass) | {per_message_ms:.2f} ms |",
        f"| queries per mail (one poll of {report.sample_taken}, BEGIN/COMMIT/SAVEPOINT included)"
        f" | {queries_per_mail:.1f} |",
        f"| SQL time per mail (as the worker sees it) | {sql_ms:.2f} ms |",
        f"| transactions per mail: BEGIN…COMMIT, single autocommitted statements; of all these,"
        f" the ones that write (each waits for the WAL flush)"
        f" | {transactions.get('explicit', 0) / max(report.sample_taken, 1):.1f},"
        f" {transactions.get('autocommit', 0) / max(report.sample_taken, 1):.1f};"
        f" {transactions.get('written', 0) / max(report.sample_taken, 1):.1f} |",
        f"| one small write transaction (commit latency of this PostgreSQL)"
        f" | {report.commit_ms:.2f} ms |",
    ]
    if main.cpu:
        cpu = main.cpu
        other = max(0.0, cpu["machine"] - cpu["worker"] - cpu["postgres"] - cpu["dovecot"])
        lines.append(
            f"| CPU during the first pass ({main.seconds:.1f} s wall, {facts['cpus']} cores):"
            f" worker, PostgreSQL, Dovecot, everything else on the machine"
            f" | {cpu['worker']:.1f} s, {cpu['postgres']:.1f} s, {cpu['dovecot']:.1f} s,"
            f" {other:.1f} s |"
        )
    outcome = ", ".join(f"{count:,} {status}" for status, count in sorted(report.statuses.items()))
    lines += [
        f"| outcome of all {report.unique_delivered:,} different mails | {outcome} |",
        f"| inbound records / different mails delivered | {report.records:,} /"
        f" {report.unique_delivered:,} |",
        f"| on the server after the first pass: mails, unseen | {report.server_total:,},"
        f" {report.server_unseen} |",
        f"| second pass: new records, new tickets | {report.repoll_new_records},"
        f" {report.repoll_new_tickets} |",
        "",
        f"Queries per mail (the poll of {report.sample_taken}; the per-poll ones are divided too):",
        "",
        "| query | per mail | ms per mail |",
        "|---|--:|--:|",
    ]
    for group in report.queries:
        per_mail = group.count / max(report.sample_taken, 1)
        if per_mail < 0.05:
            continue
        ms = group.seconds / max(report.sample_taken, 1) * 1000
        lines.append(f"| `{group.label}` | {per_mail:.2f} | {ms:.2f} |")
    if report.profile_areas and report.sampled:
        sampled = report.sampled
        lines += [
            "",
            f"Where the time goes (`--profile`): {sampled.taken:,} mails taken in under a"
            f" sampling profiler (SIGALRM every millisecond; {sampled.rate:.1f} mails/s"
            f" meanwhile, so it hardly slows the worker), then {PROFILE_MESSAGES:,} more under"
            " cProfile (whose overhead inflates Python code, the ORM's many small calls most)."
            " Milliseconds per mail, everything called from there included; indented lines are"
            " part of the line above.",
            "",
            "| where | wall (sampled) | of it Python running | cProfile |",
            "|---|--:|--:|--:|",
        ]
        for label, ms in sampled.states:
            lines.append(f"| *{label}* | {ms:.2f} | | |")
        by_label = {label: (ms, python) for label, ms, python in sampled.areas}
        for label, ms in report.profile_areas:
            indent = len(label) - len(label.lstrip())
            wall, python = by_label.get(label, (0.0, 0.0))
            lines.append(
                f"| {'&nbsp;' * indent * 2}{label.strip()} | {wall:.2f} | {python:.2f} | {ms:.2f} |"
            )
        lines += [
            "",
            "The Python time (sampled) by whose code runs (a standard-library helper counts for"
            " its caller):",
            "",
            "| code | ms per mail |",
            "|---|--:|",
        ]
        lines += [f"| {name} | {ms:.2f} |" for name, ms in sampled.packages]
    if report.problems:
        lines += ["", "**Problems found:**", ""]
        lines += [f"- {problem}" for problem in report.problems]
    return "\n".join(lines)


INTRO = """\
## Mail intake (issue 5)

Issue 5's target: **one worker takes in at least 200 mails per second** on these 2-core
machines, and a mail delivered twice never becomes a second ticket. For scale, the best-known
Django helpdesk, on this kind of machine against the same Dovecot, takes in 55 mails per second
and makes a second ticket for every mail delivered twice.

`bench/ingest.py` starts the mail tests' throw-away Dovecot, a fresh database
(`helpdesk_bench_ingest`) with one department and one mailbox (IMAP over TLS, certificate
verified against the harness's CA), and delivers realistic mail: new requests from 2,000
different customers (70%), replies to tickets opened earlier in the run with their `[#number]`
tag and `In-Reply-To` our auto-response (20%), new requests with a 5 KB PNG screenshot (5%),
out-of-office answers with `Auto-Submitted: auto-replied` (5%); half of them text and HTML; 1% of
the timed mails arrive a second time (same Message-ID, one more `Received` header). The spam
filter has learned 40 good mails and 40 spam, so every mail is scored. One worker then polls with
`mailbox_poll(limit=500)` until a poll takes in nothing; the time is the whole intake: TLS
sessions, fetching each mail, parsing, spam score, threading, customer, ticket or reply,
attachments (Pillow, thumbnails), the raw mail written to storage, each mail's commit before the
server is told, marking it seen, and the auto-response for each new ticket (a Celery task run
eagerly into the locmem mail backend: rendering, the outbox rows and their commits are in the
time, an SMTP round trip is not). Then the run checks that every mail is recorded once and
seen on the server, resets the mailbox's cursor and polls everything again: the second pass must
recognise every mail and create nothing.

```sh
make bench-ingest                                   # 10,000 mails over IMAP, about 6 minutes
.venv/bin/python -m bench.ingest --profile          # and where the time goes
.venv/bin/python -m bench.ingest --protocol pop3 --messages 2000 --no-write
```

`--profile` takes in 1,000 more mails under a sampling profiler (SIGALRM every millisecond:
which code runs, or whether the worker waits for PostgreSQL or the mail server) and 1,000 under
cProfile (its top 25 functions are printed, the raw profile is kept in `var/bench/ingest.prof`).
The database (`BENCH_INGEST_DATABASE_URL`, default
`postgres://postgres@127.0.0.1:5432/helpdesk_bench_ingest`; it is dropped and created afresh, so
its name must contain "bench" and "ingest") and the stored mail are dropped afterwards (`--keep`
keeps them); `--no-write` leaves this file alone. A run rewrites only the results block below;
the findings are written by hand."""


def benchmarks_write(section: str) -> None:
    """Replace the results block inside this bench's section, or add the whole section."""
    start, end = f"<!-- bench:{RESULTS_MARKER} -->", f"<!-- /bench:{RESULTS_MARKER} -->"
    block = f"{start}\n{section}\n{end}"
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _match: block, text)
    else:
        outer = (
            f"<!-- bench:{MARKER} -->\n{INTRO}\n\n{block}\n\n### Findings\n\n(To be written.)\n"
            f"<!-- /bench:{MARKER} -->"
        )
        text = text.rstrip("\n") + "\n\n" + outer + "\n"
    BENCHMARKS.write_text(text)


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"Done in {time.perf_counter() - started:.0f} s.")
