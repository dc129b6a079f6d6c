"""Who hears about activity on a ticket (tickets/activity.py): built by the notifications work."""

from collections.abc import Sequence

from tickets.models import Message


def notifications_for_activity(messages: Sequence[Message]) -> None:
    """Fan the activity rows out to the people who follow their tickets."""
    return None
