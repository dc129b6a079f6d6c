"""`make run`'s process manager: honcho running the Procfile (web, worker, beat), with time for
a clean stop.

On Ctrl-C or SIGTERM honcho sends SIGTERM to every process group and SIGKILLs whatever still runs
KILL_WAIT seconds after the first process exits (honcho's default: 5). The Celery worker needs up
to about 5 s to stop cleanly over the filesystem transport: its consumer loop looks at the stop
flag only between 2-second broker polls, and a running task gets
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT to finish before it is put back in the queue. Killed before
that, the worker would lose the task instead. Ten seconds leave room on a busy machine and still
end a process that truly hangs.

The URL and demo logins `make run` printed (kept in VAR_DIR/quickstart-banner.txt) scroll away
under the workers' start-up banners, so they are printed again once /healthz answers (database,
cache and broker all up).

Run: python -m helpdesk.quickstart start --port 8000 (honcho's own command line).
"""

import os
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import honcho.manager
from honcho.command import main

honcho.manager.KILL_WAIT = 10

BANNER_FILE = "quickstart-banner.txt"
READY_TIMEOUT_SECONDS = 180


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def announce_when_ready(
    *, url: str, banner: Path, out=None, timeout: float = READY_TIMEOUT_SECONDS, every=1.0
) -> bool:
    """Wait until `url` answers 200, then print the banner again. False if it never did."""
    out = out or sys.stdout
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if answers(url):
            text = banner.read_text(encoding="utf-8") if banner.is_file() else ""
            out.write("\n" + "=" * 72 + "\nEverything answers.\n" + text.strip() + "\n")
            out.write("=" * 72 + "\n\n")
            out.flush()
            return True
        time.sleep(every)
    return False


def _port(argv: list[str]) -> str:
    for index, arg in enumerate(argv):
        if arg in ("--port", "-p") and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--port="):
            return arg.split("=", 1)[1]
    return os.environ.get("PORT", "5000")


if __name__ == "__main__":
    var_dir = Path(os.environ.get("VAR_DIR", Path(__file__).resolve().parent.parent / "var"))
    threading.Thread(
        target=announce_when_ready,
        kwargs={
            "url": f"http://127.0.0.1:{_port(sys.argv)}/healthz",
            "banner": var_dir / BANNER_FILE,
        },
        daemon=True,
    ).start()
    sys.argv[0] = "honcho"
    sys.exit(main())
