"""Who hears about activity on a ticket (tickets/activity.py), in the writer's transaction.

The rules, for each activity row:
- the responsible tech (the ticket's owner) hears of everything;
- by their preference ("my tickets and my departments' tickets"), the members of the departments
  the responsible tech works in (for an unowned ticket: the ticket's department) who may see the
  ticket: a tech never learns about a ticket in another tech's pool they could not open — except
  for held and decided replies and mentions, whose recipients are fixed by the next rules;
- a held reply: the department's managers, who approve it, whatever their preference;
- a held reply approved or rejected: the trainee who wrote it;
- a transfer: the old owner and the new one;
- a mention (`@name` in a note or reply, found by tickets.mentions): each staff member named;
- a case at risk of passing its time limit, or escalated because it did: the department's
  managers, and for a case nobody owns the department's techs (the people the SLA mails go to,
  tickets/sla/escalation.py);
- a case's first poor satisfaction rating (tickets/satisfaction.py): the department's managers;
- a call-back reminder coming due (tickets/calls.py): the tech who set it.
Nobody is told of their own action; inactive people and customers never.

Email follows each person's preference for the kind of activity: at once (an outbox row in this
transaction) or in the hourly digest (tickets.notification_mail).

A batch of rows (the mail intake hands over up to ~50) costs a fixed number of queries: the
tickets (when not already loaded), the memberships, the decided replies' authors, the people and
their preferences, each once for all rows, then one insert of the mails and one of the
notifications."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q

from accounts.models import User
from departments.models import Membership
from tickets.mail import outbox
from tickets.models import (
    Activity,
    EmailState,
    Message,
    Notification,
    NotificationPreference,
    NotificationReason,
    Ticket,
)
from tickets.notification_preferences import has_scope, preference_of, preferences_for

Reason = NotificationReason

# The strongest reason wins when one person has several for the same row.
REASON_RANK = [
    Reason.YOUR_REMINDER,
    Reason.MENTIONED,
    Reason.APPROVAL_NEEDED,
    Reason.YOUR_REPLY_DECIDED,
    Reason.TRANSFERRED_TO_YOU,
    Reason.TRANSFERRED_FROM_YOU,
    Reason.YOUR_TICKET,
    Reason.YOUR_DEPARTMENT,
]
MENTION_KINDS = (Message.Kind.NOTE, Message.Kind.REPLY)
SLA_ACTIVITIES = (Activity.SLA_AT_RISK, Activity.SLA_ESCALATED)


def notification_outbox_key(*, recipient_id: int, message_id: int) -> str:
    """One mail per notification (a notification is one person and one row)."""
    return f"{outbox.NOTIFICATION}:{recipient_id}:{message_id}"


@dataclass(frozen=True)
class _TicketFacts:
    assignee_id: int | None
    department_id: int


@dataclass(frozen=True)
class _Person:
    email: str
    is_superuser: bool


def notifications_for_activity(messages: Sequence[Message]) -> None:
    """Fan the activity rows out to the people who follow their tickets."""
    rows = [message for message in messages if message.activity and message.pk]
    if not rows:
        return
    tickets = _tickets_of(rows)
    memberships = _memberships(tickets.values())
    decided_authors = _decided_reply_authors(rows)
    # {row id: {user id: reason}}: first those the rules name, then the departments' followers.
    chosen = {
        row.pk: _direct_recipients(
            row,
            tickets[row.ticket_id],
            managers=memberships.managers,
            members=memberships.members,
            decided_authors=decided_authors,
        )
        for row in rows
    }
    # Held and decided replies and mentions go to whom the rules name, whatever anyone's scope
    # (tickets.notification_preferences.FIXED_RECIPIENTS): no followers for them.
    followers = {
        row.pk: (
            memberships.followers_of(tickets[row.ticket_id]) if has_scope(row.activity) else set()
        )
        for row in rows
    }
    candidates = {user_id for found in chosen.values() for user_id in found}
    candidates |= {user_id for found in followers.values() for user_id in found}
    if not candidates:
        return
    saved = preferences_for(candidates)
    for row in rows:
        for user_id in followers[row.pk] - set(chosen[row.pk]):
            choice = preference_of(saved, user_id=user_id, activity=row.activity)
            if choice.in_app == NotificationPreference.InApp.DEPARTMENTS:
                chosen[row.pk][user_id] = Reason.YOUR_DEPARTMENT
        chosen[row.pk].pop(row.author_id, None)  # nobody is told of their own action
    people = _people({user_id for found in chosen.values() for user_id in found})
    for row in rows:
        ticket = tickets[row.ticket_id]
        for user_id, reason in list(chosen[row.pk].items()):
            person = people.get(user_id)
            if reason == Reason.YOUR_DEPARTMENT and not (
                person is not None
                and (person.is_superuser or memberships.may_see(user_id=user_id, ticket=ticket))
            ):
                del chosen[row.pk][user_id]
    _write(rows, chosen, people=people, saved=saved)


def _tickets_of(rows: list[Message]) -> dict[int, _TicketFacts]:
    """The rows' tickets as the writers left them (their owner after a transfer); loaded only
    for rows whose ticket object is not at hand."""
    facts = {}
    for row in rows:
        if Message.ticket.is_cached(row):
            facts[row.ticket_id] = _TicketFacts(row.ticket.assignee_id, row.ticket.department_id)
    missing = {row.ticket_id for row in rows} - set(facts)
    if missing:
        for pk, assignee_id, department_id in Ticket.objects.filter(pk__in=missing).values_list(
            "pk", "assignee_id", "department_id"
        ):
            facts[pk] = _TicketFacts(assignee_id, department_id)
    return facts


@dataclass(frozen=True)
class _Memberships:
    """Who works where, in the departments the rows concern."""

    members: dict[int, set[int]]  # department id -> user ids
    managers: dict[int, set[int]]
    departments_of_user: dict[int, set[int]]

    def followers_of(self, ticket: _TicketFacts) -> set[int]:
        """The members of the departments the ticket's owner works in (for an unowned ticket:
        of its department), who hear of it if they chose to."""
        if ticket.assignee_id is not None:
            departments = self.departments_of_user.get(ticket.assignee_id, set())
        else:
            departments = {ticket.department_id}
        return {user for department in departments for user in self.members.get(department, ())}

    def may_see(self, *, user_id: int, ticket: _TicketFacts) -> bool:
        """tickets.access.tickets_visible_to_staff for someone who is not an admin: managers
        see their departments' tickets, techs their own pool and their departments' general
        pool, never another tech's pool."""
        if user_id == ticket.assignee_id or user_id in self.managers.get(ticket.department_id, ()):
            return True
        return ticket.assignee_id is None and user_id in self.members.get(ticket.department_id, ())


