"""Presence: who else has a ticket open, and who is writing a reply right now."""

import time
from types import SimpleNamespace

import pytest
from django.urls import reverse

from tests.factories import DepartmentFactory, MembershipFactory, TechFactory
from tickets import presence, workflow
from tickets.presence import SEEN_SECONDS, TYPING_SECONDS, Presence

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """A clock the presence module reads instead of time.time(); tests move it on."""
    fake = SimpleNamespace(now=time.time())
    monkeypatch.setattr(presence, "time", SimpleNamespace(time=lambda: fake.now))
    return fake


@pytest.fixture
def ticket(submit, tech):
    """In Tom's pool: Tom and his manager may open it."""
    return workflow.ticket_claim_on_open(ticket=submit(), tech=tech).ticket


def presence_url(ticket):
    return reverse("tickets:desk_presence", args=[ticket.number])


def page_url(ticket):
    return reverse("tickets:desk_ticket", args=[ticket.number]) + "?peek=1"


def test_others_lists_everyone_seen_on_the_ticket_but_me(ticket, tech, manager):
    presence.presence_touch(ticket_id=ticket.pk, user=tech)
    presence.presence_touch(ticket_id=ticket.pk, user=manager)

    assert presence.presence_others(ticket_id=ticket.pk, user=tech) == [
        Presence(user_id=manager.pk, name="Maria Manager", typing=False)
    ]
    assert [p.name for p in presence.presence_others(ticket_id=ticket.pk, user=manager)] == [
        "Tom Tech"
    ]


def test_presence_is_kept_per_ticket(ticket, submit, tech, manager):
    elsewhere = submit(subject="Another one")
    presence.presence_touch(ticket_id=elsewhere.pk, user=manager)

    assert presence.presence_others(ticket_id=ticket.pk, user=tech) == []


def test_leaving_removes_me_at_once(ticket, tech, manager):
    presence.presence_touch(ticket_id=ticket.pk, user=manager)

    presence.presence_leave(ticket_id=ticket.pk, user=manager)

    assert presence.presence_others(ticket_id=ticket.pk, user=tech) == []


def test_someone_not_seen_for_seen_seconds_has_left(ticket, tech, manager, clock):
    presence.presence_touch(ticket_id=ticket.pk, user=manager)

    clock.now += SEEN_SECONDS - 1
    assert len(presence.presence_others(ticket_id=ticket.pk, user=tech)) == 1

    clock.now += 2
    assert presence.presence_others(ticket_id=ticket.pk, user=tech) == []


def test_a_fresh_poll_keeps_someone_present(ticket, tech, manager, clock):
    presence.presence_touch(ticket_id=ticket.pk, user=manager)
    clock.now += SEEN_SECONDS - 5
    presence.presence_touch(ticket_id=ticket.pk, user=manager)

    clock.now += SEEN_SECONDS - 5

    assert len(presence.presence_others(ticket_id=ticket.pk, user=tech)) == 1


def test_typing_shows_for_typing_seconds_then_only_presence_remains(ticket, tech, manager, clock):
    presence.presence_touch(ticket_id=ticket.pk, user=manager, typing=True)
    # An ordinary poll while typing does not end "is writing".
    presence.presence_touch(ticket_id=ticket.pk, user=manager)

    assert presence.presence_others(ticket_id=ticket.pk, user=tech)[0].typing

    clock.now += TYPING_SECONDS + 1
    presence.presence_touch(ticket_id=ticket.pk, user=manager)

    [other] = presence.presence_others(ticket_id=ticket.pk, user=tech)
    assert not other.typing


def test_writers_are_listed_first(ticket, tech, manager, department):
    zed = TechFactory(full_name="Zed Zimmer")
    MembershipFactory(user=zed, department=department, is_manager=True)
    presence.presence_touch(ticket_id=ticket.pk, user=manager)
    presence.presence_touch(ticket_id=ticket.pk, user=zed, typing=True)

    others = presence.presence_others(ticket_id=ticket.pk, user=tech)

    assert [(p.name, p.typing) for p in others] == [("Zed Zimmer", True), ("Maria Manager", False)]


def test_a_second_viewer_sees_who_has_the_ticket_open(client, ticket, tech, manager):
    client.force_login(tech)
    client.get(page_url(ticket))
    client.force_login(manager)

    html = client.get(page_url(ticket)).content.decode()

    assert "Tom Tech has this ticket open." in html
    client.force_login(tech)
    assert "Maria Manager has this ticket open." in client.get(page_url(ticket)).content.decode()


def test_nobody_else_means_no_presence_notice(client, ticket, tech):
    client.force_login(tech)

    html = client.get(page_url(ticket)).content.decode()

    assert '<div id="presence"' in html
    assert 'data-testid="presence"' not in html


def test_typing_in_the_reply_box_tells_the_others(client, ticket, tech, manager):
    client.force_login(manager)
    client.get(page_url(ticket))
    client.force_login(tech)

    client.post(presence_url(ticket))
    client.force_login(manager)
    response = client.get(presence_url(ticket))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="presence"')
    assert "<html" not in html
    assert "Tom Tech is writing a reply right now." in html


def test_the_writing_notice_ends_after_typing_seconds(client, ticket, tech, manager, clock):
    client.force_login(tech)
    client.post(presence_url(ticket))

    clock.now += TYPING_SECONDS + 1
    client.get(presence_url(ticket))  # Tom's page polls on, he no longer types
    client.force_login(manager)
    html = client.get(presence_url(ticket)).content.decode()

    assert "Tom Tech has this ticket open." in html
    assert "is writing a reply" not in html


def test_someone_gone_for_seen_seconds_disappears_from_the_page(
    client, ticket, tech, manager, clock
):
    client.force_login(tech)
    client.get(presence_url(ticket))

    clock.now += SEEN_SECONDS + 1
    client.force_login(manager)
    html = client.get(presence_url(ticket)).content.decode()

    assert "Tom Tech" not in html


def test_presence_of_a_ticket_i_cannot_see_is_404(client, ticket, department):
    other = TechFactory(full_name="Olga Other")
    MembershipFactory(user=other, department=department)
    outsider = TechFactory()
    MembershipFactory(user=outsider, department=DepartmentFactory())

    for person in (other, outsider):
        client.force_login(person)
        assert client.get(presence_url(ticket)).status_code == 404
        assert client.post(presence_url(ticket)).status_code == 404
    assert presence.presence_others(ticket_id=ticket.pk, user=ticket.assignee) == []


def test_customers_get_no_presence(client, ticket, customer_user):
    client.force_login(customer_user)

    assert client.get(presence_url(ticket)).status_code == 403
