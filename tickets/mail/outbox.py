"""The outbox: one mechanism for every mail the product sends.

A mail is written as an OutboundEmail row in the same transaction as the change that causes it
(a reply, a new ticket, a consultation, a mail taken in), so the change and its mail commit or
fail together. After the commit the row is queued for sending; where the broker does not answer
at that moment the person still sees success, and the sweep (beat, every minute) queues every row
still due: the mail is never lost. Sending locks the row and sends only what is not sent yet, so
a row queued twice is sent once.

A row is rendered when it is sent (tickets.notifications), from what it is about. A failed send
is tried again later with a growing pause, up to OUTBOX_MAX_ATTEMPTS; a row nobody can send
(no address, over an hourly limit, an auto-response a day late) is held back with its reason
on the row, where admins read it."""

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from email.utils import make_msgid
from itertools import groupby

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from tickets.events import event_add
from tickets.mail.outbound import (
    OutgoingMail,
    failure_record,
    message_id_domain,
    outbound_send_many,
)
from tickets.models import EmailState, InboundEmail, Message, Notification, OutboundEmail, Ticket

logger = logging.getLogger(__name__)

Status = OutboundEmail.Status

CONFIRMATION = "confirmation"
REPLY = "reply"
CONSULTATION = "consultation"
AUTO_RESPONSE = "auto_response"
# To a customer we have waited for some days (tickets/sla/pending.py), hung on its event line.
PENDING_REMINDER = "pending_reminder"
# To staff: one notification (tickets/notifying.py), or the hourly digest of several.
NOTIFICATION = "notification"
NOTIFICATION_DIGEST = "notification_digest"
# To staff: a case passed an SLA clock (its department's managers and its owner, or its
# department's techs while it has none), or is at risk of passing it (tickets/sla/escalation.py).
ESCALATION = "escalation"
SLA_WARNING = "sla_warning"
# To a manager or admin who asked for it: last month's key numbers for their departments. The
# reports render it (reports/monthly_summary.py registers its renderer, see RENDERERS).
MONTHLY_SUMMARY = "monthly_summary"
# To a customer whose case closed: how satisfied were they (tickets/satisfaction.py), written a
# few minutes ahead of sending (OutboxEntry.send_after).
SATISFACTION_SURVEY = "satisfaction_survey"
# To a person with an account: their password reset link, the link that confirms a sign-up's
# address, or the note that the address signing up has an account already. The accounts render
# them (accounts/account_mail.py registers the renderer).
PASSWORD_RESET = "password_reset"
SIGNUP_VERIFICATION = "signup_verification"
SIGNUP_EXISTING = "signup_existing"

# A new row waits this long before the sweep takes it: its own task normally sends it first.
SWEEP_GRACE = timedelta(minutes=2)
# A row the sweep queued is queued again after this long if it is still unsent by then.
REQUEUE_AFTER = timedelta(minutes=10)
QUEUE_CHUNK = 50


@dataclass(frozen=True)
class Held:
    """A mail that will not be sent, and why (shown to admins on the row)."""

    reason: str


Rendered = OutgoingMail | Held


def outbox_add(
    *,
    kind: str,
    ticket: Ticket | None,
    message: Message | None = None,
    inbound: InboundEmail | None = None,
    to: str = "",
    awaiting_approval: bool = False,
) -> OutboundEmail:
    """Write one mail to the outbox in the caller's transaction; see outbox_add_many."""
    entry = OutboxEntry(
        kind=kind,
        ticket_id=ticket.pk if ticket else None,
        message_id=message.pk if message else None,
        inbound_id=inbound.pk if inbound else None,
        to=to,
        awaiting_approval=awaiting_approval,
    )
    return outbox_add_many([entry])[0]


