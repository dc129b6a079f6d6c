"""Customer satisfaction: the survey a customer gets when their case closes, and their rating.

The rules:
- **The survey** (an editable mail, tickets/satisfaction_mail.py) is written to the outbox when a
  person closes a case (Closure reason CLOSED); never for a case closed automatically after
  waiting, closed as spam (or marked spam while closed), or closed for any other reason (merging
  duplicates, when it comes, will close with a reason of its own); nor for a customer who asked
  for no surveys, has no address, or already rated; nor when no mark is active. It goes out
  SURVEY_DELAY after the closing, so the closing reply arrives first, and is checked again when
  it is sent: a case reopened meanwhile, or rated on its page, gets none.
- **One survey per case**: the outbox key is the case's. A case reopened and closed again does
  not ask again once a survey went out (its page still offers the choice); a survey that was held
  back because the case reopened before it went out is sent at the next closing instead.
- **One rating per case** (SatisfactionRating is one-to-one with the ticket), written under the
  ticket's row lock: a second click changes the rating, never adds one. A case can be rated while
  it is closed (not as spam); the rating stays when the case reopens. The mark or the comment may
  be changed for SATISFACTION_CHANGE_DAYS after the first rating, then they are final.
- The thread records each rating and change as a staff-only event line with the comment. A mark
  scoring below SATISFACTION_POOR_BELOW is poor: the first poor rating of a case is activity
  POOR_RATING (the managers' feed; the department's managers and the owner are notified,
  tickets/notifying.py); a later change to another poor mark is a plain line, so nobody is told
  twice.
- The first rating is the case's feedback after its closing (tickets/closures.py
  closure_feedback), which the reports count."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Customer, CustomerEmail, User
from tickets.activity import activity_mark, activity_recorded
from tickets.closures import closure_feedback
from tickets.mail import outbox
from tickets.models import (
    ACTIVITY_OF_EVENT,
    Activity,
    Closure,
    Message,
    OutboundEmail,
    SatisfactionMark,
    SatisfactionRating,
    StatusType,
    Ticket,
)

# The survey waits this long after the closing: the closing reply reaches the customer first,
# and a case closed by mistake and reopened at once asks nothing.
SURVEY_DELAY = timedelta(minutes=5)
COMMENT_MAX_LENGTH = 4000

# Thread events (event_data["event"]); staff-only, like every event line.
RATED_EVENT = "satisfaction_rated"
RATED_POOR_EVENT = "satisfaction_rated_poor"  # the case's first poor rating: POOR_RATING
RATING_EVENTS = (RATED_EVENT, RATED_POOR_EVENT)
MARKED_SPAM_EVENT = "marked_spam"  # tickets/mail/spam_verdicts.py


# Reading


def marks_active() -> list[SatisfactionMark]:
    """The marks customers may pick, in the admin's order."""
    return list(SatisfactionMark.objects.filter(is_active=True))


def mark_active(*, mark_id: int) -> SatisfactionMark | None:
    return SatisfactionMark.objects.filter(pk=mark_id, is_active=True).first()


def score_is_poor(score: int) -> bool:
    return score < settings.SATISFACTION_POOR_BELOW


def change_deadline(rating: SatisfactionRating) -> datetime:
    """Until when a rating may be changed or commented on."""
    return rating.rated_at + timedelta(days=settings.SATISFACTION_CHANGE_DAYS)


def ticket_is_spam(ticket: Ticket) -> bool:
    """Whether the mail that opened the case was judged spam (closed as spam, or marked spam
    after it closed): the thread has the verdict's event line."""
    return Message.objects.filter(
        ticket=ticket, kind=Message.Kind.EVENT, event_data__event=MARKED_SPAM_EVENT
    ).exists()


def rating_of_ticket(*, ticket: Ticket) -> SatisfactionRating | None:
    """The case's rating with its mark, if the customer gave one (what staff see); read from the
    ticket when it was fetched with it (tickets/access.py ticket_for_staff)."""
    if Ticket.rating.is_cached(ticket):
        # Fetched with the ticket: the rating, or none (reading it then raises, not queries).
        return getattr(ticket, "rating", None)
    return SatisfactionRating.objects.select_related("mark").filter(ticket=ticket).first()


