"""A ticket opened from the managers' feed or board offers the way back there (`?from=`, a fixed
set of pages, never a URL from the request); the desk breadcrumb stays."""

import pytest
from django.urls import reverse

from tickets import workflow

pytestmark = pytest.mark.django_db

BACK = 'data-testid="back-link"'


def page_of(client, ticket, **query) -> str:
    response = client.get(reverse("tickets:desk_ticket", args=[ticket.number]), query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("origin", "url", "label"),
    [
        ("activity", "/manage/activity/", "Back to new activity"),
        ("board", "/manage/", "Back to the board"),
    ],
)
def test_a_manager_gets_the_way_back_to_where_they_opened_it(
    client, submit, manager, origin, url, label
):
    ticket = submit()
    client.force_login(manager)

    html = page_of(client, ticket, peek="1", **{"from": origin})

    assert f'<a href="{url}" class="me-2" {BACK}>' in html
    assert label in html
    assert f'<a href="{reverse("tickets:desk")}">Desk</a>' in html


@pytest.mark.parametrize(
    "origin", ["https://evil.example/", "//evil.example", "/manage/", "approvals", "", "ACTIVITY"]
)
def test_anything_else_offers_no_way_back(client, submit, manager, origin):
    ticket = submit()
    client.force_login(manager)

    html = page_of(client, ticket, peek="1", **{"from": origin})

    assert BACK not in html
    assert "evil.example" not in html


def test_a_tech_who_has_no_manager_area_gets_no_way_back(client, submit, tech):
    ticket = workflow.ticket_claim_on_open(ticket=submit(), tech=tech).ticket
    client.force_login(tech)

    html = page_of(client, ticket, **{"from": "activity"})

    assert BACK not in html


def test_the_boards_oldest_case_link_says_it_comes_from_the_board(client, submit, manager):
    ticket = submit()
    client.force_login(manager)

    html = client.get(reverse("manage:board")).content.decode()

    assert f"/desk/t/{ticket.number}/?peek=1&amp;from=board" in html
