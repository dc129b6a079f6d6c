"""Who else has a ticket open, and who is writing a reply right now.

Kept in the cache (Redis in production, shared by every web process) under one key per
ticket, expiring on its own. Each page polls every POLL_SECONDS; someone not seen for
SEEN_SECONDS has left. Two polls landing at the same instant may drop one entry until that
person's next poll: presence is a hint, and a missed beat heals within seconds. With the cache
down, reads are misses and writes are dropped (helpdesk/resilient_cache.py): nobody is shown
present, and the page carries on."""

import time
from dataclasses import dataclass

from django.core.cache import cache

from accounts.models import User

POLL_SECONDS = 10
SEEN_SECONDS = 25
TYPING_SECONDS = 15


@dataclass(frozen=True)
class Presence:
    user_id: int
    name: str
    typing: bool


def _key(ticket_id: int) -> str:
    return f"tickets:presence:{ticket_id}"


def _fresh(entries: dict, now: float) -> dict:
    return {uid: entry for uid, entry in entries.items() if entry["seen"] > now - SEEN_SECONDS}


def presence_touch(*, ticket_id: int, user: User, typing: bool = False) -> None:
    """Record that the person is looking at the ticket (and, with typing, writing in it)."""
    now = time.time()
    entries = _fresh(cache.get(_key(ticket_id)) or {}, now)
    entry = entries.get(str(user.pk), {"typing_until": 0.0})
    entry.update(name=user.full_name or user.email, seen=now)
    if typing:
        entry["typing_until"] = now + TYPING_SECONDS
    entries[str(user.pk)] = entry
    cache.set(_key(ticket_id), entries, SEEN_SECONDS)


def presence_leave(*, ticket_id: int, user: User) -> None:
    entries = cache.get(_key(ticket_id)) or {}
    if entries.pop(str(user.pk), None) is not None:
        cache.set(_key(ticket_id), entries, SEEN_SECONDS)


def presence_others(*, ticket_id: int, user: User) -> list[Presence]:
    """Everyone else seen on the ticket lately, writers first."""
    now = time.time()
    others = [
        Presence(user_id=int(uid), name=entry["name"], typing=entry["typing_until"] > now)
        for uid, entry in _fresh(cache.get(_key(ticket_id)) or {}, now).items()
        if uid != str(user.pk)
    ]
    return sorted(others, key=lambda p: (not p.typing, p.name))
