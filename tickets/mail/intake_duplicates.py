"""Which arriving mail is a copy of a mail already taken in, and which merely shares its
Message-ID.

Two mails are the same mail when their raw bytes are identical (a re-poll, a new UIDVALIDITY),
or when they have the same Message-ID *and* the same content fingerprint: the same mail that
reached us twice by different paths (delivered to two of our mailboxes, re-delivered by the
server) differs only in its transport headers, which the fingerprint leaves out. A Message-ID
alone proves nothing: broken mailers give every mail the same one, and people resend an edited
mail under the old one; such a mail is a mail of its own and is taken in.

The fingerprint is the SHA-256 of what the author wrote, as read by `parse_email`: the
Message-ID, the sender's address, the Subject (whitespace folded), the Date, the decoded plain
and HTML bodies (line ends and trailing blanks normalised) and each attachment's name, type and
bytes. Being taken from the decoded mail rather than from the bytes after the header block, it
survives a server re-encoding the body on the way (8-bit to quoted-printable, another charset,
CRLF to LF); anything a person could change (a word, an attachment, the time it was sent)
changes it. A mail without a Message-ID has no fingerprint and is recognised by its bytes only.

The fingerprint is unique among the records, so two workers taking in the same mail at the same
moment record it once: the second insert fails and that mail is looked up again."""

import hashlib
import json
import logging
import re
from typing import TYPE_CHECKING

from django.db.models import Min, Q

from tickets.mail.parsing import ParsedEmail, UnparseableEmail, parse_email
from tickets.models import InboundEmail

if TYPE_CHECKING:
    from tickets.mail.intake_plans import Arrival

logger = logging.getLogger(__name__)

# Part of every fingerprint: a change to what it covers must change this, so that no mail is
# taken for a copy because two recipes happened to agree.
FINGERPRINT_RECIPE = "content-v1"
_BLANKS = re.compile(r"\s+")


def content_fingerprint(parsed: ParsedEmail) -> str:
    """The mail's content fingerprint (64 hex digits); "" for a mail without a Message-ID."""
    if not parsed.message_id:
        return ""
    content = [
        FINGERPRINT_RECIPE,
        parsed.message_id,
        parsed.from_address.lower(),
        _BLANKS.sub(" ", parsed.subject).strip(),
        parsed.date.isoformat() if parsed.date else "",
        _lines(parsed.text),
        _lines(parsed.html),
        [
            [part.filename, part.content_type, hashlib.sha256(part.payload).hexdigest()]
            for part in parsed.attachments
        ],
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def _lines(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.splitlines()).strip()


def records_by_fingerprint(
    recorded: list[InboundEmail], arrivals: list["Arrival"]
) -> dict[str, InboundEmail]:
    """The records by fingerprint. When a mail of the batch has a record's Message-ID but is not
    byte for byte that record, the record is also fingerprinted from its stored raw bytes as
    this version reads mail: a record from before fingerprints, or one fingerprinted before the
    reading changed (charsets detected, HTML kept, parts named), still knows its copy. A whole
    mailbox seen again after a new UIDVALIDITY matches by bytes and reads no file."""
    recorded_digests = {r.raw_sha256 for r in recorded}
    batch_fingerprints = {a.fingerprint for a in arrivals if a.fingerprint}
    unmatched_ids = {
        a.message_id for a in arrivals if a.message_id and a.digest not in recorded_digests
    }
    found = {}
    for inbound in recorded:
        if inbound.content_fingerprint:
            found[inbound.content_fingerprint] = inbound
        stale = inbound.content_fingerprint not in batch_fingerprints
        if stale and inbound.message_id_header in unmatched_ids:
            fingerprint = _fingerprint_of_stored(inbound)
            if fingerprint:
                found.setdefault(fingerprint, inbound)
    return found


def _fingerprint_of_stored(inbound: InboundEmail) -> str:
    """The fingerprint of a record's stored raw bytes; empty when they cannot be read (the new
    mail is then taken in, not dropped)."""
    try:
        with inbound.raw.open("rb") as handle:
            return content_fingerprint(parse_email(handle.read()))
    except (OSError, ValueError, UnparseableEmail) as error:
        logger.warning("raw mail of inbound email %s unreadable: %r", inbound.pk, error)
        return ""


def records_to_compare(arrivals: list["Arrival"]) -> list[InboundEmail]:
    """In one query, the records the batch's mails may repeat (by bytes or fingerprint), and for
    each of its Message-IDs the first record that has it: proof that the id was seen, and, for
    a record from before fingerprints (the only one with its id then), a copy to compare."""
    new = [a for a in arrivals if a.inbound is None]
    message_ids = {a.message_id for a in arrivals if a.message_id}
    if not new and not message_ids:
        return []
    first_with_message_id = (
        InboundEmail.objects.filter(message_id_header__in=message_ids)
        .exclude(pk__in=[a.inbound.pk for a in arrivals if a.inbound is not None])
        .values("message_id_header")
        .annotate(first=Min("pk"))
        .values("first")
    )
    return list(
        InboundEmail.objects.filter(
            Q(raw_sha256__in=[a.digest for a in new])
            | Q(content_fingerprint__in=[a.fingerprint for a in new if a.fingerprint])
            | Q(pk__in=first_with_message_id)
        )
    )
