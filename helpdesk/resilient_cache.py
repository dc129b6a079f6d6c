"""A Redis cache that treats an unreachable Redis as an empty cache.

Everything the product keeps in the cache can be lost: sessions are in the database (the cache
only saves a query), rate-limit counters and presence are hints, and cached lookups fall through
to the database. So when Redis does not answer, a read is a miss, a write is dropped and a
counter is missing, with one warning in the log now and then rather than one per call. After a
failure the cache is not asked again for CIRCUIT_BREAKER_SECONDS, so a dead or unreachable
Redis costs at most one socket timeout per process in that time, not one per call per request.

`/healthz` must still see the outage: `strict()` gives the same cache without the safety net.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What "Redis does not answer" looks like: refused or reset connections and timeouts (redis-py
# wraps them in ConnectionError/TimeoutError), a server that is loading, read-only or out of
# memory, or something else answering on the port. Errors of our own making (a value that does
# not pickle) are not RedisErrors and still raise.
CACHE_DOWN_ERRORS = (RedisError, OSError)

# Short socket timeouts: a cache that takes longer than this is no faster than the database.
DEFAULT_SOCKET_TIMEOUT_SECONDS = 0.5
DEFAULT_CIRCUIT_BREAKER_SECONDS = 5.0
# While the cache is down, a warning at most this often.
WARNING_INTERVAL_SECONDS = 60.0


class CircuitBreaker:
    """Shared by every cache instance (Django makes one per thread) that talks to one Redis."""

    def __init__(self, *, name: str, open_seconds: float):
        self.name = name
        self.open_seconds = open_seconds
        self._lock = threading.Lock()
        self._open_until = 0.0
        self._down_since: float | None = None
        self._last_failure: float | None = None
        self._last_warning = 0.0
        self._skipped = 0

    def allows(self) -> bool:
        """Whether to ask Redis now; once the breaker's time is up, the next calls try again."""
        if time.monotonic() >= self._open_until:
            return True
        with self._lock:
            self._skipped += 1
        return False

    def failed(self, error: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            self._open_until = now + self.open_seconds
            self._last_failure = now
            first = self._down_since is None
            if first:
                self._down_since = now
            if not first and now - self._last_warning < WARNING_INTERVAL_SECONDS:
                return
            self._last_warning = now
            skipped, self._skipped = self._skipped, 0
        if first:
            logger.warning(
                "cache %s unreachable (%s: %s); carrying on without it",
                self.name,
                type(error).__name__,
                error,
            )
        else:
            logger.warning(
                "cache %s still unreachable (%s: %s); %d calls answered without it since the "
                "last warning",
                self.name,
                type(error).__name__,
                error,
                skipped,
            )

    def failed_within(self, seconds: float) -> bool:
        last = self._last_failure
        return last is not None and time.monotonic() - last < seconds

    def succeeded(self) -> None:
        if self._down_since is None:
            return
        with self._lock:
            down_since, self._down_since = self._down_since, None
            self._open_until = 0.0
            self._skipped = 0
        if down_since is not None:
            logger.warning(
                "cache %s answers again after %.0f s", self.name, time.monotonic() - down_since
            )


_breakers: dict[tuple[tuple[str, ...], float], CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def _breaker_for(servers: list[str], open_seconds: float) -> CircuitBreaker:
    key = (tuple(servers), open_seconds)
    with _breakers_lock:
        if key not in _breakers:
            # For the log: the URL without the credentials it may carry.
            name = ",".join(server.rpartition("@")[2] for server in servers)
            _breakers[key] = CircuitBreaker(name=name, open_seconds=open_seconds)
        return _breakers[key]


class _Missing(Exception):
    """Raised inside a guarded call when the cache is down: the caller answers its fallback."""


class ResilientRedisCache(RedisCache):
    """django.core.cache.backends.redis.RedisCache that answers a miss when Redis is down.

    OPTIONS are Redis connection options as for RedisCache, with short socket timeouts by
    default, plus CIRCUIT_BREAKER_SECONDS (default 5)."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        open_seconds = float(
            options.pop("CIRCUIT_BREAKER_SECONDS", DEFAULT_CIRCUIT_BREAKER_SECONDS)
        )
        options.setdefault("socket_connect_timeout", DEFAULT_SOCKET_TIMEOUT_SECONDS)
        options.setdefault("socket_timeout", DEFAULT_SOCKET_TIMEOUT_SECONDS)
        self._params = {**params, "OPTIONS": options}
        super().__init__(server, self._params)
        self._breaker = _breaker_for(self._servers, open_seconds)
        self._strict: RedisCache | None = None

    def strict(self) -> RedisCache:
        """The same cache without the safety net or the breaker: errors raise (health checks)."""
        if self._strict is None:
            self._strict = RedisCache(self._servers, self._params)
        return self._strict

    def failed_within(self, seconds: float) -> bool:
        """Whether this process found Redis unreachable in the last `seconds`: what was written
        before may since have been changed or deleted in the database alone."""
        return self._breaker.failed_within(seconds)

    def _guarded(self, call, *args):
        if not self._breaker.allows():
            raise _Missing
        try:
            result = call(*args)
        except CACHE_DOWN_ERRORS as error:
            self._breaker.failed(error)
            raise _Missing from error
        self._breaker.succeeded()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._guarded(super().add, key, value, timeout, version)
        except _Missing:
            return False

    def get(self, key, default=None, version=None):
        try:
            return self._guarded(super().get, key, default, version)
        except _Missing:
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            self._guarded(super().set, key, value, timeout, version)
        except _Missing:
            return

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._guarded(super().touch, key, timeout, version)
        except _Missing:
            return False

    def delete(self, key, version=None):
        try:
            return self._guarded(super().delete, key, version)
        except _Missing:
            return False

    def get_many(self, keys, version=None):
        try:
            return self._guarded(super().get_many, keys, version)
        except _Missing:
            return {}

    def has_key(self, key, version=None):
        try:
            return self._guarded(super().has_key, key, version)
        except _Missing:
            return False

    def incr(self, key, delta=1, version=None):
        """A counter the cache cannot reach is a missing key: ValueError, as for any cache."""
        try:
            return self._guarded(super().incr, key, delta, version)
        except _Missing:
            raise ValueError(f"Key {key!r} not found: the cache does not answer.") from None

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._guarded(super().set_many, data, timeout, version)
        except _Missing:
            return list(data)

    def delete_many(self, keys, version=None):
        try:
            self._guarded(super().delete_many, keys, version)
        except _Missing:
            return
