"""The manager board (/manage/): capped counts per department and per tech, overdue and at-risk
boundaries, the oldest waiting case, who sees what, the page and its htmx partial, refusals, and
a query count that does not grow with the data."""

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Customer
from tests.factories import AdminFactory, DepartmentFactory, MembershipFactory, TechFactory
from tickets import board as board_module
from tickets.activity import activity_mark
from tickets.board import board_for, limit_label
from tickets.models import Activity, Message, OutboundEmail, StatusType, Ticket
from tickets.statuses import status_default

pytestmark = pytest.mark.django_db

BOARD = reverse("manage:board")
NUMBERS = itertools.count(5_000_000)


def make_ticket(department, *, status_type=StatusType.NEW, assignee=None, **fields):
    """A ticket written as it is, its SLA columns as the clocks keep them (tickets/sla/clocks.py):
    at risk a fifth of the response limit before it is due; no due time while it waits for the
    customer or is closed."""
    customer = fields.pop("customer", None) or Customer.objects.create(name="Carla Customer")
    if fields.get("due_at") and "risk_at" not in fields:
        fields["risk_at"] = fields["due_at"] - department.response_time_limit / 5
    if status_type in (StatusType.PENDING, StatusType.CLOSED):
        fields["due_at"] = fields["risk_at"] = None
    return Ticket.objects.create(
        number=next(NUMBERS),
        subject=fields.pop("subject", "Printer shows E-042"),
        customer=customer,
        department=department,
        status=status_default(status_type),
        status_type=status_type,
        source="staff",
        assignee=assignee,
        **fields,
    )


def activity_row(ticket, activity=Activity.CUSTOMER_MESSAGE, body="Any news?"):
    message = Message(ticket=ticket, kind=Message.Kind.CUSTOMER, body=body)
    activity_mark(message, ticket=ticket, activity=activity)
    message.save()
    return message


def row_of(board, department):
    (row,) = [row for row in board.departments if row.department == department]
    return row


def test_counts_each_kind_of_waiting_ticket_of_the_department(department, manager, tech):
    make_ticket(department)  # new, general pool
    make_ticket(department, status_type=StatusType.OPEN, assignee=tech)
    make_ticket(department, status_type=StatusType.OPEN)  # open, unassigned
    make_ticket(department, status_type=StatusType.PENDING, assignee=tech)
    make_ticket(department, status_type=StatusType.CONSULTATION, assignee=tech)
    make_ticket(department, status_type=StatusType.CLOSED, assignee=tech)

    row = row_of(board_for(manager), department)

    assert (row.open, row.unassigned, row.pending, row.consultation) == (3, 2, 1, 1)


def test_overdue_and_at_risk_meet_at_now_and_a_fifth_of_the_limit(department, manager):
    department.response_time_limit = timedelta(hours=5)  # at risk: due within the next hour
    department.save()
    now = timezone.now()
    running = {
        "late": now - timedelta(seconds=1),
        "due now": now,
        "just inside": now + timedelta(minutes=59, seconds=59),
        "a fifth away": now + timedelta(hours=1),
        "far": now + timedelta(hours=4, seconds=1),
    }
    for subject, due_at in running.items():
        make_ticket(department, subject=subject, due_at=due_at)
    # Answered but past its deadline: still overdue (the resolution clock passed).
    make_ticket(department, due_at=now - timedelta(hours=2), first_response_at=now)
    # Waiting for the customer or closed: no clock runs, however late it once was.
    make_ticket(department, status_type=StatusType.CLOSED, due_at=now - timedelta(hours=2))
    make_ticket(department, status_type=StatusType.PENDING, due_at=now - timedelta(hours=2))

    row = row_of(board_for(manager, now=now), department)

    assert row.overdue == 3  # late, due now, the answered one
    assert row.at_risk == 2  # "just inside" and "a fifth away"
    assert Ticket.objects.filter(subject="late").get().is_overdue


