"""The approvals queue: what trainees wrote that waits for this person's decision, oldest
first. Held replies are few and the partial index tickets_held_replies holds exactly them; each
is joined to its ticket's current department, so a ticket transferred meanwhile is decided by
its new department's managers. Pages are keyset pages on the message id; counts are capped."""

from dataclasses import dataclass

from django.db.models import Prefetch

from accounts.models import User
from tickets.access import tickets_supervised_by
from tickets.models import Attachment, Message, OutboundEmail

PAGE_SIZE = 25
MAILS_SHOWN = 25
COUNT_CAP = 999


@dataclass
class HeldReplies:
    replies: list[Message]
    total: int  # capped at COUNT_CAP + 1
    next_after: int | None  # the id to continue after, when there are more


def held_replies_for(*, user: User, after: int | None = None, size: int = PAGE_SIZE) -> HeldReplies:
    """One page of the held trainee replies on the tickets this person supervises."""
    held = _held_replies(user)
    total = held.order_by()[: COUNT_CAP + 1].count()
    page = held.order_by("id")
    if after is not None:
        page = page.filter(id__gt=after)
    replies = list(
        page.select_related(
            "ticket", "ticket__department", "ticket__customer", "author"
        ).prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))[
            : size + 1
        ]
    )
    more = len(replies) > size
    replies = replies[:size]
    return HeldReplies(
        replies=replies,
        total=total,
        next_after=replies[-1].pk if more and replies else None,
    )


def _held_replies(user: User):
    return Message.objects.filter(awaiting_approval=True, ticket__in=tickets_supervised_by(user))


def _held_mails(user: User):
    return OutboundEmail.objects.filter(
        status=OutboundEmail.Status.AWAITING_APPROVAL, ticket__in=tickets_supervised_by(user)
    )


def held_totals_for(*, user: User) -> tuple[int, int]:
    """How many held replies and held mails wait for this person, each capped at
    COUNT_CAP + 1 (what the queue's headings show, refreshed after each decision)."""
    return (
        _held_replies(user).order_by()[: COUNT_CAP + 1].count(),
        _held_mails(user).order_by()[: COUNT_CAP + 1].count(),
    )


def held_mails_for(*, user: User, size: int = MAILS_SHOWN) -> list[OutboundEmail]:
    """The oldest mails trainees caused that wait for approval (a ticket's confirmation) on the
    tickets this person supervises."""
    return list(
        _held_mails(user)
        .select_related("ticket", "ticket__department", "ticket__customer", "ticket__created_by")
        .order_by("id")[:size]
    )
