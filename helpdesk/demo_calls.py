"""Demo phone calls: on the outage case, Tom's first try that did not reach Ivan, then the call
that did (the case's first response) with what they agreed and a call-back reminder for the
next morning; and an earlier reminder that already fired, so Tom's bell has one. Logged the
way production logs them (tickets/calls.py)."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from tickets.calls import CallDetails, call_backs_remind_due, call_log
from tickets.models import Message, Ticket

OUTAGE = "Site is down for all our shops"
AGREED = (
    "Ivan restarts the shop routers at 14:00; we watch the ordering page and call him back "
    "tomorrow morning to confirm all five shops take orders."
)


def demo_calls_load() -> None:
    """Idempotent: a second run finds the calls and adds nothing."""
    tom = User.objects.filter(email="tech@example.com").first()
    outage = Ticket.objects.filter(subject=OUTAGE).first()
    if tom is None or outage is None:
        return
    if outage.messages.filter(kind=Message.Kind.PHONE_CALL).exists():
        return
    now = timezone.now()
    call_log(
        ticket=outage,
        tech=tom,
        details=CallDetails(
            direction="outgoing",
            reached=False,
            duration_minutes=0,
            agreed="Voicemail; left a message asking Ivan to call back.",
            callback_at=now + timedelta(minutes=1),
        ),
    )
    # That reminder's time has come: the beat's sweep tells Tom (his bell shows it).
    call_backs_remind_due(now=now + timedelta(minutes=2))
    tomorrow = timezone.localtime(now + timedelta(days=1)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    call_log(
        ticket=outage,
        tech=tom,
        details=CallDetails(
            direction="incoming",
            reached=True,
            duration_minutes=12,
            agreed=AGREED,
            callback_at=tomorrow,
        ),
    )
