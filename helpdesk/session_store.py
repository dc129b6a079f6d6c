"""Sessions live in the database; the cache keeps a short-lived copy to save the query.

Django's cached_db engine, made safe for a cache that comes and goes. While the cache is
unreachable, sessions are read from and written to the database alone (the cache answers a miss
and drops writes: helpdesk/resilient_cache.py). A sign-out in that time deletes the database row
but cannot delete the copy the cache held from before; if the same Redis comes back with its
data, that copy would sign the old cookie in again. So:

- a copy lives in the cache at most SESSION_CACHE_SECONDS, and
- for SESSION_CACHE_SECONDS after this process last found the cache unreachable, copies are not
  read (sessions come from the database and are cached afresh), by which time every copy from
  before the outage has expired.
"""

import re

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.core.cache.backends.base import DEFAULT_TIMEOUT


class _SessionCache:
    """The session cache as cached_db uses it, with the two rules above."""

    def __init__(self, cache, max_seconds: int):
        self._cache = cache
        self._max_seconds = max_seconds

    def _trusted(self) -> bool:
        failed_within = getattr(self._cache, "failed_within", None)
        return failed_within is None or not failed_within(self._max_seconds)

    def _timeout(self, timeout) -> int:
        if timeout is None or timeout is DEFAULT_TIMEOUT:
            return self._max_seconds
        return min(timeout, self._max_seconds)

    def __contains__(self, key) -> bool:
        return self._trusted() and key in self._cache

    def get(self, key, default=None):
        return self._cache.get(key, default) if self._trusted() else default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT):
        self._cache.set(key, value, self._timeout(timeout))

    def delete(self, key):
        return self._cache.delete(key)

    async def aget(self, key, default=None):
        return await self._cache.aget(key, default) if self._trusted() else default

    async def aset(self, key, value, timeout=DEFAULT_TIMEOUT):
        await self._cache.aset(key, value, self._timeout(timeout))

    async def adelete(self, key):
        return await self._cache.adelete(key)

    def __str__(self) -> str:
        return str(self._cache)


# Django's session keys: 32 of these characters (get_random_string's lowercase and digits).
SESSION_KEY_PATTERN = re.compile(r"[a-z0-9]{32}")


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _SessionCache(self._cache, settings.SESSION_CACHE_SECONDS)

    def _validate_session_key(self, key):
        """A cookie that cannot be a session key (a NUL byte PostgreSQL cannot compare, any
        other forgery) is no session, never a database query."""
        return bool(key) and SESSION_KEY_PATTERN.fullmatch(key) is not None
