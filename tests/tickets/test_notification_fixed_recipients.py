"""The fan-out ignores any in-app scope for kinds whose recipients are fixed by role (a held
reply: the managers; a decided reply: its author; a mention: the person named), even a scope
saved before the preferences stopped offering one."""

import pytest

from tests.factories import MembershipFactory, TechFactory
from tickets import workflow
from tickets.models import Activity, Notification, NotificationPreference, NotificationReason

pytestmark = pytest.mark.django_db

InApp = NotificationPreference.InApp


@pytest.fixture
def follower(department):
    """A tech of the department who asked for every department's everything, fixed kinds too
    (rows saved before the preferences stopped offering it)."""
    user = MembershipFactory(user=TechFactory(full_name="Fay Follower"), department=department).user
    NotificationPreference.objects.bulk_create(
        NotificationPreference(user=user, activity=activity, in_app=InApp.DEPARTMENTS)
        for activity in Activity.values
    )
    return user


def test_a_held_reply_on_the_general_pool_tells_managers_not_scope_followers(
    submit, trainee, manager, follower
):
    ticket = submit()  # unowned: its department's members could follow it by scope

    held = workflow.ticket_reply(ticket=ticket, tech=trainee, body="Try this.", internal=False)

    assert held.activity == Activity.REPLY_HELD
    assert set(Notification.objects.filter(message=held).values_list("recipient", "reason")) == {
        (manager.pk, NotificationReason.APPROVAL_NEEDED)
    }


def test_a_mention_tells_the_person_named_not_scope_followers(submit, tech, manager, follower):
    ticket = submit()

    note = workflow.ticket_reply(
        ticket=ticket, tech=tech, body="@MariaManager have a look", internal=True
    )

    assert note.activity == Activity.MENTIONED
    recipients = set(Notification.objects.filter(message=note).values_list("recipient", flat=True))
    assert recipients == {manager.pk}


def test_scope_followers_still_hear_of_kinds_with_a_scope(submit, follower):
    ticket = submit()

    first = ticket.messages.get(activity=Activity.TICKET_CREATED)
    assert Notification.objects.filter(message=first, recipient=follower).exists()
