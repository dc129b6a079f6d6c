"""Phone calls logged on a ticket: the thread row, its effect on the first-response clock, bad
particulars, and the call-back reminder (tickets/calls.py), on PostgreSQL."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tickets import workflow
from tickets.calls import CallDetails, call_backs_remind_due, call_log
from tickets.models import Activity, Message, Notification, NotificationReason, PhoneCall, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(submit, tech):
    return workflow.ticket_claim_on_open(ticket=submit(), tech=tech).ticket


def reached(**overrides):
    values = {
        "direction": "outgoing",
        "reached": True,
        "duration_minutes": 7,
        "agreed": "She will send the serial number; we replace the drum.",
    }
    values.update(overrides)
    return CallDetails(**values)


def test_a_reached_call_is_the_first_response_and_stops_that_clock(mine, tech):
    assert mine.first_response_at is None
    assert mine.response_due_at is not None

    message = call_log(ticket=mine, tech=tech, details=reached())

    mine.refresh_from_db()
    assert message.kind == Message.Kind.PHONE_CALL
    assert message.body.startswith("She will send")
    assert message.phone_call.reached is True
    assert message.phone_call.duration_minutes == 7
    assert abs(mine.first_response_at - message.created_at) < timedelta(seconds=1)
    # Only the resolution clock runs now: the nearest due time is the resolution's.
    assert mine.due_at == mine.resolution_due_at


def test_a_call_that_did_not_reach_the_customer_leaves_the_first_response_clock_running(mine, tech):
    due_before = mine.response_due_at

    call_log(
        ticket=mine,
        tech=tech,
        details=reached(reached=False, duration_minutes=0, agreed=""),
    )

    mine.refresh_from_db()
    assert mine.first_response_at is None
    assert mine.response_due_at == due_before
    assert PhoneCall.objects.get().reached is False


def test_a_later_reached_call_does_not_move_an_earlier_first_response(mine, tech):
    workflow.ticket_reply(ticket=mine, tech=tech, body="Hello", internal=False)
    mine.refresh_from_db()
    first = mine.first_response_at

    call_log(ticket=mine, tech=tech, details=reached())

    mine.refresh_from_db()
    assert mine.first_response_at == first


def test_a_call_is_never_mailed(mine, tech, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_log(ticket=mine, tech=tech, details=reached())
    assert mailoutbox == []


def test_a_call_on_a_general_pool_ticket_takes_it_and_moves_it_in_progress(submit, tech):
    ticket = submit()
    assert ticket.assignee_id is None

    call_log(ticket=ticket, tech=tech, details=reached(reached=False, agreed=""))

    ticket.refresh_from_db()
    assert ticket.assignee_id == tech.pk
    assert ticket.status_type == "open"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"duration_minutes": -3}, "duration_minutes"),
        ({"duration_minutes": 24 * 60 + 1}, "duration_minutes"),
        ({"direction": ""}, "direction"),
        ({"direction": "sideways"}, "direction"),
        ({"agreed": "   "}, "agreed"),
        ({"callback_at": "past"}, "callback_at"),
    ],
)
def test_bad_particulars_are_refused_with_the_field_named_and_nothing_written(
    mine, tech, overrides, field
):
    if overrides.get("callback_at") == "past":
        overrides["callback_at"] = timezone.now() - timedelta(minutes=1)
    before = Message.objects.filter(ticket=mine).count()

    with pytest.raises(ValidationError) as refused:
        call_log(ticket=mine, tech=tech, details=reached(**overrides))

    assert field in refused.value.message_dict
    assert Message.objects.filter(ticket=mine).count() == before
    assert not PhoneCall.objects.exists()
    assert Ticket.objects.get(pk=mine.pk).first_response_at is None


def test_the_call_back_reminder_notifies_the_tech_once_at_its_time(mine, tech, other_tech):
    when = timezone.now() + timedelta(hours=2)
    call_log(ticket=mine, tech=tech, details=reached(callback_at=when))

    assert call_backs_remind_due(now=when - timedelta(minutes=1)) == 0
    assert not Notification.objects.filter(activity=Activity.CALL_BACK_DUE).exists()

    assert call_backs_remind_due(now=when + timedelta(seconds=30)) == 1
    # Swept again (the next minute, or a second worker): nothing more.
    assert call_backs_remind_due(now=when + timedelta(minutes=2)) == 0

    notification = Notification.objects.get(activity=Activity.CALL_BACK_DUE)
    assert notification.recipient == tech
    assert notification.reason == NotificationReason.YOUR_REMINDER
    event = notification.message
    assert event.ticket_id == mine.pk and event.kind == Message.Kind.EVENT
    assert event.event_data["event"] == "call_back_due"
    assert event.event_data["customer"] == "Vera Visitor"
    assert PhoneCall.objects.get().reminded_at is not None


def test_a_reminder_missed_while_the_broker_was_down_fires_at_the_next_sweep(mine, tech):
    """Nothing is queued for the reminder's time: the sweep finds what is due, however late."""
    when = timezone.now() + timedelta(minutes=5)
    call_log(ticket=mine, tech=tech, details=reached(callback_at=when))

    assert call_backs_remind_due(now=when + timedelta(hours=3)) == 1
    assert Notification.objects.filter(recipient=tech, activity=Activity.CALL_BACK_DUE).count() == 1


def test_the_reminder_goes_to_the_tech_who_set_it_not_to_the_department(
    mine, tech, other_tech, manager
):
    when = timezone.now() + timedelta(minutes=5)
    call_log(ticket=mine, tech=tech, details=reached(callback_at=when))

    call_backs_remind_due(now=when + timedelta(minutes=1))

    told = set(
        Notification.objects.filter(activity=Activity.CALL_BACK_DUE).values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {tech.pk}


@pytest.fixture
def other_tech(department):
    from tests.factories import MembershipFactory, TechFactory

    user = TechFactory(full_name="Olga Other")
    MembershipFactory(user=user, department=department)
    return user


def test_the_reminder_is_mailed_to_the_tech_once_by_default(mine, tech, mailoutbox):
    from tickets.mail.outbox import outbox_send_due
    from tickets.models import OutboundEmail
    from tickets.notification_inbox import notification_summary

    when = timezone.now() + timedelta(minutes=5)
    call_log(ticket=mine, tech=tech, details=reached(callback_at=when))

    call_backs_remind_due(now=when + timedelta(minutes=1))
    call_backs_remind_due(now=when + timedelta(minutes=2))
    written = list(OutboundEmail.objects.filter(to=tech.email).values_list("pk", flat=True))
    outbox_send_due(outbox_ids=written)
    outbox_send_due(outbox_ids=written)  # run twice: sent once

    notification = Notification.objects.get(activity=Activity.CALL_BACK_DUE)
    assert notification_summary(notification) == "Time to call Vera Visitor back"
    assert OutboundEmail.objects.filter(to=tech.email).count() == 1
    mails = [mail for mail in mailoutbox if tech.email in mail.to]
    assert len(mails) == 1
    assert "Time to call Vera Visitor back" in mails[0].body