@dataclass(frozen=True)
class OutboxEntry:
    """A mail to write: its kind, and the ticket and message or mail it is about."""

    kind: str
    ticket_id: int | None
    message_id: int | None = None
    inbound_id: int | None = None
    to: str = ""
    awaiting_approval: bool = False  # a trainee's mail: sent once a manager approves it
    # What the mail is for, when the ticket, message or mail alone does not say it (a
    # notification is one person's; a digest one person's hour).
    idempotency_key: str = ""
    # Not sent before this long after it is written: left to the sweep rather than queued at
    # commit (the satisfaction survey lets the closing reply arrive first).
    send_after: timedelta | None = None

    @property
    def key(self) -> str:
        if self.idempotency_key:
            return self.idempotency_key
        return f"{self.kind}:{self.message_id or self.inbound_id or self.ticket_id}"


def outbox_add_many(entries: Sequence[OutboxEntry]) -> list[OutboundEmail]:
    """Write mails to the outbox in the caller's transaction (one statement), each with its
    Message-ID, and queue them for sending once that transaction commits. A key already in the
    outbox is left as it is: the same mail is never written twice."""
    now = timezone.now()
    rows = [
        OutboundEmail(
            idempotency_key=entry.key,
            kind=entry.kind,
            ticket_id=entry.ticket_id,
            message_id=entry.message_id,
            inbound_id=entry.inbound_id,
            to=entry.to[:998],
            message_id_header=make_msgid(
                idstring=entry.kind.replace("_", "-"), domain=message_id_domain()
            ),
            status=Status.AWAITING_APPROVAL if entry.awaiting_approval else Status.PENDING,
            created_at=now,
            next_attempt_at=None
            if entry.awaiting_approval
            else now + (entry.send_after or SWEEP_GRACE),
        )
        for entry in entries
    ]
    later = {entry.key for entry in entries if entry.send_after}
    if not rows:
        return []
    # update_conflicts (a no-op update) rather than ignore_conflicts: the ids come back.
    OutboundEmail.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["idempotency_key"],
        update_fields=["idempotency_key"],
    )
    for row in rows:
        if row.kind in (REPLY, CONSULTATION, PENDING_REMINDER):
            # The message carries its mail's Message-ID from the start: answers to that mail
            # thread back to it, and later mail of the thread refers to it.
            Message.objects.filter(pk=row.message_id, email_message_id="").update(
                email_message_id=row.message_id_header
            )
    due = [
        row.pk for row in rows if row.status == Status.PENDING and row.idempotency_key not in later
    ]
    if due:
        transaction.on_commit(lambda: outbox_queue(due))
    return rows


def outbox_queue(ids: Sequence[int]) -> list[int]:
    """Hand the rows to the workers; which ids were queued. With the broker unreachable nothing
    fails: the rows stay due and the sweep queues them when it is back."""
    from tickets.tasks import outbox_send

    queued: list[int] = []
    for start in range(0, len(ids), QUEUE_CHUNK):
        chunk = list(ids[start : start + QUEUE_CHUNK])
        try:
            outbox_send.delay(outbox_ids=chunk)
        except Exception as error:
            logger.warning(
                "outbox: %d mails not queued (%s: %s); the sweep sends them later",
                len(ids) - start,
                type(error).__name__,
                error,
            )
            break
        queued.extend(chunk)
    return queued


def outbox_send_due(*, outbox_ids: Sequence[int]) -> int:
    """Render and send the rows that are still due; how many went out now. Rows over an
    hourly limit, or that cannot be sent at all, are held back with the reason. A failed send
    is recorded on its row (tried again later) and the first failure raised at the end."""
    from tickets.notifications import RENDERERS

    rows = list(
        OutboundEmail.objects.filter(pk__in=outbox_ids, status__in=[Status.PENDING, Status.FAILED])
        .select_related(
            "ticket__customer",
            "ticket__department",
            "ticket__status",
            "message__author",
            "inbound__mailbox",
        )
        .order_by("kind", "pk")
    )
    rendered: list[tuple[OutboundEmail, Rendered]] = []
    for kind, group in groupby(rows, key=lambda row: row.kind):
        rendered.extend(_render(RENDERERS.get(kind), list(group)))
    rendered = _hourly_limits_apply(rendered)
    held = [(row, outcome) for row, outcome in rendered if isinstance(outcome, Held)]
    _hold(held)
    sending = [(row, outcome) for row, outcome in rendered if isinstance(outcome, OutgoingMail)]
    try:
        return outbound_send_many(
            [mail for _row, mail in sending],
            rows={row.idempotency_key: row for row, _mail in sending},
        )
    finally:
        try:
            _sent_stamp([row for row, _mail in sending])
        except Exception:  # never hide the send's own outcome; the stamps are only for show
            logger.exception("outbox: could not stamp the mails sent")