@dataclass(frozen=True)
class RatingPanel:
    """What a customer's rating card shows for one case: its rating, the marks on offer, and
    whether they may rate or change it now."""

    ticket: Ticket
    rating: SatisfactionRating | None
    marks: list[SatisfactionMark]  # on offer: the active ones, and the case's own if retired
    rateable: bool  # closed, and not as spam
    now: datetime

    @property
    def change_until(self) -> datetime | None:
        return change_deadline(self.rating) if self.rating else None

    @property
    def changeable(self) -> bool:
        """The customer may rate now, or change their rating (the window is still open)."""
        if not self.rateable or not self.marks:
            return False
        return self.rating is None or self.now <= self.change_until

    @property
    def shown(self) -> bool:
        """Whether the ticket page offers the card at all."""
        return self.rating is not None or (self.rateable and bool(self.marks))

    def mark_offered(self, mark_id: int) -> SatisfactionMark | None:
        return next((mark for mark in self.marks if mark.pk == mark_id), None)


def rating_panel(*, ticket: Ticket) -> RatingPanel:
    """The card of a case (three queries: the rating, the marks, the spam verdict; an open case
    that was never rated asks only for its rating)."""
    rating = rating_of_ticket(ticket=ticket)
    rateable = ticket.status_type == StatusType.CLOSED and not ticket_is_spam(ticket)
    marks: list[SatisfactionMark] = []
    if rateable or rating is not None:
        marks = marks_active()
        if rating is not None and all(mark.pk != rating.mark_id for mark in marks):
            marks.append(rating.mark)  # retired since: still theirs to keep
    return RatingPanel(
        ticket=ticket, rating=rating, marks=marks, rateable=rateable, now=timezone.now()
    )


# The survey


def survey_key(ticket_id: int) -> str:
    """One survey per case."""
    return f"{outbox.SATISFACTION_SURVEY}:{ticket_id}"


def survey_queue(*, ticket: Ticket, closure: Closure) -> OutboundEmail | None:
    """The case just closed (called by tickets/closures.py closure_record, in the closing's
    transaction): write its satisfaction survey to the outbox when the rules in the module's
    docstring allow one. Returns the outbox row, or None when no survey is asked."""
    if closure.reason != Closure.Reason.CLOSED:
        return None
    if ticket.customer.survey_opt_out:
        return None
    address = (
        CustomerEmail.objects.filter(customer_id=ticket.customer_id)
        .order_by("-is_primary", "id")
        .values_list("email", flat=True)
        .first()
    )
    if address is None or not SatisfactionMark.objects.filter(is_active=True).exists():
        return None
    if SatisfactionRating.objects.filter(ticket=ticket).exists() or ticket_is_spam(ticket):
        return None
    row = outbox.outbox_add_many(
        [
            outbox.OutboxEntry(
                kind=outbox.SATISFACTION_SURVEY,
                ticket_id=ticket.pk,
                to=address,
                idempotency_key=survey_key(ticket.pk),
                send_after=SURVEY_DELAY,
            )
        ]
    )[0]
    # A survey held back because the case reopened before it went out goes at this closing.
    OutboundEmail.objects.filter(pk=row.pk, status=OutboundEmail.Status.HELD).update(
        status=OutboundEmail.Status.PENDING,
        attempts=0,
        error="",
        to=address,
        next_attempt_at=closure.closed_at + SURVEY_DELAY,
    )
    return row


@transaction.atomic
def survey_opt_out_set(*, customer: Customer, opt_out: bool) -> bool:
    """The customer asks for no more satisfaction surveys, or for them again; returns whether
    anything changed. A survey already written but not sent yet is held back when it would go
    out (tickets/satisfaction_mail.py)."""
    return bool(
        Customer.objects.filter(pk=customer.pk)
        .exclude(survey_opt_out=opt_out)
        .update(survey_opt_out=opt_out, updated_at=timezone.now())
    )


# The rating


