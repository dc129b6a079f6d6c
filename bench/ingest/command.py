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
import logging
import os
import shutil
import signal
import sys
import warnings
from urllib.parse import urlsplit

from bench.ingest.parameters import DEFAULT_DATABASE_URL, MEDIA_DIR
from bench.ingest.passes import run
from bench.ingest.report import benchmarks_write, report_section
from bench.run import BENCHMARKS, ROOT, configure_environment


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
