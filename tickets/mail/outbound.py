"""Sending mail: every outgoing mail is an OutboundEmail row keyed by what it is for, so a task
that runs twice sends it once, and a retry after a crash re-sends under the same Message-ID.

Every mail carries Auto-Submitted (RFC 3834) and the product's loop header, so other
auto-responders, and this product's own intake, recognise it and never answer it. A header value
with a line break is refused before anything is sent."""

import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tickets.models import OutboundEmail, Ticket

logger = logging.getLogger(__name__)

LOOP_HEADER = "X-Helpdesk-Loop"
AUTO_REPLIED = "auto-replied"  # an answer to a mail (confirmation, auto-response)
AUTO_GENERATED = "auto-generated"  # everything else the product sends


class UnsafeHeader(ValueError):
    """A header value carried a line break: someone tried to inject headers."""


def message_id_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "helpdesk.invalid"


def loop_token() -> str:
    """The loop header's value: this installation's host name."""
    return message_id_domain()


def _header_safe(*values: str) -> None:
    for value in values:
        if "\r" in value or "\n" in value or "\x00" in value:
            raise UnsafeHeader(value[:80])


SENDABLE = (OutboundEmail.Status.PENDING, OutboundEmail.Status.FAILED)


@dataclass(frozen=True)
class OutgoingMail:
    key: str  # what the mail is for ("auto_response:42"): the same key is sent once
    kind: str
    ticket: Ticket | None
    to: str
    subject: str
    text: str
    html: str | None = None
    auto_submitted: str = AUTO_GENERATED
    in_reply_to: str = ""
    references: Sequence[str] = ()
    extra_headers: dict[str, str] | None = None
    decorate: Callable[[EmailMultiAlternatives], None] | None = None
    from_email: str | None = None


def outbound_send(**fields) -> bool:
    """Send the mail identified by `key` unless it went out already; returns whether it was
    sent now. A failure is recorded on the row (with its next attempt) and raised."""
    return outbound_send_many([OutgoingMail(**fields)]) == 1


def outbound_send_many(
    mails: Sequence[OutgoingMail], *, rows: dict[str, OutboundEmail] | None = None
) -> int:
    """Send each mail unless it went out already; how many were sent now. The outbox rows are
    committed first (each with its Message-ID; tickets.mail.outbox writes them with the change
    that causes the mail and passes them as `rows`, by key), then locked, sent over one
    connection and marked sent in one transaction, so two runs of a task never both send a
    mail. A mail that fails is recorded on its row with the time of its next attempt; the others
    still go, and the first failure is raised at the end; the mails sent are not sent again."""
    failures: dict[str, Exception] = {}
    for mail in mails:
        try:
            _header_safe(mail.to, mail.subject)
        except UnsafeHeader as error:
            failures[mail.key] = error
    ready = [mail for mail in mails if mail.key not in failures]
    if rows is None:  # mail not written to the outbox yet: its rows first
        rows = _outbound_rows([(m.key, m.kind, m.ticket, m.to, m.subject) for m in ready])
    with transaction.atomic():
        locked = {
            row.pk: row
            # Locked in id order, so two tasks sharing mails queue up instead of deadlocking.
            for row in OutboundEmail.objects.select_for_update()
            .filter(pk__in=[row.pk for row in rows.values()])
            .order_by("pk")
        }
        delivered = []
        with _connection(ready, failures) as connection:
            for mail in ready:
                row = locked[rows[mail.key].pk]
                if row.status not in SENDABLE or mail.key in failures:
                    continue  # sent meanwhile, or held back, or waiting for approval
                try:
                    _deliver(mail, row.message_id_header, connection)
                except Exception as error:
                    failures[mail.key] = error
                    continue
                row.status = OutboundEmail.Status.SENT  # the same key twice in `mails`
                delivered.append((row.pk, mail.to[:998], mail.subject[:998]))
        _sent_mark(delivered)
    for key, error in failures.items():
        failure_record(key, error)
    if failures:
        raise next(iter(failures.values()))
    return len(delivered)


