"""`make run`'s process manager: honcho running the Procfile (web, worker, beat), with time for
a clean stop.

On Ctrl-C or SIGTERM honcho sends SIGTERM to every process group and SIGKILLs whatever still runs
KILL_WAIT seconds after the first process exits (honcho's default: 5). The Celery worker needs up
to about 5 s to stop cleanly over the filesystem transport: its consumer loop looks at the stop
flag only between 2-second broker polls, and a running task gets
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT to finish before it is put back in the queue. Killed before
that, the worker would lose the task instead. Ten seconds leave room on a busy machine and still
end a process that truly hangs.

Run: python -m helpdesk.quickstart start --port 8000 (honcho's own command line).
"""

import sys

import honcho.manager
from honcho.command import main

honcho.manager.KILL_WAIT = 10

if __name__ == "__main__":
    sys.argv[0] = "honcho"
    sys.exit(main())
