from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from tickets.mail.outbox import outbox_send_due, outbox_sweep


@shared_task(acks_late=True)
def outbox_send(outbox_ids: list[int]) -> int:
    """Send these outbox rows, each at most once however often this runs. No retry here: a
    failed row records when to try again, and the sweep queues it then."""
    return outbox_send_due(outbox_ids=outbox_ids)


@shared_task
def outbox_sweep_due() -> int:
    """Beat: queue every outbox row still due (its task was never queued because the broker
    was down, was lost, or failed), so no mail is lost and none is sent twice."""
    return outbox_sweep()


@shared_task
def notification_digests() -> int:
    """Beat, hourly: each person's waiting notifications in one digest mail (idempotent)."""
    from tickets.notification_mail import notification_digests_send

    return notification_digests_send()


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


# Tasks an older version queued before an upgrade still arrive: each puts its mail into the
# outbox (once, by its key) and sends it from there.
def _outbox_legacy(**entry) -> int:
    from django.db import transaction

    from tickets.mail.outbox import OutboxEntry, outbox_add_many

    with transaction.atomic():
        rows = outbox_add_many([OutboxEntry(**entry)])
    return outbox_send_due(outbox_ids=[row.pk for row in rows])


@shared_task(acks_late=True)
def ticket_confirmation_send(ticket_id: int) -> int:
    from tickets.models import Ticket

    return _outbox_legacy(kind="confirmation", ticket_id=Ticket.objects.get(pk=ticket_id).pk)


@shared_task(acks_late=True)
def ticket_reply_send(message_id: int) -> int:
    from tickets.models import Message

    message = Message.objects.get(pk=message_id)
    return _outbox_legacy(kind="reply", ticket_id=message.ticket_id, message_id=message.pk)


@shared_task(acks_late=True)
def consultation_send(message_id: int) -> int:
    from tickets.models import Message

    message = Message.objects.get(pk=message_id)
    return _outbox_legacy(kind="consultation", ticket_id=message.ticket_id, message_id=message.pk)


@shared_task(acks_late=True)
def inbound_auto_responses_send(inbound_ids: list[int]) -> int:
    from tickets.models import InboundEmail

    return sum(
        _outbox_legacy(
            kind="auto_response",
            ticket_id=inbound.ticket_id,
            inbound_id=inbound.pk,
            to=inbound.from_address,
        )
        for inbound in InboundEmail.objects.filter(
            pk__in=inbound_ids, ticket__isnull=False
        ).exclude(from_address="")
    )


@shared_task(acks_late=True)
def absences_carry_out() -> dict:
    """Beat, every minute: hand over the pools of absences that began and close the ones that
    ended. Safe to run twice at once (tickets/handover.py claims each start and end once); one
    missed run is made up by the next."""
    from tickets.handover import absences_due_run

    started, ended = absences_due_run()
    return {"started": started, "ended": ended}


@shared_task(acks_late=True)
def sla_clocks_recompute() -> int:
    """Beat, every minute: recompute the open cases of departments whose calendar or limits
    changed (departments/sla_changes.py marks them), in batches. A run that fails leaves the
    mark for the next one."""
    from tickets.sla.recompute import stale_clocks_recompute

    return stale_clocks_recompute()


@shared_task(acks_late=True)
def pending_steps_sweep() -> dict:
    """Beat, every five minutes: remind the customers of cases waiting for them, and close the
    cases waiting too long (tickets/sla/pending.py). Two runs at once take each case once; a
    missed run is made up by the next."""
    from tickets.sla.pending import pending_steps_sweep as sweep

    return sweep()


@shared_task(acks_late=True)
def sla_alerts_sweep() -> int:
    """Beat, every minute: the escalation mails of cases whose SLA clock passed, and the at-risk
    warnings where departments want them (tickets/sla/escalation.py). Each clock of each case is
    alerted once, however many runs or workers see it; a missed run is made up by the next."""
    from tickets.sla.escalation import sla_alerts_sweep as sweep

    return sweep()


@shared_task(acks_late=True)
def call_backs_remind() -> int:
    """Beat, every minute: tell the techs whose call-back reminders came due (tickets/calls.py).
    Each fires once, however many runs or workers see it; a missed run is made up by the next."""
    from tickets.calls import call_backs_remind_due

    return call_backs_remind_due()