def test_counts_stop_at_the_cap_and_say_so(department, manager, tech, monkeypatch):
    monkeypatch.setattr(board_module, "COUNT_CAP", 3)
    for _ in range(5):
        make_ticket(department, assignee=tech, due_at=timezone.now() - timedelta(hours=1))

    row = row_of(board_for(manager), department)
    (tech_row,) = [t for t in row.techs if t.user == tech]

    assert row.open == 4  # never more than the cap and one
    assert row.labels["open"] == "3+"
    assert row.labels["overdue"] == "3+"
    assert row.labels["unassigned"] == "0"
    assert (tech_row.pool_label, tech_row.overdue_label) == ("3+", "3+")


def test_the_oldest_waiting_case_is_the_oldest_open_ticket(department, manager):
    now = timezone.now()
    make_ticket(department, status_type=StatusType.PENDING, created_at=now - timedelta(days=9))
    make_ticket(department, status_type=StatusType.CLOSED, created_at=now - timedelta(days=8))
    oldest = make_ticket(department, created_at=now - timedelta(days=3))
    make_ticket(department, status_type=StatusType.OPEN, created_at=now - timedelta(days=1))

    assert row_of(board_for(manager), department).oldest == oldest


def test_an_empty_department_has_no_oldest_case(department, manager):
    row = row_of(board_for(manager), department)

    assert row.oldest is None
    assert row.labels == dict.fromkeys(row.labels, "0")


def test_a_techs_numbers_count_only_the_departments_the_manager_supervises(
    department, manager, tech
):
    other = DepartmentFactory(name="Billing")
    MembershipFactory(user=tech, department=other)
    late = timezone.now() - timedelta(hours=1)
    make_ticket(department, status_type=StatusType.OPEN, assignee=tech, due_at=late)
    make_ticket(department, status_type=StatusType.PENDING, assignee=tech)
    for _ in range(3):
        make_ticket(other, status_type=StatusType.OPEN, assignee=tech, due_at=late)

    board = board_for(manager)

    assert [row.department for row in board.departments] == [department]
    (tech_row,) = [t for t in board.departments[0].techs if t.user == tech]
    assert (tech_row.pool, tech_row.overdue) == (1, 1)


def test_a_manager_of_one_department_sees_nothing_of_another(department, manager):
    other = DepartmentFactory(name="Billing")
    outsider = MembershipFactory(department=other).user
    ticket = make_ticket(other)
    activity_row(ticket)
    Message.objects.create(
        ticket=ticket, kind=Message.Kind.REPLY, body="Held", awaiting_approval=True
    )

    board = board_for(manager)

    assert [row.department for row in board.departments] == [department]
    assert outsider not in [tech.user for row in board.departments for tech in row.techs]
    assert (board.new_activity, board.held_replies) == (0, 0)


def test_an_admin_sees_every_active_department(department, admin_user):
    other = DepartmentFactory(name="Billing")
    DepartmentFactory(name="Closed down", is_active=False)

    departments = [row.department for row in board_for(admin_user).departments]

    assert departments == [other, department]  # by name


def test_new_activity_counts_rows_above_the_watermark_and_held_replies(department, manager):
    ticket = make_ticket(department)
    first = activity_row(ticket)
    activity_row(ticket)
    activity_row(ticket)
    Message.objects.create(ticket=ticket, kind=Message.Kind.NOTE, body="No activity")
    Message.objects.create(
        ticket=ticket, kind=Message.Kind.REPLY, body="Held", awaiting_approval=True
    )
    manager.activity_seen_up_to = first.pk
    manager.save()

    board = board_for(manager)

    assert (board.new_activity, board.held_replies) == (2, 1)


def test_the_approvals_button_counts_held_mails_beside_held_replies(client, department, manager):
    ticket = make_ticket(department)
    other = make_ticket(DepartmentFactory())
    Message.objects.create(
        ticket=ticket, kind=Message.Kind.REPLY, body="Held", awaiting_approval=True
    )
    for number, held_ticket in enumerate([ticket, other]):
        OutboundEmail.objects.create(
            idempotency_key=f"held-confirmation-{number}",
            kind="ticket_confirmation",
            ticket=held_ticket,
            message_id_header=f"<held-{number}@example.com>",
            status=OutboundEmail.Status.AWAITING_APPROVAL,
        )

    board = board_for(manager)
    client.force_login(manager)
    html = client.get(BOARD).content.decode()

    assert (board.held_replies, board.held_mails, board.waiting_approval) == (1, 1, 2)
    assert "2 waiting" in html  # what the approvals page lists: the reply and the mail


