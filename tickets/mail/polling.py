"""Polling a mailbox: take in new mail a batch at a time, each batch committed before the server
is told. A mailbox is never polled by two workers at once (a PostgreSQL advisory lock, or a cache
lock on the SQLite quickstart); a worker killed anywhere loses nothing and duplicates nothing,
because the next poll sees the mail again and the intake recognises it."""

import contextlib
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from departments.models import Mailbox
from tickets.mail.fetching import FetchedMail, MailboxError, mailbox_session
from tickets.mail.intake import IncomingMail, inbound_receive_many, inbound_record_oversized
from tickets.models import InboundEmail

logger = logging.getLogger(__name__)

ADVISORY_LOCK_CLASS = 7349  # the first key of pg_try_advisory_lock(int, int): "mailbox polls"
CACHE_LOCK_SECONDS = 15 * 60
# Mails taken in (one transaction), then flagged on the server and the cursor moved, at a time.
INTAKE_BATCH = 50
INTAKE_BATCH_BYTES = 16 * 1024 * 1024


@dataclass
class PollResult:
    skipped: bool = False
    taken_in: int = 0
    duplicates: int = 0
    oversized: int = 0
    limit_reached: bool = False  # more mail may be waiting: poll again at once

    @property
    def handled(self) -> int:
        return self.taken_in + self.duplicates + self.oversized


@contextlib.contextmanager
def mailbox_poll_lock(mailbox_id: int) -> Iterator[bool]:
    """Yields whether this worker may poll the mailbox now."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [ADVISORY_LOCK_CLASS, mailbox_id])
            acquired = cursor.fetchone()[0]
        try:
            yield acquired
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_advisory_unlock(%s, %s)", [ADVISORY_LOCK_CLASS, mailbox_id]
                    )
        return
    key, token = f"tickets:mailbox-poll:{mailbox_id}", uuid.uuid4().hex
    acquired = cache.add(key, token, CACHE_LOCK_SECONDS)
    try:
        yield acquired
    finally:
        if acquired and cache.get(key) == token:
            cache.delete(key)


def mailbox_poll(*, mailbox_id: int, limit: int | None = None) -> PollResult:
    """Take in up to `limit` new mails of one mailbox. Connection and login failures are
    recorded on the mailbox and raised, for the task to retry with backoff."""
    limit = limit or settings.MAIL_POLL_BATCH
    with mailbox_poll_lock(mailbox_id) as acquired:
        if not acquired:
            return PollResult(skipped=True)
        mailbox = Mailbox.objects.select_related("department", "default_tech").get(pk=mailbox_id)
        if not mailbox.is_active:
            return PollResult(skipped=True)
        try:
            result = _poll(mailbox, limit)
        except MailboxError as error:
            Mailbox.objects.filter(pk=mailbox.pk).update(
                last_error=str(error)[:2000], last_error_at=timezone.now()
            )
            raise
        Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=timezone.now(), last_error="")
        return result


def _poll(mailbox: Mailbox, limit: int) -> PollResult:
    result = PollResult()
    with mailbox_session(mailbox, max_size=settings.MAIL_MAX_SIZE) as session:
        if session.uidvalidity is not None and session.uidvalidity != mailbox.imap_uidvalidity:
            # A new UIDVALIDITY means old UIDs mean nothing: start over from the first mail;
            # the intake recognises any mail taken in before.
            Mailbox.objects.filter(pk=mailbox.pk).update(
                imap_uidvalidity=session.uidvalidity, imap_last_uid=0
            )
            mailbox.imap_uidvalidity, mailbox.imap_last_uid = session.uidvalidity, 0

        def known_among(server_uids: list[str]) -> set[str]:
            """The listed POP3 mails taken in before: a query per thousand listed, not one each."""
            recorded = set()
            for start in range(0, len(server_uids), 1000):
                recorded.update(
                    InboundEmail.objects.filter(
                        mailbox=mailbox, server_uid__in=server_uids[start : start + 1000]
                    ).values_list("server_uid", flat=True)
                )
            return recorded

        # Mail is taken in a batch at a time, each batch committed in one transaction, and only
        # then told to the server (and the IMAP cursor moved): a worker killed before that only
        # makes the next poll see those mails again, and the intake recognises them.
        batch: list[FetchedMail] = []

        def take_in() -> None:
            if not batch:
                return
            results = inbound_receive_many(
                mails=[IncomingMail(raw=f.raw, server_uid=f.server_uid) for f in batch],
                channel=mailbox.protocol,
                mailbox=mailbox,
            )
            for intake in results:
                result.duplicates += intake.duplicate
                result.taken_in += not intake.duplicate
            session.mark_done_many([f.server_uid for f in batch])
            cursor_move(batch[-1].server_uid)
            batch.clear()

        def cursor_move(server_uid: str) -> None:
            if session.uidvalidity is not None:
                Mailbox.objects.filter(pk=mailbox.pk).update(imap_last_uid=int(server_uid))

        for fetched in session.new_mail(limit, known_among=known_among):
            if fetched.oversized:
                take_in()
                inbound_record_oversized(
                    mailbox=mailbox,
                    server_uid=fetched.server_uid,
                    size=fetched.size,
                    uidvalidity=session.uidvalidity,
                )
                session.leave(fetched.server_uid)
                result.oversized += 1
                cursor_move(fetched.server_uid)
                continue
            batch.append(fetched)
            if len(batch) >= INTAKE_BATCH or sum(f.size for f in batch) >= INTAKE_BATCH_BYTES:
                take_in()
        take_in()
        # POP3 mail taken in before whose deletion was lost (a worker killed before QUIT): it is
        # committed, so it may go now; oversized mail stays for a human.
        known = getattr(session, "known_on_server", [])
        if known:
            waiting = set(
                InboundEmail.objects.filter(
                    mailbox=mailbox, status=InboundEmail.Status.OVERSIZED
                ).values_list("server_uid", flat=True)
            )
            session.mark_done_many([uid for uid in known if uid not in waiting])
    result.limit_reached = result.handled >= limit
    return result


def mailboxes_to_poll() -> list[int]:
    return list(Mailbox.objects.filter(is_active=True).values_list("pk", flat=True))
