"""Techs' spam verdicts: "spam" sets a mail aside, "not spam" lets it through; the filter
learns from both, and a correction unlearns the earlier verdict."""

from django.db import transaction

from accounts.models import User
from tickets.events import event_add, status_set
from tickets.mail import spam
from tickets.mail.intake import inbound_reprocess, spam_message_tokens
from tickets.mail.parsing import UnparseableEmail, parse_email
from tickets.models import Closure, InboundEmail, StatusType


def _learn(inbound: InboundEmail, *, is_spam: bool) -> None:
    verdict = "spam" if is_spam else "ham"
    if inbound.spam_learned_as == verdict:
        return
    with inbound.raw.open("rb") as handle:
        raw = handle.read()
    try:
        tokens = spam_message_tokens(parse_email(raw))
    except UnparseableEmail:
        return
    spam.spam_learn(
        tokens=tokens, is_spam=is_spam, unlearn_previous=bool(inbound.spam_learned_as) or None
    )
    InboundEmail.objects.filter(pk=inbound.pk).update(spam_learned_as=verdict)
    inbound.spam_learned_as = verdict


def spam_verdict_change(
    *, inbound: InboundEmail, is_spam: bool, by: User | None = None
) -> InboundEmail:
    """Spam: the mail is set aside and the ticket it opened is closed with a note. Not spam: the
    mail is processed as if it had just arrived, opening its ticket."""
    with transaction.atomic():
        inbound = InboundEmail.objects.select_for_update().get(pk=inbound.pk)
        _learn(inbound, is_spam=is_spam)
        if is_spam and inbound.status != InboundEmail.Status.SPAM:
            opened_ticket = inbound.status == InboundEmail.Status.TICKET
            inbound.status = InboundEmail.Status.SPAM
            inbound.save(update_fields=["status"])
            if opened_ticket and inbound.ticket is not None:
                event_add(ticket=inbound.ticket, author=by, event="marked_spam")
                status_set(
                    ticket=inbound.ticket,
                    status_type=StatusType.CLOSED,
                    author=by,
                    close_reason=Closure.Reason.SPAM,
                )
            return inbound
        if not is_spam and inbound.status == InboundEmail.Status.SPAM:
            return inbound_reprocess(inbound=inbound)
        return inbound
