"""The bell, the list of one's notifications, opening one and marking read: full pages and htmx
partials, one's own only, query counts flat."""

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from tests.factories import TechFactory
from tickets import notification_inbox, services, workflow
from tickets.models import Notification

pytestmark = pytest.mark.django_db

LIST = reverse("tickets:notifications")
BELL = reverse("tickets:notification_bell")
READ_ALL = reverse("tickets:notifications_read_all")
HTMX = {"HX-Request": "true"}


def open_url(notification):
    return reverse("tickets:notification_open", args=[notification.pk])


def read_url(notification):
    return reverse("tickets:notification_read", args=[notification.pk])


@pytest.fixture
def mine(submit, tech):
    return workflow.ticket_claim_on_open(ticket=submit(), tech=tech).ticket


def customer_writes(ticket, times=1):
    for n in range(times):
        services.ticket_reply_from_customer(ticket=ticket, body=f"Message {n}")


def bell_count(html: str) -> str | None:
    found = re.search(r'data-testid="notification-count">([^<]+)<', html)
    return found.group(1) if found else None


def test_the_bell_shows_the_unread_count_on_every_staff_page(client, tech, mine):
    customer_writes(mine, 2)
    client.force_login(tech)

    page = client.get(reverse("tickets:desk")).content.decode()

    assert bell_count(page) == "2"
    assert 'hx-trigger="every 30s, notifications-changed from:body"' in page
    assert "data-poll-when-visible" in page
    assert f'href="{LIST}"' in page


def test_the_bell_is_capped_at_99_plus(tech, mine, client):
    customer_writes(mine, 101)
    client.force_login(tech)

    assert notification_inbox.unread_count(tech) == 100  # counted no further than the cap + 1
    response = client.get(BELL, headers=HTMX)

    assert response.status_code == 200
    assert bell_count(response.content.decode()) == "99+"
    assert "<html" not in response.content.decode()


def test_the_bell_count_is_one_query(client, tech, mine, django_assert_num_queries):
    customer_writes(mine, 3)

    with django_assert_num_queries(1):
        assert notification_inbox.unread_count(tech) == 3


def test_no_bell_for_customers(client, customer_user):
    client.force_login(customer_user)

    page = client.get(reverse("tickets:my_tickets")).content.decode()

    assert "notification-bell" not in page


def test_the_list_shows_ones_own_notifications_newest_first(client, tech, mine, manager):
    customer_writes(mine, 2)
    other_ticket_note = workflow.ticket_reply(
        ticket=mine, tech=tech, body="@MariaManager look", internal=True
    )
    client.force_login(tech)

    page = client.get(LIST).content.decode()

    assert page.index("Message 1") < page.index("Message 0")
    assert "Vera Visitor wrote" in page
    assert "look" not in page  # Maria's mention is hers
    assert other_ticket_note.notifications.get().recipient == manager
    assert 'name="up_to"' in page
    assert "<html" in page


def test_the_list_as_an_htmx_partial(client, tech, mine):
    customer_writes(mine, 1)
    client.force_login(tech)

    response = client.get(LIST, headers=HTMX)

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="notification-list">')
    assert "Vera Visitor wrote" in body
    assert "<html" not in body


def test_the_list_pages_by_id(client, tech, mine):
    customer_writes(mine, notification_inbox.PAGE_SIZE + 3)
    client.force_login(tech)

    first = client.get(LIST)
    cursor = first.context["page"].next_before
    second = client.get(LIST, {"before": cursor})

    assert len(first.context["page"].items) == notification_inbox.PAGE_SIZE
    assert len(second.context["page"].items) == 3
    assert second.context["page"].next_before is None
    assert f"?before={cursor}" in first.content.decode()


def test_a_bad_cursor_shows_the_first_page(client, tech, mine):
    customer_writes(mine, 1)
    client.force_login(tech)

    response = client.get(LIST, {"before": "1; DROP TABLE"})

    assert response.status_code == 200
    assert len(response.context["page"].items) == 1


def test_the_list_costs_the_same_queries_with_many_notifications(
    client, tech, mine, django_assert_max_num_queries
):
    customer_writes(mine, 2)
    client.force_login(tech)
    client.get(LIST)  # warm the session and the caches
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    customer_writes(mine, 20)
    with django_assert_max_num_queries(len(few)):
        client.get(LIST)


def test_opening_a_notification_reads_it_and_goes_to_the_ticket(client, tech, mine):
    customer_writes(mine, 1)
    notification = Notification.objects.get(recipient=tech)
    client.force_login(tech)

    response = client.post(open_url(notification))

    notification.refresh_from_db()
    assert notification.read_at is not None
    assert response.status_code == 302
    assert response["Location"] == (
        f"/desk/t/{mine.number}/?peek=1#message-{notification.message_id}"
    )


