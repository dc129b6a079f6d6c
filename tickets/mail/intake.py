"""Mail in: one email becomes a ticket, joins one, answers a consultation, or is set aside.

`inbound_receive_many` is the one door for polled mail (a batch at a time) and inbound webhooks
(`inbound_receive`, a batch of one) alike. The unique SHA-256 of the raw bytes and the unique
content fingerprint (Message-ID, sender and content: intake_duplicates.py) make a second copy of
the same mail impossible to record, so a re-poll, a killed worker, two overlapping polls or one
mail sent to two of our mailboxes never create a duplicate; a different mail that reuses a
Message-ID is recorded and taken in (intake_plans.py says how). A batch is decided first
(intake_plans: a query per kind of fact, not per mail) and then written in one transaction
(intake_writes: a statement per table); when that fails, its mails are taken in again one at a
time, and a mail that still fails is quarantined with its raw bytes (admins see it and can
reprocess it): it never stops the mail after it."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import normalize_email_address
from departments.models import Mailbox
from tickets.attachments import atomic_with_files
from tickets.mail.intake_plans import (
    Arrival,
    IntakeLookups,
    Plan,
    plans_make,
    raw_digest,
    spam_message_tokens,
)
from tickets.mail.intake_writes import plans_write
from tickets.models import InboundEmail

__all__ = [
    "IncomingMail",
    "IntakeResult",
    "inbound_receive",
    "inbound_receive_many",
    "inbound_record_oversized",
    "inbound_reprocess",
    "own_addresses",
    "raw_digest",
    "spam_message_tokens",
]

logger = logging.getLogger(__name__)

Status = InboundEmail.Status


@dataclass(frozen=True)
class IncomingMail:
    raw: bytes
    server_uid: str = ""  # IMAP UID or POP3 UIDL; empty for webhooks


@dataclass(frozen=True)
class IntakeResult:
    inbound: InboundEmail
    duplicate: bool


def inbound_receive(
    *, raw: bytes, channel: str, mailbox: Mailbox | None, server_uid: str = ""
) -> IntakeResult:
    """Record one raw mail and act on it, in one transaction. The same mail again (by bytes, or
    by Message-ID, sender and content) returns the first record and changes nothing."""
    mail = IncomingMail(raw=raw, server_uid=server_uid)
    return inbound_receive_many(mails=[mail], channel=channel, mailbox=mailbox)[0]


def inbound_receive_many(
    *, mails: Sequence[IncomingMail], channel: str, mailbox: Mailbox | None
) -> list[IntakeResult]:
    """Record and act on a batch of mails of one mailbox (or webhook), one result per mail in
    order, committed together before this returns: only then may the server forget them."""
    arrivals = [Arrival(raw=mail.raw, server_uid=mail.server_uid) for mail in mails]
    return [_result(plan) for plan in _take_in(arrivals, channel=channel, mailbox=mailbox)]


def inbound_reprocess(*, inbound: InboundEmail) -> InboundEmail:
    """Try a quarantined, spam or set-aside mail again, e.g. after a fix, a "not spam" verdict
    or an admin's look at a mail set aside (which is then taken in)."""
    with transaction.atomic():
        inbound = (
            InboundEmail.objects.select_for_update(of=("self",))
            .select_related("mailbox__department")
            .get(pk=inbound.pk)
        )
        if inbound.status not in (Status.QUARANTINED, Status.SPAM, Status.SET_ASIDE):
            return inbound
        with inbound.raw.open("rb") as handle:
            raw = handle.read()
        arrival = Arrival(raw=raw, server_uid=inbound.server_uid, inbound=inbound)
        (plan,) = _take_in(
            [arrival], channel=inbound.channel, mailbox=inbound.mailbox, spam_checked=True
        )
        return plan.inbound


def _take_in(
    arrivals: list[Arrival],
    *,
    channel: str,
    mailbox: Mailbox | None,
    spam_checked: bool = False,
    again: bool = False,
) -> list[Plan]:
    lookups = IntakeLookups.load(
        arrivals, mailbox=mailbox, own_addresses=own_addresses(), spam_checked=spam_checked
    )
    plans = plans_make(arrivals, lookups, spam_checked=spam_checked)
    try:
        with atomic_with_files() as stored_names:
            plans_write(
                plans,
                channel=channel,
                mailbox=mailbox,
                department=lookups.department,
                stored_names=stored_names,
            )
    except Exception as error:
        if len(arrivals) > 1:
            # One mail spoiled the batch (or another worker recorded one meanwhile): take the
            # mails in one at a time, so only that one is set aside.
            logger.warning("mail batch of %d failed (%r); one at a time", len(arrivals), error)
            return [
                plan
                for arrival in arrivals
                for plan in _take_in(
                    [arrival], channel=channel, mailbox=mailbox, spam_checked=spam_checked
                )
            ]
        if isinstance(error, IntegrityError) and not again:
            # Another worker recorded this mail, or its sender, meanwhile: look again.
            return _take_in(
                arrivals, channel=channel, mailbox=mailbox, spam_checked=spam_checked, again=True
            )
        logger.exception("mail could not be processed")
        return [_quarantine(arrivals[0], f"{type(error).__name__}: {error}", channel, mailbox)]
    return plans


def _quarantine(arrival: Arrival, reason: str, channel: str, mailbox: Mailbox | None) -> Plan:
    """Record a mail that could not be taken in, raw bytes kept, for an admin to look at."""
    plan = Plan(arrival=arrival, status=Status.QUARANTINED, error=reason)
    with atomic_with_files() as stored_names:
        plans_write(
            [plan], channel=channel, mailbox=mailbox, department=None, stored_names=stored_names
        )
    return plan


def _result(plan: Plan) -> IntakeResult:
    duplicate_of = plan.duplicate_of
    if duplicate_of is None:
        return IntakeResult(inbound=plan.inbound, duplicate=False)
    if isinstance(duplicate_of, Plan):  # a second copy within the batch
        return IntakeResult(inbound=duplicate_of.inbound, duplicate=True)
    return IntakeResult(inbound=duplicate_of, duplicate=True)


def inbound_record_oversized(
    *, mailbox: Mailbox, server_uid: str, size: int, uidvalidity: int | None = None
) -> InboundEmail:
    """Mail over the size limit is not downloaded: it is noted and left on the server."""
    marker = f"oversized:{mailbox.pk}:{uidvalidity}:{server_uid}".encode()
    inbound, _ = InboundEmail.objects.get_or_create(
        raw_sha256=raw_digest(marker),
        defaults={
            "mailbox": mailbox,
            "channel": mailbox.protocol,
            "server_uid": server_uid,
            "size": size,
            "status": Status.OVERSIZED,
            "error": f"{size} bytes; the limit is {settings.MAIL_MAX_SIZE}.",
            "processed_at": timezone.now(),
        },
    )
    return inbound


OWN_ADDRESSES_CACHE_KEY = "tickets:mail:own-addresses"


def own_addresses() -> set[str]:
    """The product's own addresses (a mail from one is never answered), cached for a minute:
    every mail asks, and mailboxes change rarely."""
    addresses = cache.get(OWN_ADDRESSES_CACHE_KEY)
    if addresses is None:
        addresses = set(Mailbox.objects.values_list("email_address", flat=True))
        from_address = settings.DEFAULT_FROM_EMAIL.split("<")[-1].strip(">")
        addresses.add(normalize_email_address(from_address))
        cache.set(OWN_ADDRESSES_CACHE_KEY, addresses, 60)
    return addresses
