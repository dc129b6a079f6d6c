"""Polling a mailbox: take in new mail, one mail at a time, each committed before the server is
told. A mailbox is never polled by two workers at once (a PostgreSQL advisory lock, or a cache
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
from tickets.mail.fetching import MailboxError, mailbox_session
from tickets.mail.intake import inbound_receive, inbound_record_oversized
from tickets.models import InboundEmail

logger = logging.getLogger(__name__)

ADVISORY_LOCK_CLASS = 7349  # the first key of pg_try_advisory_lock(int, int): "mailbox polls"
CACHE_LOCK_SECONDS = 15 * 60
MARK_BATCH = 50  # mails flagged on the server (and the cursor moved) at a time


@dataclass
class PollResult:
    skipped: bool = False
    taken_in: int = 0
    duplicates: int = 0
    oversized: int = 0


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
        mailbox = Mailbox.objects.select_related("department").get(pk=mailbox_id)
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

        # Committed mails are told to the server, and the IMAP cursor moved, a batch at a time:
        # a worker killed before a batch is flushed only makes the next poll see those mails
        # again, and the intake recognises them.
        done: list[str] = []

        def flush() -> None:
            session.mark_done_many(done)
            if session.uidvalidity is not None and done:
                Mailbox.objects.filter(pk=mailbox.pk).update(imap_last_uid=int(done[-1]))
            done.clear()

        for fetched in session.new_mail(limit, known_among=known_among):
            if fetched.oversized:
                inbound_record_oversized(
                    mailbox=mailbox,
                    server_uid=fetched.server_uid,
                    size=fetched.size,
                    uidvalidity=session.uidvalidity,
                )
                session.leave(fetched.server_uid)
                result.oversized += 1
                if session.uidvalidity is not None:
                    flush()
                    Mailbox.objects.filter(pk=mailbox.pk).update(
                        imap_last_uid=int(fetched.server_uid)
                    )
                continue
            intake = inbound_receive(
                raw=fetched.raw,
                channel=mailbox.protocol,
                mailbox=mailbox,
                server_uid=fetched.server_uid,
            )
            # Committed: only now may the server forget the mail.
            done.append(fetched.server_uid)
            result.duplicates += intake.duplicate
            result.taken_in += not intake.duplicate
            if len(done) >= MARK_BATCH:
                flush()
        flush()
        # POP3 mail taken in before whose deletion was lost (a worker killed before QUIT): it is
        # committed, so it may go now; oversized mail stays for a human.
        for server_uid in getattr(session, "known_on_server", []):
            if not InboundEmail.objects.filter(
                mailbox=mailbox, server_uid=server_uid, status=InboundEmail.Status.OVERSIZED
            ).exists():
                session.mark_done(server_uid)
    return result


def mailboxes_to_poll() -> list[int]:
    return list(Mailbox.objects.filter(is_active=True).values_list("pk", flat=True))
