"""The managers' feed of new activity: the thread rows that carry an activity (tickets/activity.py)
in the departments a person supervises, newest first, a page at a time, and their watermark.

Pages are keyset pages on the row id ("older than id N"). The ids of a page are found per
department on the partial index tickets_activity (department, -id) — or tickets_activity_kind
(department, activity, -id) with a kind filter — and the departments' pages are unioned, so a
manager of many departments at millions of rows still reads a few index pages per department.

The watermark (`User.activity_seen_up_to`) is the largest row id the person has marked seen;
it only ever rises, by a conditional UPDATE, so two tabs marking different pages cannot move it
back."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accounts.models import User
from tickets.models import Activity, Message
from tickets.sla.wording import SLA_EVENTS, sla_event_text

PAGE_SIZE = 50
EXCERPT_LENGTH = 140

# An icon for every kind (always shown with its word, never alone).
ICONS = {
    Activity.TICKET_CREATED: "bi-plus-circle",
    Activity.CUSTOMER_MESSAGE: "bi-chat-left-text",
    Activity.CONSULTATION_ANSWER: "bi-arrow-left-right",
    Activity.TRANSFERRED: "bi-box-arrow-right",
    Activity.STATUS_CHANGED: "bi-flag",
    Activity.REPLY_HELD: "bi-pause-circle",
    Activity.REPLY_APPROVED: "bi-check2-circle",
    Activity.REPLY_REJECTED: "bi-x-circle",
    Activity.MENTIONED: "bi-at",
    Activity.SLA_AT_RISK: "bi-hourglass-split",
    Activity.SLA_ESCALATED: "bi-alarm",
    Activity.POOR_RATING: "bi-emoji-frown",
}


@dataclass(frozen=True)
class FeedFilters:
    department_id: int | None = None
    kind: str = ""

    @property
    def any(self) -> bool:
        return bool(self.department_id or self.kind)


@dataclass
class FeedRow:
    message: Message
    is_new: bool
    icon: str
    label: str
    who: str
    excerpt: str


@dataclass
class FeedPage:
    rows: list[FeedRow]
    older_than: int | None  # the cursor of the next (older) page, if there is one
    newest_id: int | None  # the largest id shown: what "mark all seen" moves the watermark to
    first_page: bool

    @property
    def any_new(self) -> bool:
        """Whether a row shown is new: "mark all seen" has something to mark."""
        return any(row.is_new for row in self.rows)


def feed_page(
    *,
    user: User,
    department_ids: list[int],
    filters: FeedFilters | None = None,
    before: int | None = None,
    size: int | None = None,
) -> FeedPage:
    """A page of activity in `department_ids` (the caller's supervised departments; a
    department filter outside them shows nothing), newest first, older than `before`."""
    filters = filters or FeedFilters()
    size = size or PAGE_SIZE
    if filters.department_id:
        department_ids = [pk for pk in department_ids if pk == filters.department_id]
    ids = _page_ids(department_ids, kind=filters.kind, before=before, size=size + 1)
    more = len(ids) > size
    ids = ids[:size]
    messages = Message.objects.select_related(
        "ticket", "ticket__customer", "department", "author_customer"
    ).in_bulk(ids)
    rows = [_row(messages[pk], seen_up_to=user.activity_seen_up_to) for pk in ids]
    return FeedPage(
        rows=rows,
        older_than=ids[-1] if more and ids else None,
        newest_id=ids[0] if ids else None,
        first_page=before is None,
    )


def _page_ids(department_ids: list[int], *, kind: str, before: int | None, size: int) -> list[int]:
    def of(department_ids):
        rows = Message.objects.filter(department_id__in=department_ids).exclude(activity="")
        if kind:
            rows = rows.filter(activity=kind)
        if before is not None:
            rows = rows.filter(id__lt=before)
        return rows.order_by("-id").values_list("id", flat=True)

    if not department_ids:
        return []
    if len(department_ids) == 1 or not connection.features.supports_slicing_ordering_in_compound:
        # One department is one index range; SQLite (the quickstart) cannot order the parts of
        # a UNION and gets the plain query.
        return list(of(department_ids)[:size])
    parts = [of([pk])[:size] for pk in department_ids]
    return list(parts[0].union(*parts[1:], all=True).order_by("-id")[:size])


def _row(message: Message, *, seen_up_to: int) -> FeedRow:
    activity = message.activity
    return FeedRow(
        message=message,
        is_new=message.pk > seen_up_to,
        icon=ICONS.get(activity, "bi-dot"),
        label=message.get_activity_display(),
        who=_who(message),
        excerpt=_excerpt(message),
    )


def _who(message: Message) -> str:
    if message.author_name:
        return message.author_name
    if message.author_customer_id:
        return message.author_customer.name
    if message.kind == Message.Kind.CUSTOMER:
        return message.ticket.customer.name
    if message.kind == Message.Kind.EVENT:
        # Nobody did it by hand: the beat carried out an absence, or the system moved it.
        data = message.event_data or {}
        if data.get("event") == "handed_over" and data.get("from"):
            return _("Automatic (%(absent)s's absence)") % {"absent": data["from"]}
        return _("Automatic")
    return ""


def _excerpt(message: Message) -> str:
    data = message.event_data or {}
    if data.get("event") in SLA_EVENTS:
        return sla_event_text(data)
    if message.activity == Activity.STATUS_CHANGED:
        return f"{data.get('from', '')} → {data.get('to', '')}"
    if message.activity == Activity.POOR_RATING:
        return rating_text(data, comment=message.body)
    if message.activity == Activity.REPLY_REJECTED and data.get("reason"):
        reason = " ".join(str(data["reason"]).split())
        return _("Reason: %(reason)s") % {"reason": Truncator(reason).chars(EXCERPT_LENGTH)}
    if message.activity == Activity.REPLY_APPROVED and data.get("edited"):
        return _("Edited before it was sent")
    if message.activity == Activity.TRANSFERRED and message.kind == Message.Kind.EVENT:
        if data.get("event") in ("handed_over", "taken_back"):
            return absence_move_text(data, author_name=message.author_name)
        return f"{_place(data, 'from')} → {_place(data, 'to')}"
    text = " ".join(message.body.split())
    return Truncator(text).chars(EXCERPT_LENGTH)


def rating_text(data: dict, *, comment: str = "") -> str:
    """A poor rating in one line: the mark, and the start of the customer's comment."""
    text = str(data.get("mark", ""))
    comment = " ".join(comment.split())
    if comment:
        text = _("%(mark)s: “%(comment)s”") % {
            "mark": text,
            "comment": Truncator(comment).chars(EXCERPT_LENGTH),
        }
    return text