@transaction.atomic
def rating_record(
    *,
    ticket: Ticket,
    mark: SatisfactionMark,
    comment: str | None = None,
    by_customer: User | None = None,
) -> SatisfactionRating:
    """Record the customer's rating of a closed case, or change it (the mark, the comment).

    `comment` None leaves the comment as it is; `by_customer` is the signed-in customer (None
    through the secret link). One rating per case: the ticket's row is locked, so two clicks at
    once make one rating and one change. The score, the department and the owner are copied from
    the mark and the case as they are at the first rating. Refused with a ValidationError, and
    nothing written: a case that is not closed (or was spam), a mark no longer offered, a
    comment that is too long, and any change after SATISFACTION_CHANGE_DAYS. Clicking the same
    mark again with the same comment changes nothing."""
    ticket = (
        Ticket.objects.select_for_update(of=("self",)).select_related("customer").get(pk=ticket.pk)
    )
    if ticket.status_type != StatusType.CLOSED or ticket_is_spam(ticket):
        raise ValidationError(_("Only a closed request can be rated."), code="not_closed")
    if comment is not None:
        comment = comment.strip()
        if len(comment) > COMMENT_MAX_LENGTH or "\x00" in comment:
            raise ValidationError(
                _("Keep the comment to %(limit)d characters of plain text.")
                % {"limit": COMMENT_MAX_LENGTH},
                code="comment",
            )
    rating = SatisfactionRating.objects.select_related("mark").filter(ticket=ticket).first()
    if not mark.is_active and (rating is None or rating.mark_id != mark.pk):
        raise ValidationError(
            _("That answer is no longer offered; please choose another."), code="mark_retired"
        )
    now = timezone.now()
    if rating is None:
        rating = SatisfactionRating.objects.create(
            ticket=ticket,
            mark=mark,
            score=mark.score,
            comment=comment or "",
            department_id=ticket.department_id,
            owner_id=ticket.assignee_id,
            rated_at=now,
            changed_at=now,
        )
        closure_feedback(ticket_id=ticket.pk, at=now)
        _event_write(
            ticket, rating, previous=None, comment_changed=bool(rating.comment), by=by_customer
        )
        return rating
    new_comment = rating.comment if comment is None else comment
    if rating.mark_id == mark.pk and rating.comment == new_comment:
        return rating
    if now > change_deadline(rating):
        days = settings.SATISFACTION_CHANGE_DAYS
        raise ValidationError(
            ngettext(
                "This rating can no longer be changed: a rating can be changed for %(days)d day "
                "after it is given.",
                "This rating can no longer be changed: a rating can be changed for %(days)d days "
                "after it is given.",
                days,
            )
            % {"days": days},
            code="final",
        )
    previous = rating.mark
    comment_changed = new_comment != rating.comment
    rating.mark = mark
    rating.score = mark.score  # the mark's score now: a later edit of the mark changes nothing
    rating.comment = new_comment
    rating.changed_at = now
    rating.save(update_fields=["mark", "score", "comment", "changed_at"])
    _event_write(ticket, rating, previous=previous, comment_changed=comment_changed, by=by_customer)
    return rating


def _event_write(
    ticket: Ticket,
    rating: SatisfactionRating,
    *,
    previous: SatisfactionMark | None,
    comment_changed: bool,
    by: User | None,
) -> Message:
    """The thread's line for a rating or a change, with the comment when it is new. The case's
    first poor rating is activity (the managers' feed and notifications); nothing else is."""
    poor = score_is_poor(rating.score)
    first_poor = poor and not (
        Message.objects.filter(ticket=ticket, activity=Activity.POOR_RATING).exists()
    )
    event = RATED_POOR_EVENT if first_poor else RATED_EVENT
    message = Message(
        ticket=ticket,
        kind=Message.Kind.EVENT,
        author=by,
        author_customer=ticket.customer,
        author_name=ticket.customer.name,
        body=rating.comment if comment_changed else "",
        event_data={
            "event": event,
            "mark": rating.mark.label,
            "score": rating.score,
            "poor": poor,
            "previous": previous.label if previous is not None else "",
            "mark_changed": previous is not None and previous.pk != rating.mark_id,
        },
    )
    activity = ACTIVITY_OF_EVENT.get(event)
    if activity:
        activity_mark(message, ticket=ticket, activity=activity)
    message.save(force_insert=True)
    if activity:
        activity_recorded([message])
    return message
