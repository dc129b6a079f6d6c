"""Where the time goes (--profile): a wall-clock sampling profiler (SIGALRM) that books time to
areas, to waiting or running, and to the package whose code runs; and a cProfile run."""

from __future__ import annotations

import cProfile
import io
import pstats
import re
import signal
import sysconfig
import time
from collections import Counter

from bench.ingest.parameters import POLL_LIMIT, PROFILE_FILE
from bench.ingest.results import Sampled
from bench.run import ROOT

# Functions whose cumulative time the profile summary shows, as (label, file suffix, names);
# names separated by "|" count together.
PROFILE_AREAS = (
    ("mailbox_poll: everything", "tickets/mail/polling.py", "mailbox_poll"),
    ("fetching the mail (IMAP UID FETCH of up to 50 / POP3 RETR each)", "fetching.py", "new_mail"),
    ("marking it done (IMAP STORE \\Seen / POP3 DELE)", "fetching.py", "mark_done|mark_done_many"),
    ("inbound_receive_many: a batch of mail taken in", "tickets/mail/intake.py", "_take_in"),
    ("  parse_email", "tickets/mail/parsing.py", "parse_email"),
    ("  IntakeLookups.load: the batch's facts, a query each", "intake_plans.py", "load"),
    ("    spam tokens", "tickets/mail/intake_plans.py", "spam_message_tokens"),
    ("    spam counts (one query)", "tickets/mail/spam.py", "spam_token_counts"),
    ("    customers by address (one query)", "accounts/customers.py", "customers_by_emails"),
    ("  plans_make: what each mail is", "tickets/mail/intake_plans.py", "plans_make"),
    ("    sender blocks", "tickets/fraud.py", "sender_block_matching"),
    ("    spam score", "tickets/mail/spam.py", "spam_score"),
    ("    split_quoted_history", "tickets/mail/quoting.py", "split_quoted_history"),
    ("    attachments (inspect with Pillow)", "intake_plans.py", "inspected_attachments"),
    ("  plans_write: the batch written", "tickets/mail/intake_writes.py", "plans_write"),
    (
        "    tickets_create_from_emails",
        "tickets/mail/intake_tickets.py",
        "tickets_create_from_emails",
    ),
    (
        "    ticket_replies_from_email",
        "tickets/mail/intake_tickets.py",
        "ticket_replies_from_email",
    ),
    ("    attachments (save, thumbnail)", "tickets/attachments.py", "attachments_save"),
    (
        "auto-responses (eager outbox task per batch, locmem)",
        "tickets/tasks.py",
        "outbox_send",
    ),
    ("  mail_template_for", "responses/mail_templates.py", "mail_template_for"),
    ("  mail_render", "responses/mail_templates.py", "mail_render"),
    ("  outbound_send_many (2 transactions a batch)", "outbound.py", "outbound_send_many"),
    ("    building and sending each mail", "tickets/mail/outbound.py", "_deliver"),
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
