"""`@name` in a tech's note or reply: who is meant, and the mention marked in the message card.

A mention names a staff member by the local part of their address (`@tom` for tom@…) or by their
full name written without spaces (`@TomTech`), in any case. Only active staff who may see the
ticket (tickets.access) count: naming someone who may not see it tells them nothing."""

import re

from django.db.models import Q, Value
from django.db.models.functions import Lower, Replace
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from tickets.access import tickets_visible_to_staff
from tickets.models import Ticket

# "@" not inside a word or an address; the name runs over what an address's local part may hold.
MENTION_PATTERN = re.compile(r"(?<![\w.@+-])@([\w][\w.+-]*)", re.UNICODE)
MAX_MENTIONS = 20


def mention_handles(body: str) -> list[str]:
    """The handles written in the text, lower-cased, in order, without trailing punctuation."""
    handles: list[str] = []
    for match in MENTION_PATTERN.finditer(body or ""):
        handle = match.group(1).rstrip(".-+").lower()
        if handle and handle not in handles:
            handles.append(handle)
    return handles[:MAX_MENTIONS]


def mentions_find(*, ticket: Ticket, body: str) -> list[dict]:
    """The staff members the text mentions who may see the ticket, as {"id", "handle"}."""
    handles = mention_handles(body)
    if not handles:
        return []
    by_address = Q()
    for handle in handles:
        by_address |= Q(email__istartswith=f"{handle}@")
    candidates = (
        User.objects.filter(is_active=True)
        .filter(Q(kind=User.Kind.STAFF) | Q(is_superuser=True))
        .annotate(compact_name=Lower(Replace("full_name", Value(" "), Value(""))))
        .filter(by_address | Q(compact_name__in=handles))
        .order_by("pk")
    )
    found = []
    for user in candidates:
        local_part = user.email.split("@", 1)[0].lower()
        handle = local_part if local_part in handles else user.compact_name
        if tickets_visible_to_staff(user).filter(pk=ticket.pk).exists():
            found.append({"id": user.pk, "handle": handle})
    return found


def body_with_mentions(body: str, mentions: list[dict] | None) -> SafeString:
    """The message text as the card shows it (escaped, paragraphs kept), each mention of a
    staff member marked."""
    handles = sorted({m.get("handle", "") for m in mentions or () if m.get("handle")}, key=len)
    escaped = escape(body or "")
    if handles:
        pattern = re.compile(
            r"(?<![\w.@+-])@("
            + "|".join(re.escape(escape(h)) for h in reversed(handles))
            + r")(?![\w+-]|\.\w)",
            re.IGNORECASE,
        )
        escaped = pattern.sub(lambda m: f'<mark class="mention">{m.group(0)}</mark>', escaped)
    # As the card's linebreaksbr does; the text is escaped above and the only tag is <mark>.
    return mark_safe(escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>"))
