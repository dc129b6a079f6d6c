"""The embedded quickstart (no DATABASE_URL, no REDIS_URL): SQLite, a file cache and Celery over
kombu's filesystem transport, exercised by real processes as `make run` starts them."""

import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.embedded import REPO, manage, project_env

RUN_EXPIRED_SIGN_IN_TASK = """
from datetime import timedelta
from django.utils import timezone
from accounts.models import LoginEvent, User
from accounts.tasks import record_expired_session_sign_outs
user = User.objects.create_user("quick@example.com", "pw", full_name="Quick", kind="staff")
LoginEvent.objects.create(kind="sign_in", user=user, session_key="gone",
                          last_activity_at=timezone.now() - timedelta(hours=1))
result = record_expired_session_sign_outs.delay()
print("RESULT", result.get(timeout=90))
"""


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("var")
    env = project_env(DEBUG="true", VAR_DIR=str(var_dir))
    migrated = manage("migrate", "--no-input", env=env, timeout=300)
    assert migrated.returncode == 0, migrated.stderr
    return env, var_dir


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, deadline: float):
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def stop(process: subprocess.Popen) -> str:
    process.terminate()
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


def test_embedded_settings_serve_sign_in_page_and_healthz(embedded):
    env, var_dir = embedded
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        status, page = fetch(f"http://127.0.0.1:{port}/accounts/login/", deadline)
        assert status == 200
        assert "Sign in" in page
        status, body = fetch(f"http://127.0.0.1:{port}/healthz", deadline)
        assert status == 200, body
        assert json.loads(body)["checks"] == {
            "database": {"ok": True},
            "cache": {"ok": True},
            "broker": {"ok": True},
        }
    finally:
        stop(server)
    assert (var_dir / "helpdesk.sqlite3").exists()


def test_real_worker_runs_a_task_through_the_filesystem_broker(embedded):
    env, var_dir = embedded
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "helpdesk",
            "worker",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        result = manage("shell", "-c", RUN_EXPIRED_SIGN_IN_TASK, env=env, timeout=150)
    finally:
        worker_log = stop(worker)
    assert result.returncode == 0, result.stderr + worker_log
    assert "RESULT 1" in result.stdout, result.stdout + worker_log
    assert "record_expired_session_sign_outs" in worker_log
    with sqlite3.connect(var_dir / "helpdesk.sqlite3") as db:
        rows = db.execute("SELECT kind FROM accounts_loginevent ORDER BY id").fetchall()
    assert rows == [("sign_in",), ("session_expired",)]


GET_NEXT_ON_SQLITE = """
from accounts.models import User
from tickets.queues import queue_page
from tickets.workflow import ticket_next_for
admin = User.objects.get(email="admin@example.com")
pages, cursor = [], ""
while True:
    page = queue_page(user=admin, queue="general", cursor=cursor, size=1)
    pages.append([t.number for t in page.tickets])
    if not page.next_cursor:
        break
    cursor = page.next_cursor
numbers = [n for page in pages for n in page]
assert len(numbers) == len(set(numbers)) >= 2, pages
tech = User.objects.get(email="tech@example.com")
first, second = ticket_next_for(tech=tech), ticket_next_for(tech=tech)
print("NEXT", first.number, second.number, first.assignee.email, first.status_type)
"""


def test_demo_data_paging_and_get_next_work_on_the_embedded_database(embedded):
    env, _var_dir = embedded
    loaded = manage("demo_data", env=env, timeout=120)
    assert loaded.returncode == 0, loaded.stderr

    result = manage("shell", "-c", GET_NEXT_ON_SQLITE, env=env, timeout=60)

    assert result.returncode == 0, result.stderr
    first, second, owner, status = result.stdout.split("NEXT")[1].split()
    assert first != second
    assert owner == "tech@example.com"
    assert status == "open"


# Every page of the manager's area, the notifications and the hand-over list, as the demo's
# people see them, on SQLite: the board and the feed read with SQL of their own.
MANAGER_AREA_ON_SQLITE = """
from django.test import Client
from django.urls import reverse
from accounts.models import User
from tickets.models import Notification

manager = User.objects.get(email="manager@example.com")
tech = User.objects.get(email="tech@example.com")
away = User.objects.get(email="away@example.com")
pages = [
    (manager, reverse("manage:board")),
    (manager, reverse("manage:activity")),
    (manager, reverse("manage:activity") + "?kind=transferred"),
    (manager, reverse("manage:approvals")),
    (manager, reverse("manage:tech_detail", args=[tech.pk])),
    (manager, reverse("manage:tech_sessions_csv", args=[tech.pk])),
    (tech, reverse("tickets:notifications")),
    (tech, reverse("tickets:desk")),
    (away, reverse("tickets:desk_handed_over")),
    (manager, reverse("reports:sign_ins") + "?period=last_month"),
    (manager, reverse("reports:sign_ins_sessions_csv") + "?period=last_month"),
    (manager, reverse("reports:sign_ins_hours_csv") + "?period=last_month"),
]
for person, url in pages:
    client = Client(HTTP_HOST="localhost")
    client.force_login(person)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if response.streaming:
        b"".join(response.streaming_content)
    client.get(url, headers={"HX-Request": "true"})
seen = Client(HTTP_HOST="localhost")
seen.force_login(manager)
assert seen.post(reverse("manage:activity_seen"), {"up_to": "1"}).status_code in (302, 303)
print("PAGES", len(pages), Notification.objects.filter(recipient=tech).count())
"""


def test_the_manager_area_works_on_the_embedded_database(embedded):
    env, _var_dir = embedded
    loaded = manage("demo_data", env=env, timeout=120)
    assert loaded.returncode == 0, loaded.stderr

    result = manage("shell", "-c", MANAGER_AREA_ON_SQLITE, env=env, timeout=120)

    assert result.returncode == 0, result.stderr
    pages, notifications = result.stdout.split("PAGES")[1].split()
    assert int(pages) == 12 and int(notifications) >= 3


def test_the_url_and_logins_are_printed_again_once_everything_answers(tmp_path):
    """`make run` keeps demo_data's banner; helpdesk/quickstart.py prints it again once /healthz
    answers, below the workers' start-up banners (issue 14)."""
    import io
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from helpdesk.quickstart import announce_when_ready

    answers = iter([503, 503, 200])

    class Health(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(next(answers, 200))
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    banner = tmp_path / "quickstart-banner.txt"
    banner.write_text("Helpdesk: http://127.0.0.1:8000/\n  admin  admin@example.com\n")
    out = io.StringIO()
    try:
        ready = announce_when_ready(
            url=f"http://127.0.0.1:{server.server_port}/healthz",
            banner=banner,
            out=out,
            timeout=20,
            every=0.05,
        )
    finally:
        server.shutdown()

    assert ready
    assert "Everything answers." in out.getvalue()
    assert "Helpdesk: http://127.0.0.1:8000/" in out.getvalue()
    assert "admin@example.com" in out.getvalue()


def test_a_server_that_never_answers_prints_nothing(tmp_path):
    import io

    from helpdesk.quickstart import announce_when_ready

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    out = io.StringIO()

    ready = announce_when_ready(
        url=f"http://127.0.0.1:{port}/healthz",
        banner=tmp_path / "none",
        out=out,
        timeout=0.3,
        every=0.05,
    )

    assert not ready
    assert out.getvalue() == ""
