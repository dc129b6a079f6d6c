"""Fraud stop: blocked email addresses, domains and IP addresses cannot open tickets."""

import ipaddress
import logging

from django.core.cache import cache

from accounts.models import normalize_email_address
from tickets.models import BlockedSender, RefusedAttempt

logger = logging.getLogger(__name__)

BLOCKS_CACHE_KEY = "tickets:blocked-senders:v1"
BLOCKS_CACHE_SECONDS = 60


class SenderBlocked(Exception):
    """The sender is on the fraud-stop list; the attempt has been recorded."""

    def __init__(self, block: BlockedSender):
        super().__init__(str(block))
        self.block = block


def blocked_senders() -> list[tuple[int, str, str]]:
    """(id, kind, value) of every block, cached: every intake asks."""
    blocks = cache.get(BLOCKS_CACHE_KEY)
    if blocks is None:
        blocks = list(BlockedSender.objects.values_list("pk", "kind", "value"))
        cache.set(BLOCKS_CACHE_KEY, blocks, BLOCKS_CACHE_SECONDS)
    return blocks


def blocked_senders_changed() -> None:
    """Forget the cached list so a new block applies at once."""
    cache.delete(BLOCKS_CACHE_KEY)


def sender_block_matching(
    *,
    email: str = "",
    ip_address: str | None = None,
    blocks: list[tuple[int, str, str]] | None = None,
) -> int | None:
    """The id of the block that stops this sender, if any. A domain block covers its
    subdomains; an IP block may be a single address or a network. `blocks` is the list of
    blocked_senders() when the caller (a batch of mail) looked it up once for many senders."""
    email = normalize_email_address(email)
    domain = email.rpartition("@")[2] if "@" in email else ""
    address = None
    if ip_address:
        try:
            address = ipaddress.ip_address(ip_address)
        except ValueError:
            address = None
    for pk, kind, value in blocked_senders() if blocks is None else blocks:
        value = value.strip().lower()
        if kind == BlockedSender.Kind.EMAIL and email and email == value:
            return pk
        if kind == BlockedSender.Kind.DOMAIN and domain:
            value = value.lstrip("@")
            if domain == value or domain.endswith("." + value):
                return pk
        if kind == BlockedSender.Kind.IP and address is not None:
            try:
                if address in ipaddress.ip_network(value, strict=False):
                    return pk
            except ValueError:
                logger.warning("ignoring malformed IP block %r", value)
    return None


def sender_check(*, email: str, ip_address: str | None, channel: str, subject: str = "") -> None:
    """Raise SenderBlocked, after recording the refused attempt, when the sender is blocked."""
    block_id = sender_block_matching(email=email, ip_address=ip_address)
    block = sender_block_current(block_id) if block_id is not None else None
    if block is None:
        return
    RefusedAttempt.objects.create(
        **refused_attempt_fields(
            email=email, ip_address=ip_address, channel=channel, subject=subject
        ),
        blocked_by=block,
    )
    raise SenderBlocked(block)


def sender_block_current(block_id: int) -> BlockedSender | None:
    """The block, unless it was lifted since the list was cached (the cache is then forgotten)."""
    block = BlockedSender.objects.filter(pk=block_id).first()
    if block is None:
        blocked_senders_changed()
    return block


def refused_attempt_fields(
    *, email: str, ip_address: str | None, channel: str, subject: str
) -> dict:
    return {
        "email": normalize_email_address(email)[:254],
        "ip_address": ip_address,
        "channel": channel,
        "subject": subject[:200],
    }
