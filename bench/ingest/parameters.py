"""What a run is made of: its database and files, how many mails of which kinds, and the
sizes of its batches."""

from bench.run import ROOT

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
