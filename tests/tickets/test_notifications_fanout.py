"""Who is notified of what happens to a ticket (tickets/notifying.py), driven through the services
that write the activity, as production does."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.models import Membership
from tests.factories import AdminFactory, DepartmentFactory, MembershipFactory, TechFactory
from tickets import services, workflow
from tickets.activity import activity_mark, activity_recorded
from tickets.events import event_add
from tickets.models import (
    Activity,
    Message,
    Notification,
    NotificationPreference,
    NotificationReason,
    StatusType,
)
from tickets.notifying import notifications_for_activity

pytestmark = pytest.mark.django_db

Reason = NotificationReason
InApp = NotificationPreference.InApp
Email = NotificationPreference.Email


def told(message) -> dict[str, str]:
    """{recipient's name: reason} of the notifications of one thread row."""
    return dict(
        Notification.objects.filter(message=message).values_list("recipient__full_name", "reason")
    )


def last_activity(ticket, activity) -> Message:
    return Message.objects.filter(ticket=ticket, activity=activity).latest("pk")


def prefer(user, activity, *, in_app=InApp.MINE, email=Email.NEVER):
    NotificationPreference.objects.update_or_create(
        user=user, activity=activity, defaults={"in_app": in_app, "email": email}
    )


@pytest.fixture
def colleague(department):
    return MembershipFactory(
        user=TechFactory(full_name="Cleo Colleague"), department=department
    ).user


@pytest.fixture
def mine(submit, tech):
    return workflow.ticket_claim_on_open(ticket=submit(), tech=tech).ticket


def test_the_responsible_tech_hears_of_a_customer_reply(mine, tech, colleague):
    message = services.ticket_reply_from_customer(ticket=mine, body="Still broken.")

    assert told(message) == {"Tom Tech": Reason.YOUR_TICKET}
    notification = Notification.objects.get(message=message)
    assert notification.activity == Activity.CUSTOMER_MESSAGE
    assert notification.read_at is None
    # The row is the one record: the notification copies no text.
    assert notification.message.body == "Still broken."


def test_department_members_hear_only_when_they_opted_in(mine, tech, colleague, manager):
    prefer(manager, Activity.CUSTOMER_MESSAGE, in_app=InApp.DEPARTMENTS)

    message = services.ticket_reply_from_customer(ticket=mine, body="Hello?")

    # Cleo kept the default (her own tickets); Maria manages the department and opted in.
    assert told(message) == {
        "Tom Tech": Reason.YOUR_TICKET,
        "Maria Manager": Reason.YOUR_DEPARTMENT,
    }


def test_a_tech_who_opted_in_never_hears_of_another_techs_pool_they_cannot_open(
    mine, tech, colleague
):
    prefer(colleague, Activity.CUSTOMER_MESSAGE, in_app=InApp.DEPARTMENTS)

    message = services.ticket_reply_from_customer(ticket=mine, body="Hello?")

    assert told(message) == {"Tom Tech": Reason.YOUR_TICKET}


def test_members_of_the_responsible_techs_other_departments_who_see_it(mine, tech, department):
    """Tom also works in Billing: Billing's manager who opted in hears of his tickets only if
    they may see them; an admin (sees everything) who opted in does."""
    billing = DepartmentFactory(name="Billing")
    MembershipFactory(user=tech, department=billing)
    billing_manager = MembershipFactory(
        user=TechFactory(full_name="Bill Manager"), department=billing, is_manager=True
    ).user
    admin = AdminFactory(full_name="Ada Admin")
    MembershipFactory(user=admin, department=billing)
    for user in (billing_manager, admin):
        prefer(user, Activity.CUSTOMER_MESSAGE, in_app=InApp.DEPARTMENTS)

    message = services.ticket_reply_from_customer(ticket=mine, body="Hello?")

    assert told(message) == {"Tom Tech": Reason.YOUR_TICKET, "Ada Admin": Reason.YOUR_DEPARTMENT}


def test_an_unowned_ticket_tells_the_opted_in_members_of_its_department(
    submit, tech, colleague, department
):
    prefer(colleague, Activity.TICKET_CREATED, in_app=InApp.DEPARTMENTS)
    elsewhere = MembershipFactory(
        user=TechFactory(full_name="Eli Elsewhere"), department=DepartmentFactory()
    ).user
    prefer(elsewhere, Activity.TICKET_CREATED, in_app=InApp.DEPARTMENTS)

    ticket = submit()

    first = ticket.messages.get(activity=Activity.TICKET_CREATED)
    assert told(first) == {"Cleo Colleague": Reason.YOUR_DEPARTMENT}


def test_nobody_is_told_of_their_own_action(mine, tech, manager):
    prefer(manager, Activity.STATUS_CHANGED, in_app=InApp.DEPARTMENTS)

    workflow.ticket_status_change(ticket=mine, author=tech, status_type=StatusType.PENDING)

    change = last_activity(mine, Activity.STATUS_CHANGED)
    assert told(change) == {"Maria Manager": Reason.YOUR_DEPARTMENT}


def test_inactive_people_are_never_told(mine, tech):
    tech.is_active = False
    tech.save(update_fields=["is_active"])

    message = services.ticket_reply_from_customer(ticket=mine, body="Anyone?")

    assert told(message) == {}


def test_a_held_reply_tells_the_departments_managers_whatever_their_preference(
    submit, trainee, manager, tech
):
    ticket = workflow.ticket_claim_on_open(ticket=submit(), tech=trainee).ticket
    other_manager = MembershipFactory(
        user=TechFactory(full_name="Otto Othermanager"),
        department=DepartmentFactory(),
        is_manager=True,
    ).user

    held = workflow.ticket_reply(ticket=ticket, tech=trainee, body="Try this.", internal=False)

    assert held.activity == Activity.REPLY_HELD
    assert told(held) == {"Maria Manager": Reason.APPROVAL_NEEDED}
    assert other_manager.notifications.count() == 0


def test_the_trainee_hears_that_their_reply_was_approved(submit, trainee, manager):
    ticket = workflow.ticket_claim_on_open(ticket=submit(), tech=trainee).ticket
    held = workflow.ticket_reply(ticket=ticket, tech=trainee, body="Try this.", internal=False)

    workflow.reply_approve(message=held, manager=manager)

    approved = last_activity(ticket, Activity.REPLY_APPROVED)
    # Terry is the owner and the author: one notification, the stronger reason.
    assert told(approved) == {"Terry Trainee": Reason.YOUR_REPLY_DECIDED}


def test_the_trainee_hears_that_their_reply_was_rejected_even_on_anothers_ticket(
    mine, tech, trainee, manager
):
    held = Message.objects.create(
        ticket=mine, kind=Message.Kind.REPLY, author=trainee, body="Draft", awaiting_approval=True
    )

    event_add(
        ticket=mine,
        author=manager,
        event="reply_rejected",
        data={"message": held.pk, "reason": "Too curt."},
    )

    rejected = last_activity(mine, Activity.REPLY_REJECTED)
    assert told(rejected) == {
        "Tom Tech": Reason.YOUR_TICKET,
        "Terry Trainee": Reason.YOUR_REPLY_DECIDED,
    }


def test_a_transfer_tells_the_old_owner_and_the_new_one(mine, tech, colleague, manager):
    workflow.ticket_transfer(ticket=mine, by=manager, to_tech=colleague)

    transfer = last_activity(mine, Activity.TRANSFERRED)
    assert transfer.event_data["from_owner_id"] == tech.pk
    assert transfer.event_data["to_owner_id"] == colleague.pk
    assert told(transfer) == {
        "Tom Tech": Reason.TRANSFERRED_FROM_YOU,
        "Cleo Colleague": Reason.TRANSFERRED_TO_YOU,
    }


def test_a_transfer_to_the_general_pool_tells_the_old_owner(mine, tech, colleague):
    workflow.ticket_transfer(ticket=mine, by=colleague)

    transfer = last_activity(mine, Activity.TRANSFERRED)
    assert transfer.event_data["to_owner_id"] is None
    assert told(transfer) == {"Tom Tech": Reason.TRANSFERRED_FROM_YOU}


def test_a_mention_in_a_note_tells_the_staff_member_named(mine, tech, colleague, manager):
    local_part = manager.email.split("@")[0]
    note = workflow.ticket_reply(
        ticket=mine,
        tech=tech,
        body=f"@{local_part.upper()} and @MariaManager, can you look? (cc @nobody)",
        internal=True,
    )

    assert note.activity == Activity.MENTIONED
    assert note.event_data["mentions"] == [
        {"id": manager.pk, "handle": manager.email.split("@")[0]}
    ]
    assert told(note) == {"Maria Manager": Reason.MENTIONED}


def test_a_mention_by_full_name_without_spaces(mine, tech, manager):
    note = workflow.ticket_reply(
        ticket=mine, tech=tech, body="Thoughts, @mariamanager?", internal=True
    )

    assert note.event_data["mentions"] == [{"id": manager.pk, "handle": "mariamanager"}]
    assert told(note) == {"Maria Manager": Reason.MENTIONED}


def test_a_mention_of_someone_who_may_not_see_the_ticket_tells_nobody(mine, tech, colleague):
    """Cleo works in the department but this ticket is in Tom's pool: she may not see it."""
    outsider = TechFactory(full_name="Ola Outsider")

    note = workflow.ticket_reply(
        ticket=mine, tech=tech, body="@CleoColleague @OlaOutsider see this", internal=True
    )

    assert note.activity == ""
    assert "mentions" not in note.event_data
    assert Notification.objects.filter(message=note).count() == 0
    assert not outsider.notifications.exists()


def test_mentioning_oneself_tells_nobody(mine, tech):
    note = workflow.ticket_reply(
        ticket=mine, tech=tech, body="Reminder for @TomTech", internal=True
    )

    assert note.activity == Activity.MENTIONED
    assert told(note) == {}


def test_an_address_is_not_a_mention(mine, tech, manager):
    local = manager.email.split("@")[0]
    note = workflow.ticket_reply(
        ticket=mine, tech=tech, body=f"Wrote to someone{local}@example.com", internal=True
    )

    assert note.activity == ""


def test_the_mention_is_marked_in_the_message_card(client, mine, tech, manager):
    workflow.ticket_reply(ticket=mine, tech=tech, body="<b>Hi</b> @MariaManager!", internal=True)
    client.force_login(tech)

    page = client.get(f"/desk/t/{mine.number}/").content.decode()

    assert '<mark class="mention">@MariaManager</mark>!' in page
    assert "&lt;b&gt;Hi&lt;/b&gt;" in page


def rows_for(tickets, tech) -> list[Message]:
    rows = [
        activity_mark(
            Message(ticket=t, kind=Message.Kind.CUSTOMER, author_name="C", body="x"),
            ticket=t,
            activity=Activity.CUSTOMER_MESSAGE,
        )
        for t in tickets
    ]
    Message.objects.bulk_create(rows)
    return rows


def fanout_queries(rows) -> int:
    with CaptureQueriesContext(connection) as queries:
        notifications_for_activity(rows)
    return len(queries)


def test_a_batch_costs_the_same_queries_for_one_row_or_forty(submit, tech, colleague, manager):
    prefer(manager, Activity.CUSTOMER_MESSAGE, in_app=InApp.DEPARTMENTS, email=Email.IMMEDIATE)
    prefer(tech, Activity.CUSTOMER_MESSAGE, email=Email.DIGEST)
    tickets = [
        workflow.ticket_claim_on_open(ticket=submit(subject=f"Case {n}"), tech=tech).ticket
        for n in range(41)
    ]
    # Tickets not at hand (rows loaded afresh) cost one more query, whatever their number.
    one = fanout_queries(rows_for(tickets[:1], tech))
    forty = fanout_queries(rows_for(tickets[1:], tech))

    assert one == forty
    assert one <= 7
    assert Notification.objects.filter(recipient=tech, activity="customer_message").count() == 41
    assert Notification.objects.filter(recipient=manager, email_state="immediate").count() == 41


def test_a_batch_through_activity_recorded_notifies_every_row(submit, tech):
    tickets = [
        workflow.ticket_claim_on_open(ticket=submit(subject=f"Case {n}"), tech=tech).ticket
        for n in range(3)
    ]
    rows = rows_for(tickets, tech)

    activity_recorded(rows)

    assert tech.notifications.count() == 3


def test_a_manager_who_opted_in_hears_of_new_tickets_in_every_department_they_manage(
    submit, manager, department
):
    prefer(manager, Activity.TICKET_CREATED, in_app=InApp.DEPARTMENTS)
    Membership.objects.filter(user=manager).update(is_manager=True)

    ticket = submit()

    assert told(ticket.messages.get(activity=Activity.TICKET_CREATED)) == {
        "Maria Manager": Reason.YOUR_DEPARTMENT
    }