def _sent_mark(delivered: list[tuple[int, str, str]]) -> None:
    """The rows sent: one UPDATE for what they share, and what each was sent to and as, in one
    executemany (a statement per row costs far less than compiling bulk_update's CASE over a
    batch of fifty)."""
    if not delivered:
        return
    OutboundEmail.objects.filter(pk__in=[pk for pk, _to, _subject in delivered]).update(
        status=OutboundEmail.Status.SENT,
        sent_at=timezone.now(),
        next_attempt_at=None,
        error="",
        attempts=F("attempts") + 1,
    )
    quote = db_connection.ops.quote_name
    table = quote(OutboundEmail._meta.db_table)
    to, subject, pk = (quote(name) for name in ("to", "subject", "id"))
    with db_connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {to} = %s, {subject} = %s WHERE {pk} = %s",
            [(to_, subject_, pk_) for pk_, to_, subject_ in delivered],
        )


def failure_record(key: str, error: Exception) -> None:
    """In a transaction of its own (a mail sent meanwhile stays sent): the error, and when to try
    again, a pause that doubles with each attempt up to an hour; after OUTBOX_MAX_ATTEMPTS, never
    (the row stays failed, for an admin to see and send again)."""
    row = OutboundEmail.objects.filter(idempotency_key=key).first()
    if row is None or row.status == OutboundEmail.Status.SENT:
        return
    attempts = row.attempts + 1
    pause = timedelta(minutes=min(2**attempts, 60))
    OutboundEmail.objects.filter(pk=row.pk).exclude(status=OutboundEmail.Status.SENT).update(
        status=OutboundEmail.Status.FAILED,
        attempts=F("attempts") + 1,
        error=f"{type(error).__name__}: {error}"[:2000],
        next_attempt_at=(
            None
            # A header someone tried to inject is refused for good: no retry makes it safe.
            if isinstance(error, UnsafeHeader) or attempts >= settings.OUTBOX_MAX_ATTEMPTS
            else timezone.now() + pause
        ),
    )


@contextlib.contextmanager
def _connection(mails: Sequence[OutgoingMail], failures: dict[str, Exception]):
    """One connection to the mail server for all the mails; when it cannot be opened, every
    mail has failed."""
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:
        for mail in mails:
            failures.setdefault(mail.key, error)
    try:
        yield connection
    finally:
        with contextlib.suppress(Exception):
            connection.close()


def _outbound_rows(
    entries: Sequence[tuple[str, str, Ticket | None, str, str]],
) -> dict[str, OutboundEmail]:
    """The outbox row of each (key, kind, ticket, to, subject), created with its Message-ID when
    the key is new: two statements for all, committed before anything is sent."""
    if not entries:
        return {}
    with transaction.atomic():
        OutboundEmail.objects.bulk_create(
            [
                OutboundEmail(
                    idempotency_key=key,
                    kind=kind,
                    ticket=ticket,
                    to=to,
                    subject=subject,
                    message_id_header=make_msgid(
                        idstring=kind.replace("_", "-"), domain=message_id_domain()
                    ),
                )
                for key, kind, ticket, to, subject in entries
            ],
            ignore_conflicts=True,
        )
        rows = OutboundEmail.objects.filter(idempotency_key__in=[entry[0] for entry in entries])
        return {row.idempotency_key: row for row in rows}


def _deliver(mail: OutgoingMail, message_id: str, connection) -> None:
    headers = {
        "Message-ID": message_id,
        "Auto-Submitted": mail.auto_submitted,
        LOOP_HEADER: loop_token(),
        **(mail.extra_headers or {}),
    }
    if mail.in_reply_to:
        headers["In-Reply-To"] = mail.in_reply_to
    if mail.references:
        headers["References"] = " ".join(mail.references[-20:])
    _header_safe(*headers.values(), mail.from_email or "")
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.text,
        to=[mail.to],
        headers=headers,
        from_email=mail.from_email,
        connection=connection,
    )
    if mail.html is not None:
        message.attach_alternative(mail.html, "text/html")
    if mail.decorate is not None:
        mail.decorate(message)
    message.send()
