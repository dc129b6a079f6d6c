"""Services made unreachable inside a test, without touching the shared servers: the setting
points at a port where nothing listens, and is put back afterwards."""

import contextlib
import socket

import kombu.pools

from helpdesk.celery import app as celery_app


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _celery_pools_reset() -> None:
    """Forget every pooled broker connection, so the next publish connects to the broker now
    configured (kombu keeps process-wide pools keyed by connection)."""
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def broker_unreachable():
    """Celery publishes to a broker that refuses connections, as when Redis is down: `.delay`
    raises after its short publish retries. On leaving, the real broker (and the suite's eager
    mode, which runs a queued task at once, as a worker would) is back."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.task_always_eager = False
    conf.broker_url = f"redis://127.0.0.1:{closed_port()}/0"
    _celery_pools_reset()
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager = saved
        _celery_pools_reset()