def _memberships(tickets) -> _Memberships:
    """Members and managers of the tickets' departments and of every department their owners
    work in (active departments only), and the owners' departments. One query."""
    owners = {t.assignee_id for t in tickets if t.assignee_id is not None}
    ticket_departments = {t.department_id for t in tickets}
    owner_departments = Membership.objects.filter(user_id__in=owners).values("department_id")
    found = Membership.objects.filter(
        Q(department_id__in=ticket_departments) | Q(department_id__in=owner_departments),
        department__is_active=True,
    ).values_list("user_id", "department_id", "is_manager")
    memberships = _Memberships(defaultdict(set), defaultdict(set), defaultdict(set))
    for user_id, department_id, is_manager in found:
        memberships.members[department_id].add(user_id)
        if is_manager:
            memberships.managers[department_id].add(user_id)
        memberships.departments_of_user[user_id].add(department_id)
    return memberships


def _decided_reply_authors(rows: list[Message]) -> dict[int, int | None]:
    """The trainee behind each approved or rejected held reply (the event names the reply)."""
    replies = {
        row.event_data.get("message")
        for row in rows
        if row.activity in (Activity.REPLY_APPROVED, Activity.REPLY_REJECTED)
    }
    replies = {pk for pk in replies if isinstance(pk, int)}
    if not replies:
        return {}
    return dict(Message.objects.filter(pk__in=replies).values_list("pk", "author_id"))