def absence_move_text(data: dict, *, author_name: str = "") -> str:
    """A hand-over at an absence's start or a take-back at its end, in words (its event row
    carries no from/to department like a transfer does)."""
    if data.get("event") == "taken_back":
        return _("%(tech)s, back from absence, took it back from %(substitute)s") % {
            "tech": author_name or _("The tech"),
            "substitute": data.get("from") or _("the general pool"),
        }
    if data.get("to"):
        return _("%(absent)s is absent: handed over to %(substitute)s") % {
            "absent": data.get("from", ""),
            "substitute": data["to"],
        }
    return _("%(absent)s is absent: put in the general pool of %(department)s") % {
        "absent": data.get("from", ""),
        "department": data.get("department", ""),
    }


def _place(data: dict, side: str) -> str:
    department = data.get(f"{side}_department", "")
    owner = data.get(f"{side}_owner", "")
    if owner and department:
        return f"{owner} ({department})"
    return owner or (_("general pool of %(department)s") % {"department": department})


def activity_seen_mark(*, user: User, up_to: int, department_ids: list[int]) -> bool:
    """Move the person's watermark up to `up_to`, the id of an activity row in their
    departments (what a page showed). It never moves down: the UPDATE only matches while the
    stored watermark is lower, so of two tabs the later, lower mark changes nothing. Returns
    whether it moved."""
    shown = (
        Message.objects.filter(pk=up_to, department_id__in=department_ids)
        .exclude(activity="")
        .exists()
    )
    if not shown:
        raise ValidationError(_("That page of activity is not one of yours; nothing was marked."))
    moved = User.objects.filter(pk=user.pk, activity_seen_up_to__lt=up_to).update(
        activity_seen_up_to=up_to
    )
    if moved:
        user.activity_seen_up_to = up_to
    return bool(moved)
