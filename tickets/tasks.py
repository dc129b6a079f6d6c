from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from tickets.notifications import (
    consultation_email_send,
    inbound_auto_response_email_send,
    inbound_auto_responses_email_send,
    inbound_auto_responses_overdue,
    ticket_confirmation_email_send,
    ticket_reply_email_send,
)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def ticket_confirmation_send(ticket_id: int) -> bool:
    """Send a new ticket's confirmation; retried with backoff while the mail server fails."""
    return ticket_confirmation_email_send(ticket_id=ticket_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def ticket_reply_send(message_id: int) -> bool:
    """Email a tech's public reply; retried with backoff, sent once however often it runs."""
    return ticket_reply_email_send(message_id=message_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def inbound_auto_response_send(inbound_id: int) -> bool:
    """Acknowledge a ticket opened by mail; sent once, rate-limited per sender. The intake now
    queues inbound_auto_responses_send for a whole batch; this one stays so that tasks queued
    by an older version before an upgrade still run."""
    return inbound_auto_response_email_send(inbound_id=inbound_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def inbound_auto_responses_send(inbound_ids: list[int]) -> int:
    """Acknowledge the new tickets a batch of mail opened; each is sent once however often
    this runs, so a retry after one failure re-sends nothing that went out."""
    return inbound_auto_responses_email_send(inbound_ids=inbound_ids)


@shared_task
def inbound_auto_responses_sweep() -> int:
    """Beat: queue again the auto-responses still due ten minutes after their mail came in
    (their task was never queued, or gave up), for up to a day; each is sent at most once."""
    ids = inbound_auto_responses_overdue(older_than=timedelta(minutes=10), within=timedelta(days=1))
    for start in range(0, len(ids), 50):
        inbound_auto_responses_send.delay(inbound_ids=ids[start : start + 50])
    return len(ids)


@shared_task
def mailboxes_poll() -> int:
    """Beat: queue a poll of every active mailbox; each runs on its own, under its own lock."""
    from tickets.mail.polling import mailboxes_to_poll

    ids = mailboxes_to_poll()
    for mailbox_id in ids:
        mailbox_poll_task.delay(mailbox_id=mailbox_id)
    return len(ids)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=6)
def mailbox_poll_task(mailbox_id: int) -> dict:
    from tickets.mail.polling import mailbox_poll

    result = mailbox_poll(mailbox_id=mailbox_id)
    if result.limit_reached:
        # A backlog: go on at once (as a new task, so other work gets its turn between polls)
        # instead of waiting for the next beat.
        mailbox_poll_task.delay(mailbox_id=mailbox_id)
    return vars(result)


@shared_task
def spam_purge() -> int:
    """Delete spam older than SPAM_RETENTION_DAYS, raw files included."""
    from tickets.models import InboundEmail

    cutoff = timezone.now() - timedelta(days=settings.SPAM_RETENTION_DAYS)
    old = InboundEmail.objects.filter(status=InboundEmail.Status.SPAM, received_at__lt=cutoff)
    deleted = 0
    for inbound in old.iterator():
        if inbound.raw:
            inbound.raw.delete(save=False)
        inbound.delete()
        deleted += 1
    return deleted


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def consultation_send(message_id: int) -> bool:
    return consultation_email_send(message_id=message_id)