def _direct_recipients(
    row: Message, ticket: _TicketFacts, *, managers, members, decided_authors
) -> dict[int, str]:
    found: list[tuple[int | None, str]] = [(ticket.assignee_id, Reason.YOUR_TICKET)]
    data = row.event_data or {}
    if row.activity == Activity.TRANSFERRED:
        found.append((_an_id(data.get("from_owner_id")), Reason.TRANSFERRED_FROM_YOU))
        found.append((_an_id(data.get("to_owner_id")), Reason.TRANSFERRED_TO_YOU))
    elif row.activity == Activity.REPLY_HELD:
        found += [(user_id, Reason.APPROVAL_NEEDED) for user_id in managers[row.department_id]]
    elif row.activity in (Activity.REPLY_APPROVED, Activity.REPLY_REJECTED):
        author = decided_authors.get(data.get("message"))
        found.append((author, Reason.YOUR_REPLY_DECIDED))
    elif row.activity == Activity.CALL_BACK_DUE:
        found.append((_an_id(data.get("for_id")), Reason.YOUR_REMINDER))
    elif row.activity == Activity.POOR_RATING:
        found += [(user_id, Reason.YOUR_DEPARTMENT) for user_id in managers[row.department_id]]
    elif row.activity in SLA_ACTIVITIES:
        found += [(user_id, Reason.YOUR_DEPARTMENT) for user_id in managers[row.department_id]]
        if ticket.assignee_id is None:
            found += [(user_id, Reason.YOUR_DEPARTMENT) for user_id in members[row.department_id]]
    if row.kind in MENTION_KINDS:
        for mention in data.get("mentions") or ():
            found.append((_an_id(mention.get("id")), Reason.MENTIONED))
    chosen: dict[int, str] = {}
    for user_id, reason in found:
        if user_id is None:
            continue
        if user_id not in chosen or REASON_RANK.index(reason) < REASON_RANK.index(chosen[user_id]):
            chosen[user_id] = reason
    return chosen


def _an_id(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _people(user_ids: set[int]) -> dict[int, _Person]:
    """Active staff among these people (customers are never notified), with their address."""
    if not user_ids:
        return {}
    return {
        pk: _Person(email=email, is_superuser=is_superuser)
        for pk, email, is_superuser in User.objects.filter(pk__in=user_ids, is_active=True)
        .filter(Q(kind=User.Kind.STAFF) | Q(is_superuser=True))
        .values_list("pk", "email", "is_superuser")
    }


def _write(rows, chosen_by_row, *, people, saved) -> None:
    Email = NotificationPreference.Email
    notifications: list[Notification] = []
    mails: list[outbox.OutboxEntry] = []
    for row in rows:
        for user_id, reason in chosen_by_row[row.pk].items():
            person = people.get(user_id)
            if person is None:
                continue
            # A mention is a mention, whatever row carries it (a held reply can name someone).
            kind = Activity.MENTIONED if reason == Reason.MENTIONED else row.activity
            email = preference_of(saved, user_id=user_id, activity=kind).email
            state = EmailState.NONE
            if email == Email.IMMEDIATE and person.email:
                state = EmailState.IMMEDIATE
                mails.append(
                    outbox.OutboxEntry(
                        kind=outbox.NOTIFICATION,
                        ticket_id=None,
                        to=person.email,
                        idempotency_key=notification_outbox_key(
                            recipient_id=user_id, message_id=row.pk
                        ),
                    )
                )
            elif email == Email.DIGEST and person.email:
                state = EmailState.DIGEST
            notifications.append(
                Notification(
                    recipient_id=user_id,
                    message_id=row.pk,
                    activity=row.activity,
                    reason=reason,
                    email_state=state,
                )
            )
    if not notifications:
        return
    if mails:
        written = {mail.idempotency_key: mail.pk for mail in outbox.outbox_add_many(mails)}
        for notification in notifications:
            if notification.email_state == EmailState.IMMEDIATE:
                notification.outbound_id = written[
                    notification_outbox_key(
                        recipient_id=notification.recipient_id,
                        message_id=notification.message_id,
                    )
                ]
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)