@pytest.mark.parametrize(
    ("limit", "label"),
    [
        (timedelta(hours=8), "8 hours"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(days=1), "1 day"),
        (timedelta(days=2), "2 days"),
        (timedelta(hours=4, minutes=30), "4 h 30 min"),
        (timedelta(days=1, hours=2), "26 hours"),
        (timedelta(minutes=45), "45 min"),
    ],
)
def test_the_response_time_limit_reads_as_words_not_a_timedelta(limit, label):
    assert limit_label(limit) == label


# The page


def test_the_board_shows_counts_links_and_no_under_construction_box(
    client, department, manager, tech
):
    ticket = make_ticket(
        department, subject="Oldest one", created_at=timezone.now() - timedelta(days=2)
    )
    make_ticket(department, status_type=StatusType.OPEN, assignee=tech)
    activity_row(ticket)
    client.force_login(manager)

    response = client.get(BOARD)

    html = response.content.decode()
    assert response.status_code == 200
    assert "coming-soon" not in html
    assert 'data-testid="count-open">2<' in html
    assert 'data-testid="count-unassigned">1<' in html
    assert f"/desk/t/{ticket.number}/?peek=1" in html
    assert "Oldest one" in html and "waiting 2" in html
    assert f"/manage/techs/{tech.pk}/" in html
    assert f"?queue=team&amp;owner={tech.pk}&amp;department={department.pk}" in html
    assert reverse("manage:activity") in html and "1 new" in html
    assert "/manage/approvals/" in html
    assert f'data-testid="tech-badges-{tech.pk}"' in html
    assert "Response time limit: 8 hours" in html  # not timedelta's "8:00:00"
    assert "data-poll-when-visible" in html and 'hx-trigger="every 30s"' in html


def test_the_board_answers_htmx_with_its_partial(client, department, manager):
    client.force_login(manager)

    response = client.get(BOARD, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="board-body"')
    assert "<html" not in html
    assert department.name in html


@pytest.mark.parametrize("who", ["tech", "trainee", "customer_user"])
def test_the_board_refuses_people_who_supervise_nothing(client, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(BOARD).status_code == 403
    assert client.get(BOARD, headers={"HX-Request": "true"}).status_code == 403


def test_the_board_sends_visitors_to_sign_in(client):
    response = client.get(BOARD)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign_in"))


def _fill(departments, techs, per_tech):
    late = timezone.now() - timedelta(hours=1)
    for department in departments:
        for tech in techs:
            MembershipFactory(user=tech, department=department)
            for _ in range(per_tech):
                ticket = make_ticket(
                    department, status_type=StatusType.OPEN, assignee=tech, due_at=late
                )
                activity_row(ticket)
        make_ticket(department)


def _board_queries(client, user) -> int:
    client.force_login(user)
    client.get(BOARD)  # the session's first request also records the sign-in's activity
    with CaptureQueriesContext(connection) as queries:
        response = client.get(BOARD)
    assert response.status_code == 200
    return len(queries)


def test_the_board_costs_the_same_queries_at_any_size(client):
    small_admin, large_admin = AdminFactory(), AdminFactory()
    _fill([DepartmentFactory()], [TechFactory()], per_tech=1)
    small = _board_queries(client, small_admin)

    _fill([DepartmentFactory() for _ in range(3)], [TechFactory() for _ in range(4)], per_tech=5)
    large = _board_queries(client, large_admin)

    assert small == large
    assert large <= 10


def test_an_admin_with_no_departments_gets_an_empty_board():
    board = board_for(AdminFactory())

    assert (board.departments, board.new_activity, board.waiting_approval) == ([], 0, 0)
