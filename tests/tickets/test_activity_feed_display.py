"""How the managers' feed reads: who did what when nobody did it by hand (a hand-over at an
absence's start, a status the system set), dates in the house format and the reader's time zone,
"mark all seen" only when something is new, and links that lead back to the feed."""

import zoneinfo
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from tickets.activity_feed import feed_page
from tickets.events import event_add, status_set
from tickets.models import Message, StatusType

pytestmark = pytest.mark.django_db

FEED = reverse("manage:activity")


def test_a_hand_over_says_it_was_automatic_and_whose_absence(submit, manager, department, tech):
    ticket = submit()
    event_add(
        ticket=ticket,
        author=None,
        event="handed_over",
        data={"from": "Alex Away", "to": "Tom Tech", "to_owner_id": tech.pk},
    )

    [row] = feed_page(user=manager, department_ids=[department.pk], size=1).rows

    assert row.who == "Automatic (Alex Away's absence)"
    assert row.excerpt == "Alex Away is absent: handed over to Tom Tech"


def test_a_status_nobody_set_by_hand_says_automatic(submit, manager, department):
    ticket = submit()
    status_set(ticket=ticket, author=None, status_type=StatusType.PENDING)

    [row] = feed_page(user=manager, department_ids=[department.pk], size=1).rows

    assert row.who == "Automatic"


def test_a_rows_date_is_in_the_house_format_and_the_readers_time_zone(
    client, submit, manager, department
):
    submit()
    row = Message.objects.exclude(activity="").get()
    row.created_at = datetime(2026, 11, 30, 22, 1, tzinfo=UTC)
    row.save(update_fields=["created_at"])
    manager.time_zone = "Asia/Tokyo"
    manager.save(update_fields=["time_zone"])
    client.force_login(manager)

    html = client.get(FEED).content.decode()

    tokyo = timezone.localtime(row.created_at, zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert tokyo.day == 1  # the next day there
    shown = date_format(tokyo, "DATETIME_FORMAT")
    assert f">{shown}</time>" in html
    assert shown.startswith("Dec. 1, 2026")
    assert date_format(tokyo, "SHORT_DATETIME_FORMAT") not in html


def test_mark_all_seen_shows_only_when_a_row_is_new(client, submit, manager):
    submit()
    client.force_login(manager)

    fresh = client.get(FEED).content.decode()
    assert 'data-testid="mark-all-seen"' in fresh
    assert 'data-testid="nothing-new"' not in fresh

    manager.activity_seen_up_to = Message.objects.exclude(activity="").latest("pk").pk
    manager.save(update_fields=["activity_seen_up_to"])
    seen = client.get(FEED).content.decode()
    assert 'data-testid="mark-all-seen"' not in seen
    assert "Nothing new since you last looked" in seen
    assert seen.count('data-testid="activity-row"') == 1


def test_the_ticket_links_say_they_come_from_the_feed(client, submit, manager):
    ticket = submit()
    client.force_login(manager)

    html = client.get(FEED).content.decode()

    assert f"/desk/t/{ticket.number}/?peek=1&amp;from=activity#message-" in html
