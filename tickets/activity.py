"""Activity: the thread rows that tell the people following a ticket that something happened.

There is one record of what happens to tickets, the thread (tickets.models.Message). A row that
is worth telling someone about carries an `activity` (tickets.models.Activity) and the ticket's
department; the writers mark it with `activity_mark` as they build it and hand the saved rows to
`activity_recorded`, in their transaction. The thread's event lines, the managers' feed
(tickets/activity_feed.py) and the notifications (tickets/notifying.py) all read these rows."""

from collections.abc import Iterable

from tickets.models import Message, Ticket


def activity_mark(message: Message, *, ticket: Ticket, activity: str) -> Message:
    """Give an unsaved thread row its activity and the ticket's department."""
    message.activity = activity
    message.department_id = ticket.department_id
    return message


def activity_recorded(messages: Iterable[Message]) -> None:
    """Saved rows with an activity: whoever follows their tickets is notified, in the caller's
    transaction (so a notification exists exactly when its row does)."""
    from tickets.notifying import notifications_for_activity

    rows = [message for message in messages if message.activity]
    if rows:
        notifications_for_activity(rows)
