"""What an escalation leaves behind besides its mails: the thread's event line, the managers'
feed (and its kind filter) and the in-app notifications, in words and the reader's time zone;
never shown to the customer, never told to people outside the department."""

import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from tests.tickets.escalation_support import (
    MINUTE,
    RESPONSE,
    boss,
    case,
    colleague,
    desk,
    outsider,
    owner,
    sla_events,
    staff,
)
from tickets.activity_feed import feed_page
from tickets.models import Activity, Notification, NotificationReason
from tickets.notification_inbox import notification_summary
from tickets.sla.escalation import sla_alerts_sweep

pytestmark = pytest.mark.django_db
__all__ = ["boss", "case", "colleague", "desk", "outsider", "owner", "staff"]  # fixtures

FEED = reverse("manage:activity")
Reason = NotificationReason


@pytest.fixture
def escalated(case):
    ticket = case()
    sla_alerts_sweep(now=ticket.created_at + RESPONSE + MINUTE)
    ticket.refresh_from_db()
    return ticket


def due_in(user, ticket) -> str:
    zone = zoneinfo.ZoneInfo(user.time_zone) if user.time_zone else None
    return date_format(timezone.localtime(ticket.response_due_at, zone), "DATETIME_FORMAT")


def test_the_escalation_is_an_event_line_of_the_thread_with_its_activity(escalated, desk):
    [event] = sla_events(escalated)

    assert event.activity == Activity.SLA_ESCALATED
    assert event.department_id == desk.pk
    assert event.author is None
    assert event.event_data == {
        "event": "sla_escalated",
        "clock": "response",
        "due": escalated.response_due_at.isoformat(),
    }


def test_the_thread_says_which_clock_passed_and_when_in_the_readers_time_zone(
    client, escalated, boss
):
    boss.time_zone = "Asia/Tokyo"
    boss.save(update_fields=["time_zone"])
    client.force_login(boss)

    html = client.get(reverse("tickets:desk_ticket", args=[escalated.number])).content.decode()

    line = f"Escalation: first response overdue (due {due_in(boss, escalated)})"
    assert line in html
    assert "bi-alarm" in html  # an icon beside the words


def test_the_customer_never_sees_the_escalation(client, escalated):
    response = client.get(reverse("tickets:ticket_by_token", args=[escalated.access_token]))

    html = response.content.decode()
    assert response.status_code == 200
    assert escalated.subject in html
    assert "Escalation" not in html
    assert "overdue" not in html


def test_the_managers_feed_shows_it_and_filters_it_by_kind(client, escalated, boss, desk):
    client.force_login(boss)

    page = client.get(FEED, {"kind": Activity.SLA_ESCALATED}).content.decode()

    assert page.count('data-testid="activity-row"') == 1
    assert 'data-activity="sla_escalated"' in page
    assert "Escalation: a time limit passed" in page
    assert f"Escalation: first response overdue (due {due_in(boss, escalated)})" in page
    assert "Automatic" in page
    assert f'<option value="{Activity.SLA_ESCALATED}" selected>' in page
    other = client.get(FEED, {"kind": Activity.REPLY_HELD}).content.decode()
    assert 'data-activity="sla_escalated"' not in other


def test_the_feed_filter_as_an_htmx_partial(client, escalated, boss):
    client.force_login(boss)

    response = client.get(FEED, {"kind": Activity.SLA_ESCALATED}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'data-activity="sla_escalated"' in html


def test_a_feed_row_reads_the_clock_and_due_time(escalated, boss, desk):
    [row] = feed_page(user=boss, department_ids=[desk.pk], size=1, filters=None).rows

    assert row.label == "Escalation: a time limit passed"
    assert row.icon == "bi-alarm"
    assert row.who == "Automatic"
    assert row.excerpt.startswith("Escalation: first response overdue (due ")


def test_the_managers_and_the_owner_are_notified_in_the_helpdesk(escalated, boss, owner):
    [event] = sla_events(escalated)

    told = dict(
        Notification.objects.filter(message=event).values_list("recipient__email", "reason")
    )

    assert told == {boss.email: Reason.YOUR_DEPARTMENT, owner.email: Reason.YOUR_TICKET}
    notification = Notification.objects.get(message=event, recipient=owner)
    assert notification_summary(notification).startswith("Escalation: first response overdue")


def test_an_unowned_cases_escalation_tells_the_departments_techs(case, boss, owner, colleague):
    ticket = case(owned=False)
    sla_alerts_sweep(now=ticket.created_at + RESPONSE + MINUTE)

    [event] = sla_events(ticket)
    told = Notification.objects.filter(message=event).values_list("recipient__email", flat=True)

    assert set(told) == {boss.email, owner.email, colleague.email}


def test_nobody_outside_the_department_hears_of_it(escalated, colleague, outsider):
    assert not Notification.objects.filter(recipient__in=[colleague, outsider]).exists()


def test_the_notification_list_shows_the_escalation_in_words(client, escalated, owner):
    client.force_login(owner)

    html = client.get(reverse("tickets:notifications")).content.decode()

    assert f"Escalation: first response overdue (due {due_in(owner, escalated)})" in html
