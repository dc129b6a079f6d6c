"""Mail-ingest bench: one worker taking mail in from a throw-away Dovecot, timed and checked.

Run it with `make bench-ingest` or `python -m bench.ingest`; the options are in command.py and
bench/README.md. The modules, in the order a run uses them:

- command.py: the entry point (options, its own database and media folder, Dovecot started
  and stopped).
- parameters.py: the database, files, sizes and the mix of mail.
- corpus.py: the mail (requests, replies, screenshots, out-of-office answers).
- delivery.py: the mail into the Dovecot (pipelined APPEND) and what its INBOX holds.
- passes.py: the run: warm-up, sample, timed pass, checks, second pass.
- queries.py: the statements of one poll, captured, grouped and counted.
- profiling.py, cpu_usage.py: where the time goes (--profile), and CPU seconds by process.
- results.py, report.py: what a run found, and its Markdown in BENCHMARKS.md."""

from bench.ingest.command import environment_configure, main
from bench.ingest.corpus import (
    CLOSINGS,
    DOMAINS,
    FIRST_NAMES,
    GREETINGS,
    LAST_NAMES,
    REPLIES,
    SENTENCES,
    SPAM_SENTENCES,
    SPAM_SUBJECTS,
    SUBJECTS,
    Corpus,
    Mail,
    Thread,
)
from bench.ingest.cpu_usage import cpu_snapshot
from bench.ingest.delivery import deliver, server_counts
from bench.ingest.parameters import (
    APPEND_WINDOW,
    COMMIT_PROBE,
    DEFAULT_DATABASE_URL,
    DUPLICATE_SHARE,
    EXPECTED_STATUS,
    HTML_SHARE,
    MARKER,
    MEDIA_DIR,
    MIX,
    POLL_LIMIT,
    PROFILE_FILE,
    PROFILE_MESSAGES,
    RESULTS_MARKER,
    SAMPLE_MESSAGES,
    SEED,
    SENDERS,
    TARGET_PER_SECOND,
    USER,
)
from bench.ingest.passes import commit_probe, desk_prepare, git_commit, ingest, run, spam_train
from bench.ingest.profiling import (
    PACKAGES,
    PROFILE_AREAS,
    STDLIB,
    StackSampler,
    ingest_profiled,
    ingest_sampled,
)
from bench.ingest.queries import (
    ingest_counted,
    query_groups,
    query_label,
    query_shape,
    transactions_count,
)
from bench.ingest.report import INTRO, benchmarks_write, report_section
from bench.ingest.results import Pass, QueryGroup, Report, Sampled

__all__ = [
    "APPEND_WINDOW",
    "CLOSINGS",
    "COMMIT_PROBE",
    "DEFAULT_DATABASE_URL",
    "DOMAINS",
    "DUPLICATE_SHARE",
    "EXPECTED_STATUS",
    "FIRST_NAMES",
    "GREETINGS",
    "HTML_SHARE",
    "INTRO",
    "LAST_NAMES",
    "MARKER",
    "MEDIA_DIR",
    "MIX",
    "PACKAGES",
    "POLL_LIMIT",
    "PROFILE_AREAS",
    "PROFILE_FILE",
    "PROFILE_MESSAGES",
    "REPLIES",
    "RESULTS_MARKER",
    "SAMPLE_MESSAGES",
    "SEED",
    "SENDERS",
    "SENTENCES",
    "SPAM_SENTENCES",
    "SPAM_SUBJECTS",
    "STDLIB",
    "SUBJECTS",
    "TARGET_PER_SECOND",
    "USER",
    "Corpus",
    "Mail",
    "Pass",
    "QueryGroup",
    "Report",
    "Sampled",
    "StackSampler",
    "Thread",
    "benchmarks_write",
    "commit_probe",
    "cpu_snapshot",
    "deliver",
    "desk_prepare",
    "environment_configure",
    "git_commit",
    "ingest",
    "ingest_counted",
    "ingest_profiled",
    "ingest_sampled",
    "main",
    "query_groups",
    "query_label",
    "query_shape",
    "report_section",
    "run",
    "server_counts",
    "spam_train",
    "transactions_count",
]