def _sent_stamp(rows: list[OutboundEmail]) -> None:
    """What the thread shows: a reply or a pending reminder "emailed", a ticket's confirmation
    sent; and the notifications a mail carried, emailed."""
    kinds = {row.kind for row in rows} & {
        REPLY,
        PENDING_REMINDER,
        CONFIRMATION,
        NOTIFICATION,
        NOTIFICATION_DIGEST,
    }
    if not kinds:
        return
    sent = OutboundEmail.objects.filter(pk__in=[row.pk for row in rows], status=Status.SENT)
    now = timezone.now()
    if kinds & {NOTIFICATION, NOTIFICATION_DIGEST}:
        Notification.objects.filter(outbound__in=sent.values("pk")).exclude(
            email_state=EmailState.EMAILED
        ).update(email_state=EmailState.EMAILED)
    if kinds & {REPLY, PENDING_REMINDER}:
        Message.objects.filter(
            pk__in=sent.filter(kind__in=[REPLY, PENDING_REMINDER]).values("message_id"),
            emailed_at__isnull=True,
        ).update(emailed_at=now)
    if CONFIRMATION in kinds:
        Ticket.objects.filter(
            pk__in=sent.filter(kind=CONFIRMATION).values("ticket_id"),
            confirmation_sent_at__isnull=True,
        ).update(confirmation_sent_at=now)


def _render(
    renderer: Callable[[list[OutboundEmail]], list[Rendered]] | None, rows: list[OutboundEmail]
) -> list[tuple[OutboundEmail, Rendered]]:
    """The rows of one kind rendered together; when that fails, one at a time, so a row that
    cannot be rendered is recorded as failed (tried again later, then given up) and never holds
    back the others."""
    try:
        if renderer is None:
            raise LookupError(f"no renderer for mail of kind {rows[0].kind!r}")
        return list(zip(rows, renderer(rows), strict=True))
    except Exception as error:
        if len(rows) > 1:
            return [pair for row in rows for pair in _render(renderer, [row])]
        logger.exception("outbox: mail %s could not be rendered", rows[0].pk)
        failure_record(rows[0].idempotency_key, error)
        return []


def _hourly_limit(kind: str) -> int | None:
    """At most this many mails of a kind to one address an hour: auto-responses, so two
    auto-responders never keep each other busy; confirmations, so nobody can use the web form to
    send a stranger a flood of mail from the helpdesk's address; account mail (password resets,
    sign-up links), for the same reason, even while the cache that throttles the pages is down."""
    return {
        AUTO_RESPONSE: settings.MAIL_AUTO_RESPONSES_PER_HOUR,
        CONFIRMATION: settings.MAIL_CONFIRMATIONS_PER_HOUR,
        PASSWORD_RESET: settings.MAIL_ACCOUNT_MAILS_PER_HOUR,
        SIGNUP_VERIFICATION: settings.MAIL_ACCOUNT_MAILS_PER_HOUR,
        SIGNUP_EXISTING: settings.MAIL_ACCOUNT_MAILS_PER_HOUR,
    }.get(kind)


