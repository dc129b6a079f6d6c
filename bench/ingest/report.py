"""The Markdown report of a run, and its place in BENCHMARKS.md."""

from __future__ import annotations

import re

from bench.ingest.parameters import (
    MARKER,
    POLL_LIMIT,
    PROFILE_MESSAGES,
    RESULTS_MARKER,
    TARGET_PER_SECOND,
)
from bench.ingest.results import Report
from bench.run import BENCHMARKS


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
        f"Statements of one poll of {report.sample_taken} mails (taken in and flagged 50 at a"
        " time), and what they cost per mail:",
        "",
        "| statement | in the poll | per mail | ms per mail |",
        "|---|--:|--:|--:|",
    ]
    for group in report.queries[:40]:
        per_mail = group.count / max(report.sample_taken, 1)
        ms = group.seconds / max(report.sample_taken, 1) * 1000
        lines.append(f"| `{group.label}` | {group.count:,} | {per_mail:.2f} | {ms:.2f} |")
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

`bench/ingest/` starts the mail tests' throw-away Dovecot, a fresh database
(`helpdesk_bench_ingest`) with one department and one mailbox (IMAP over TLS, certificate
verified against the harness's CA), and delivers realistic mail: new requests from 2,000
different customers (70%), replies to tickets opened earlier in the run with their `[#number]`
tag and `In-Reply-To` our auto-response (20%), new requests with a 5 KB PNG screenshot (5%),
out-of-office answers with `Auto-Submitted: auto-replied` (5%); half of them text and HTML; 1% of
the timed mails arrive a second time (same Message-ID, one more `Received` header). The spam
filter has learned 40 good mails and 40 spam, so every mail is scored. One worker then polls with
`mailbox_poll(limit=500)` until a poll takes in nothing; the time is the whole intake: TLS
sessions, fetching the mail (IMAP: 50 mails a `UID FETCH`), parsing, spam score, threading,
customer, ticket or reply, attachments (Pillow, thumbnails), the raw mail written to storage,
each batch's commit (50 mails) before the server is told, marking them seen, and the
auto-response for each new ticket (one Celery task per batch, run eagerly in the same worker into
the locmem mail backend: rendering, the outbox rows and their commits are in the time, an SMTP
round trip is not). Then the run checks that every mail is recorded once and
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
