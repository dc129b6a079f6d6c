"""The run: the desk and its mailbox, the warm-up, the sample, the profiled and the timed
batches, the checks that every mail became exactly one record and was marked done on the server,
and the second pass in which every mail is a duplicate."""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from collections import Counter

from bench.ingest.corpus import Corpus
from bench.ingest.cpu_usage import _dovecot_pids, _processes, cpu_snapshot
from bench.ingest.delivery import deliver, server_counts
from bench.ingest.parameters import (
    COMMIT_PROBE,
    DUPLICATE_SHARE,
    EXPECTED_STATUS,
    POLL_LIMIT,
    PROFILE_MESSAGES,
    SAMPLE_MESSAGES,
    SEED,
    USER,
)
from bench.ingest.profiling import ingest_profiled, ingest_sampled
from bench.ingest.queries import ingest_counted, query_groups, transactions_count
from bench.ingest.results import Pass, Report
from bench.run import ROOT, machine_facts


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
    responses_before = OutboundEmail.objects.filter(kind="auto_response", status="sent").count()
    main_pass = ingest(mailbox.pk, progress=True, server=server)
    timed_responses = (
        OutboundEmail.objects.filter(kind="auto_response", status="sent").count() - responses_before
    )
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
        auto_responses=OutboundEmail.objects.filter(kind="auto_response", status="sent").count(),
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