def test_opening_needs_a_post(client, tech, mine):
    customer_writes(mine, 1)
    client.force_login(tech)

    response = client.get(open_url(Notification.objects.get(recipient=tech)))

    assert response.status_code == 405
    assert Notification.objects.get(recipient=tech).read_at is None


def test_mark_read_without_javascript_and_with_htmx(client, tech, mine):
    customer_writes(mine, 2)
    first, second = Notification.objects.filter(recipient=tech).order_by("pk")
    client.force_login(tech)

    plain = client.post(read_url(first))
    partial = client.post(read_url(second), headers=HTMX)

    assert plain.status_code == 302 and plain["Location"] == LIST
    body = partial.content.decode()
    assert body.lstrip().startswith("<li")
    assert "Mark read" not in body
    assert partial["HX-Trigger"] == '{"notifications-changed": {}}'
    assert not Notification.objects.filter(recipient=tech, read_at__isnull=True).exists()


def test_mark_all_read_goes_only_up_to_the_newest_shown(client, tech, mine):
    customer_writes(mine, 2)
    client.force_login(tech)
    shown = client.get(LIST).context["page"].newest_id
    customer_writes(mine, 1)  # arrives while the page is open

    response = client.post(READ_ALL, {"up_to": shown})

    assert response.status_code == 302
    assert Notification.objects.filter(recipient=tech, read_at__isnull=True).count() == 1


def test_mark_all_read_with_htmx_answers_the_list(client, tech, mine):
    customer_writes(mine, 2)
    client.force_login(tech)
    shown = client.get(LIST).context["page"].newest_id

    response = client.post(READ_ALL, {"up_to": shown}, headers=HTMX)

    assert response["HX-Trigger"] == '{"notifications-changed": {}}'
    assert response.content.decode().lstrip().startswith('<div id="notification-list">')
    assert "Mark read" not in response.content.decode()
    assert notification_inbox.unread_count(tech) == 0


@pytest.mark.parametrize("up_to", ["", "abc", "-1", "9" * 40])
def test_mark_all_read_with_bad_input_changes_nothing(client, tech, mine, up_to):
    customer_writes(mine, 1)
    client.force_login(tech)

    response = client.post(READ_ALL, {"up_to": up_to})

    assert response.status_code == 400
    assert "Reload the page" in response.content.decode()
    assert notification_inbox.unread_count(tech) == 1


def test_nobody_sees_opens_or_marks_anothers_notifications(client, tech, mine):
    customer_writes(mine, 1)
    theirs = Notification.objects.get(recipient=tech)
    intruder = TechFactory(full_name="Ivy Intruder")
    client.force_login(intruder)

    assert "Vera Visitor wrote" not in client.get(LIST).content.decode()
    assert client.post(open_url(theirs)).status_code == 404
    assert client.post(read_url(theirs), headers=HTMX).status_code == 404
    client.post(READ_ALL, {"up_to": theirs.pk})

    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_customers_and_visitors_are_refused(client, customer_user):
    assert client.get(LIST).status_code == 302  # to sign in
    client.force_login(customer_user)
    assert client.get(LIST).status_code == 403
    assert client.get(BELL).status_code == 403


def test_an_empty_list_says_so(client, tech):
    client.force_login(tech)

    page = client.get(LIST).content.decode()

    assert 'data-testid="no-notifications"' in page
    assert "Mark all read" not in page


def test_the_demo_techs_find_unread_notifications(client):
    call_command("demo_data")
    call_command("demo_data")  # idempotent

    tom = User.objects.get(email="tech@example.com")
    tanya = User.objects.get(email="tech2@example.com")
    maria = User.objects.get(email="manager@example.com")
    # Tom also holds the absent tech's pool (helpdesk/demo_absence.py): those were handed to him.
    # As a tech of Technical support he hears that its unowned case is at risk
    # (helpdesk/demo_sla.py). A call-back reminder he set came due (helpdesk/demo_calls.py).
    assert set(tom.notifications.values_list("reason", flat=True)) == {
        "your_ticket",
        "mentioned",
        "transferred_to_you",
        "your_department",
        "your_reminder",
    }
    assert "transferred_to_you" in set(tanya.notifications.values_list("reason", flat=True))
    # The manager: the trainee's held reply, and Tom's customer's reply (she opted in).
    assert set(maria.notifications.values_list("reason", flat=True)) == {
        "approval_needed",
        "your_department",
    }
    client.force_login(tom)
    # Ivan's new ticket (Tom is his account manager), his replies, and Maria's mention; and the
    # tickets handed to him while Alex is away.
    unread = tom.notifications.filter(read_at__isnull=True)
    assert unread.exclude(reason="transferred_to_you").count() >= 3
    assert unread.filter(reason="transferred_to_you").count() >= 3
    assert bell_count(client.get(LIST).content.decode()) == str(unread.count())
