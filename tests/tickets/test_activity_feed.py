"""The managers' feed of new activity (/manage/activity/): newest first, keyset pages, filters,
"new" above the watermark, "mark all seen" that never moves the watermark down, bad input, who
sees what, and a query count that does not grow with the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from tests.factories import AdminFactory, DepartmentFactory, MembershipFactory
from tickets import activity_feed, workflow
from tickets.activity_feed import FeedFilters, activity_seen_mark, feed_page
from tickets.approvals import reply_approve, reply_reject
from tickets.models import Activity, Message, StatusType
from tickets.statuses import status_default

pytestmark = pytest.mark.django_db

FEED = reverse("manage:activity")
SEEN = reverse("manage:activity_seen")


@pytest.fixture
def billing():
    return DepartmentFactory(name="Billing")


@pytest.fixture
def two_departments(submit, department, billing, manager, tech):
    """Two web tickets: the second is transferred to Billing, the first set pending."""
    MembershipFactory(user=manager, department=billing, is_manager=True)
    first = submit(subject="Printer shows E-042")
    second = submit(subject="Invoice twice", email="ivan@example.org")
    workflow.ticket_transfer(ticket=second, by=manager, to_department=billing)
    workflow.ticket_status_change(
        ticket=first, author=tech, status=status_default(StatusType.PENDING)
    )
    return first, second


def activity_rows(**filters):
    return list(Message.objects.exclude(activity="").filter(**filters).order_by("-id"))


def ids(page):
    return [row.message.pk for row in page.rows]


def test_the_feed_lists_activity_newest_first_with_what_who_and_an_excerpt(
    two_departments, manager, department, billing
):
    page = feed_page(user=manager, department_ids=[department.pk, billing.pk])

    assert ids(page) == [m.pk for m in activity_rows()]
    kinds = [row.message.activity for row in page.rows]
    assert kinds[:2] == [Activity.STATUS_CHANGED, Activity.TRANSFERRED]
    status, transfer = page.rows[0], page.rows[1]
    assert status.excerpt == "New → Waiting for customer"
    assert status.who == "Tom Tech" and status.icon == "bi-flag"
    assert transfer.excerpt == "general pool of Technical support → general pool of Billing"
    created = page.rows[-1]
    assert created.message.activity == Activity.TICKET_CREATED
    assert created.who == "Vera Visitor" and created.excerpt == "It stopped after the update."
    assert all(row.is_new for row in page.rows)


def test_rows_at_or_below_the_watermark_are_not_new(two_departments, manager, department, billing):
    middle = activity_rows()[2]
    manager.activity_seen_up_to = middle.pk

    page = feed_page(user=manager, department_ids=[department.pk, billing.pk])

    assert [row.is_new for row in page.rows] == [m.pk > middle.pk for m in activity_rows()]


def test_pages_go_older_by_id_without_gaps_or_repeats(
    two_departments, manager, department, billing
):
    everything = [m.pk for m in activity_rows()]
    seen, before = [], None
    while True:
        page = feed_page(
            user=manager, department_ids=[department.pk, billing.pk], before=before, size=2
        )
        seen += ids(page)
        if page.older_than is None:
            break
        before = page.older_than

    assert seen == everything


def test_filters_by_department_and_kind(two_departments, manager, department, billing):
    both = [department.pk, billing.pk]

    in_billing = feed_page(user=manager, department_ids=both, filters=FeedFilters(billing.pk))
    transfers = feed_page(
        user=manager, department_ids=both, filters=FeedFilters(kind=Activity.TRANSFERRED)
    )

    assert ids(in_billing) == [m.pk for m in activity_rows(department=billing)]
    assert ids(transfers) == [m.pk for m in activity_rows(activity=Activity.TRANSFERRED)]
    assert len(ids(transfers)) == 1


def test_a_department_filter_outside_the_managers_departments_shows_nothing(
    two_departments, department
):
    page = feed_page(
        user=User(activity_seen_up_to=0),
        department_ids=[department.pk],
        filters=FeedFilters(department_id=department.pk + 1000),
    )

    assert page.rows == []


# The page


def test_a_manager_of_one_department_sees_none_of_anothers_activity(client, submit, billing):
    outsider = MembershipFactory(department=billing, is_manager=True).user
    submit()
    client.force_login(outsider)

    response = client.get(FEED)

    assert response.status_code == 200
    assert b"Printer shows E-042" not in response.content
    assert b'data-testid="activity-empty"' in response.content


def test_the_page_shows_rows_marked_new_in_words(client, two_departments, manager):
    client.force_login(manager)

    response = client.get(FEED)

    html = response.content.decode()
    assert html.count('data-testid="activity-row"') == len(activity_rows())
    assert html.count('data-testid="activity-new"') == len(activity_rows())
    assert ">New</span>" in html.replace(
        '<i class="bi bi-circle-fill" aria-hidden="true"></i> ', ""
    )
    first, _second = two_departments
    assert f"/desk/t/{first.number}/?peek=1" in html
    assert f'name="up_to" value="{activity_rows()[0].pk}"' in html


def test_the_page_answers_htmx_with_its_partial(client, two_departments, manager, billing):
    client.force_login(manager)

    response = client.get(FEED, {"department": billing.pk}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="activity-body"')
    assert "<html" not in html
    assert html.count('data-testid="activity-row"') == len(activity_rows(department=billing))


def test_the_older_link_carries_the_filters(client, two_departments, manager, monkeypatch):
    monkeypatch.setattr(activity_feed, "PAGE_SIZE", 2)
    client.force_login(manager)

    response = client.get(FEED, {"kind": ""})

    html = response.content.decode()
    oldest_shown = activity_rows()[1].pk
    assert f'href="?kind=&amp;before={oldest_shown}"' in html
    older = client.get(FEED, {"kind": "", "before": oldest_shown}).content.decode()
    assert older.count('data-testid="activity-row"') == 2
    assert 'data-testid="mark-all-seen"' not in older  # only the newest page marks


@pytest.mark.parametrize(
    "query",
    [
        {"department": "abc"},
        {"department": "999999"},
        {"kind": "nonsense"},
        {"before": "x" * 5000},
        {"before": "99999999999999999999999"},
        {"before": "-4"},
        {"kind": ["status_changed", "transferred"], "department": "\u0663"},
    ],
)
def test_filters_that_are_not_understood_are_ignored_and_said(
    client, two_departments, manager, query
):
    client.force_login(manager)

    response = client.get(FEED, query)

    assert response.status_code == 200
    assert b'data-testid="filters-ignored"' in response.content
    assert response.content.decode().count('data-testid="activity-row"') >= 1


def test_another_departments_id_is_not_a_filter_the_manager_may_use(
    client, two_departments, manager
):
    elsewhere = DepartmentFactory(name="Elsewhere")
    client.force_login(manager)

    response = client.get(FEED, {"department": elsewhere.pk})

    assert b'data-testid="filters-ignored"' in response.content
    assert response.content.decode().count('data-testid="activity-row"') == len(activity_rows())


@pytest.mark.parametrize("who", ["tech", "trainee", "customer_user"])
def test_the_feed_and_marking_refuse_people_who_supervise_nothing(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)

    assert client.get(FEED).status_code == 403
    assert client.post(SEEN, {"up_to": "1"}).status_code == 403


def test_visitors_are_sent_to_sign_in(client):
    assert client.get(FEED).url.startswith(reverse("accounts:sign_in"))
    assert client.post(SEEN, {"up_to": "1"}).url.startswith(reverse("accounts:sign_in"))


# Mark all seen


def test_mark_all_seen_moves_the_watermark_to_the_newest_row_shown(
    client, two_departments, manager
):
    newest = activity_rows()[0].pk
    client.force_login(manager)

    response = client.post(SEEN, {"up_to": newest}, follow=True)

    manager.refresh_from_db()
    assert manager.activity_seen_up_to == newest
    assert b'data-testid="activity-new"' not in response.content
    assert b"marked seen" in response.content


def test_the_watermark_never_moves_down(two_departments, manager, department, billing):
    rows = activity_rows()
    both = [department.pk, billing.pk]

    assert activity_seen_mark(user=manager, up_to=rows[0].pk, department_ids=both)
    # A second tab, opened earlier, marks the page it showed: nothing changes.
    stale = User.objects.get(pk=manager.pk)
    stale.activity_seen_up_to = 0
    assert not activity_seen_mark(user=stale, up_to=rows[2].pk, department_ids=both)

    assert User.objects.get(pk=manager.pk).activity_seen_up_to == rows[0].pk


@pytest.mark.parametrize("up_to", ["", "abc", "99999999999999999999999", "0", "1.5"])
def test_marking_with_a_value_that_is_not_a_row_changes_nothing(
    client, two_departments, manager, up_to
):
    client.force_login(manager)

    response = client.post(SEEN, {"up_to": up_to}, follow=True)

    assert response.status_code == 200
    assert b"alert-danger" in response.content
    manager.refresh_from_db()
    assert manager.activity_seen_up_to == 0


def test_marking_a_row_of_another_department_changes_nothing(client, two_departments, billing):
    outsider = MembershipFactory(department=DepartmentFactory(), is_manager=True).user
    row = activity_rows()[0]
    client.force_login(outsider)

    response = client.post(SEEN, {"up_to": row.pk}, follow=True)

    assert b"not one of yours" in response.content
    outsider.refresh_from_db()
    assert outsider.activity_seen_up_to == 0


def test_marking_a_row_that_is_no_activity_changes_nothing(two_departments, manager, department):
    note = Message.objects.create(ticket=two_departments[0], kind=Message.Kind.NOTE, body="x")

    with pytest.raises(Exception, match="not one of yours"):
        activity_seen_mark(user=manager, up_to=note.pk, department_ids=[department.pk])
    assert User.objects.get(pk=manager.pk).activity_seen_up_to == 0


# Cost


def _feed_queries(client, user, query) -> int:
    client.force_login(user)
    client.get(FEED)  # the session's first request also records the sign-in's activity
    with CaptureQueriesContext(connection) as queries:
        response = client.get(FEED, query)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("query", [{}, {"kind": Activity.CUSTOMER_MESSAGE}])
def test_the_feed_costs_the_same_queries_at_any_size(client, submit, query):
    admin = AdminFactory()
    submit()
    small = _feed_queries(client, admin, query)

    for index in range(3):
        extra = DepartmentFactory()
        for number in range(4):
            ticket = submit(email=f"c{index}{number}@example.org")
            workflow.ticket_transfer(ticket=ticket, by=admin, to_department=extra)
            workflow.ticket_status_change(ticket=ticket, author=admin, status_type=StatusType.OPEN)
    large = _feed_queries(client, admin, query)

    assert small == large


def held_reply(submit, trainee, body="Restart the printer twice."):
    ticket = workflow.ticket_claim_on_open(ticket=submit(), tech=trainee).ticket
    return workflow.ticket_reply(ticket=ticket, tech=trainee, body=body, internal=False)


def test_a_rejection_shows_its_reason_and_an_edited_approval_says_so(
    submit, trainee, manager, department
):
    reply_reject(
        message=held_reply(submit, trainee),
        manager=manager,
        reason="Ask which   cartridge\nthey use first.",
    )
    reply_approve(message=held_reply(submit, trainee), manager=manager, edited_body="Better.")

    page = feed_page(user=manager, department_ids=[department.pk])

    details = {row.message.activity: row.excerpt for row in page.rows}
    assert details[Activity.REPLY_REJECTED] == "Reason: Ask which cartridge they use first."
    assert details[Activity.REPLY_APPROVED] == "Edited before it was sent"