def _hourly_limits_apply(
    rendered: list[tuple[OutboundEmail, Rendered]],
) -> list[tuple[OutboundEmail, Rendered]]:
    limited = [
        (row, outcome)
        for row, outcome in rendered
        if isinstance(outcome, OutgoingMail) and _hourly_limit(row.kind) is not None
    ]
    if not limited:
        return rendered
    recent = Counter(
        {
            (kind, to.lower()): count
            for kind, to, count in OutboundEmail.objects.filter(
                kind__in={row.kind for row, _outcome in limited},
                to__in={outcome.to for _row, outcome in limited},
                status=Status.SENT,
                sent_at__gte=timezone.now() - timedelta(hours=1),
            )
            .values("kind", "to")
            .annotate(count=Count("pk"))
            .values_list("kind", "to", "count")
        }
    )
    result = []
    for row, outcome in rendered:
        limit = _hourly_limit(row.kind)
        if isinstance(outcome, OutgoingMail) and limit is not None:
            sender = (row.kind, outcome.to.lower())
            if recent[sender] >= limit:
                outcome = Held(
                    _("More than %(limit)d mails of this kind to %(to)s an hour.")
                    % {"limit": limit, "to": outcome.to}
                )
            else:
                recent[sender] += 1
        result.append((row, outcome))
    return result


def _hold(held: list[tuple[OutboundEmail, Held]]) -> None:
    for row, outcome in held:
        OutboundEmail.objects.filter(pk=row.pk).exclude(status=Status.SENT).update(
            status=Status.HELD, error=outcome.reason[:2000], next_attempt_at=None
        )


def outbox_due(*, now=None, limit: int = 5000) -> list[int]:
    """The rows the sweep should queue: unsent, and past their next attempt."""
    now = now or timezone.now()
    return list(
        OutboundEmail.objects.filter(
            status__in=[Status.PENDING, Status.FAILED], next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_sweep() -> int:
    """Queue every row still due (its task never queued, lost, or failed), after letting go of
    those too old to be worth sending; how many were queued."""
    now = timezone.now()
    OutboundEmail.objects.filter(
        kind=AUTO_RESPONSE,
        status__in=[Status.PENDING, Status.FAILED],
        created_at__lt=now - timedelta(days=1),
    ).update(
        status=Status.HELD,
        next_attempt_at=None,
        error=_("Not sent within a day; an acknowledgement this late helps nobody."),
    )
    ids = outbox_due(now=now)
    queued = outbox_queue(ids)
    # Only rows whose task has not run yet: one that failed meanwhile keeps its own pause.
    OutboundEmail.objects.filter(
        pk__in=queued, status__in=[Status.PENDING, Status.FAILED], next_attempt_at__lte=now
    ).update(next_attempt_at=now + REQUEUE_AFTER)
    return len(queued)


def outbox_send_again(*, outbox_ids: Sequence[int]) -> int:
    """An admin sends failed or held-back mail again, the hourly limits still applying; how
    many rows were queued. A sent mail is never sent again."""
    now = timezone.now()
    with transaction.atomic():
        count = OutboundEmail.objects.filter(
            pk__in=outbox_ids, status__in=[Status.FAILED, Status.HELD]
        ).update(status=Status.PENDING, attempts=0, next_attempt_at=now + SWEEP_GRACE)
        transaction.on_commit(lambda: outbox_queue(list(outbox_ids)))
    return count


def outbox_approve(*, outbound: OutboundEmail, manager: User) -> OutboundEmail:
    """A manager lets a trainee's mail (a ticket's confirmation) go; it is sent after commit."""
    with transaction.atomic():
        outbound = OutboundEmail.objects.select_for_update().get(pk=outbound.pk)
        if outbound.status != Status.AWAITING_APPROVAL:
            return outbound
        outbound.status = Status.PENDING
        outbound.next_attempt_at = timezone.now() + SWEEP_GRACE
        outbound.save(update_fields=["status", "next_attempt_at"])
        if outbound.ticket_id:
            event_add(
                ticket=outbound.ticket,
                author=manager,
                event="mail_approved",
                data={"kind": outbound.kind},
            )
        transaction.on_commit(lambda: outbox_queue([outbound.pk]))
        return outbound


def mails_awaiting_approval(*, ticket: Ticket) -> list[OutboundEmail]:
    return list(
        OutboundEmail.objects.filter(ticket=ticket, status=Status.AWAITING_APPROVAL).order_by("pk")
    )
