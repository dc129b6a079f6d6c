"""The board's tech badges about absences: away now (as before), away soon ("Away from …"), and
standing in for someone ("Substitute for …"), read in one query for the whole board whatever
the number of techs."""

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import Absence
from tests.factories import AdminFactory, DepartmentFactory, MembershipFactory, TechFactory
from tickets.board import board_for

pytestmark = pytest.mark.django_db

BOARD = reverse("manage:board")


def away(tech, *, start, days=3, substitute=None, **fields):
    now = timezone.now()
    return Absence.objects.create(
        tech=tech,
        starts_at=now + start,
        ends_at=now + start + timedelta(days=days),
        substitute=substitute,
        **fields,
    )


@pytest.fixture
def alex(department):
    return MembershipFactory(user=TechFactory(full_name="Alex Away"), department=department).user


def tech_row(board, user):
    return next(t for row in board.departments for t in row.techs if t.user == user)


def test_an_absence_ahead_is_on_the_board_with_its_start(client, manager, alex):
    ahead = away(alex, start=timedelta(days=2))
    client.force_login(manager)

    html = client.get(BOARD).content.decode()

    assert 'data-testid="absence-ahead-badge"' in html
    start = date_format(timezone.localtime(ahead.starts_at), "DATETIME_FORMAT")
    assert f"Away from {start}" in html
    assert 'data-testid="absent-badge"' not in html


def test_only_the_next_absence_ahead_shows_and_cancelled_or_ended_ones_never(manager, alex):
    away(alex, start=timedelta(days=1), cancelled_at=timezone.now())
    soon = away(alex, start=timedelta(days=5))
    away(alex, start=timedelta(days=20))

    row = tech_row(board_for(manager), alex)

    assert row.absence is None
    assert row.absence_ahead == soon


def test_a_substitute_is_marked_as_standing_in_while_the_absence_runs(client, manager, alex, tech):
    away(alex, start=timedelta(hours=-1), substitute=tech)
    client.force_login(manager)

    html = client.get(BOARD).content.decode()

    row = tech_row(board_for(manager), tech)
    assert [a.tech for a in row.standing_in_for] == [alex]
    assert "Substitute for Alex Away" in html
    assert f'data-testid="tech-badges-{alex.pk}"> <span class="badge text-bg-secondary' in html


def test_a_substitute_of_an_absence_still_ahead_or_cancelled_stands_in_for_nobody(
    manager, alex, tech
):
    away(alex, start=timedelta(days=1), substitute=tech)
    away(alex, start=timedelta(hours=-1), days=1, substitute=tech, cancelled_at=timezone.now())

    row = tech_row(board_for(manager), tech)

    assert row.standing_in_for == []


def test_standing_in_for_someone_outside_the_managers_departments_is_not_shown(manager, tech):
    elsewhere = DepartmentFactory(name="Billing")
    MembershipFactory(user=tech, department=elsewhere)
    outsider = MembershipFactory(user=TechFactory(full_name="Olga Outside"), department=elsewhere)
    away(outsider.user, start=timedelta(hours=-1), substitute=tech)

    row = tech_row(board_for(manager), tech)

    assert row.standing_in_for == []


def _board_queries(client, user) -> int:
    client.force_login(user)
    client.get(BOARD)  # the session's first request also records the sign-in
    with CaptureQueriesContext(connection) as queries:
        response = client.get(BOARD)
    assert response.status_code == 200
    return len(queries)


def _techs_with_absences(department, count):
    techs = [TechFactory() for _ in range(count)]
    for tech in techs:
        MembershipFactory(user=tech, department=department)
    for absent, substitute in itertools.pairwise(techs):
        away(absent, start=timedelta(hours=-1), days=1, substitute=substitute)
        away(absent, start=timedelta(days=4), substitute=substitute)


def test_the_badges_cost_the_same_queries_for_one_tech_or_many(client):
    small_admin = AdminFactory()
    _techs_with_absences(DepartmentFactory(), 2)
    small = _board_queries(client, small_admin)

    large_admin = AdminFactory()
    _techs_with_absences(DepartmentFactory(), 8)
    _techs_with_absences(DepartmentFactory(), 5)
    large = _board_queries(client, large_admin)

    assert small == large
    assert large <= 10
