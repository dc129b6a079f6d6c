"""`make run` stops promptly: Ctrl-C (SIGINT) or SIGTERM to its process manager ends web, worker
and beat within seconds, without honcho having to kill anything, and a task the worker was
running goes back to the queue instead of being lost. Real processes of the embedded quickstart,
started as `make run` starts them (python -m helpdesk.quickstart with the Procfile)."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.embedded import REPO, manage, project_env

STOP_WITHIN_SECONDS = 10

START_LONG_TASK = """
from departments.models import Department, Mailbox
from tickets.tasks import mailbox_poll_task
department = Department.objects.create(name="Support", slug="support")
mailbox = Mailbox.objects.create(
    name="Silent", department=department, email_address="silent@example.test",
    protocol="imap", security="plain", host="127.0.0.1", port={port}, username="silent",
)
mailbox_poll_task.delay(mailbox_id=mailbox.pk)
"""


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("var")
    bin_dir = str(Path(sys.executable).parent)
    env = project_env(
        DEBUG="true", VAR_DIR=str(var_dir), PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    )
    migrated = manage("migrate", "--no-input", env=env, timeout=300)
    assert migrated.returncode == 0, migrated.stderr
    return env, var_dir


class SilentServer:
    """A mail server that accepts connections and never says a word: a poll of it runs until
    its timeout (30 s), which makes it the long task a stop has to deal with."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connected = threading.Event()
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)
            self.connected.set()

    def close(self):
        for connection in self.connections:
            connection.close()
        self.listener.close()


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout} s:\n{log.read_text()}")
        time.sleep(0.2)


def queued_task_names(var_dir: Path) -> str:
    return "".join(path.read_text() for path in (var_dir / "celery" / "queue").glob("*"))


@pytest.mark.parametrize(
    ("stop_signal", "long_task"),
    [(signal.SIGINT, False), (signal.SIGTERM, False), (signal.SIGTERM, True)],
    ids=["ctrl-c", "sigterm", "sigterm-during-a-long-task"],
)
def test_every_quickstart_process_ends_within_seconds_of_the_stop(
    embedded, tmp_path, stop_signal, long_task
):
    env, var_dir = embedded
    log = tmp_path / "honcho.log"
    manager = subprocess.Popen(
        [sys.executable, "-m", "helpdesk.quickstart", "start", "--port", str(free_port())],
        cwd=REPO,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    server = SilentServer()
    processes: list[int] = []
    try:
        wait_for(
            lambda: "ready." in log.read_text() and "beat: Starting" in log.read_text(),
            60,
            "start of worker and beat",
            log,
        )
        if long_task:
            started = manage("shell", "-c", START_LONG_TASK.format(port=server.port), env=env)
            assert started.returncode == 0, started.stderr
            wait_for(server.connected.is_set, 60, "the worker polling the mailbox", log)
        processes = descendants(manager.pid)

        stopped_at = time.monotonic()
        manager.send_signal(stop_signal)
        try:
            manager.wait(timeout=STOP_WITHIN_SECONDS + 10)
        except subprocess.TimeoutExpired:
            pytest.fail(f"honcho still runs {STOP_WITHIN_SECONDS + 10} s after the stop")
        took = time.monotonic() - stopped_at
        left = [pid for pid in processes if running(pid)]
    finally:
        for pid in [manager.pid, *processes]:
            if running(pid):
                os.kill(pid, signal.SIGKILL)
        manager.wait()
        server.close()

    output = log.read_text()
    assert left == [], output
    assert took < STOP_WITHIN_SECONDS, output
    assert "SIGKILL" not in output, output
    assert "worker.1 stopped (rc=0)" in output, output
    if long_task:
        # Stopped mid-poll, the task was not acknowledged: it waits for the next worker.
        assert "mailbox_poll_task" in queued_task_names(var_dir), output
