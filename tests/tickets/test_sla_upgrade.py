"""Upgrading to the SLA clocks (migrations tickets 0017-0018) gives every existing case clocks as
the product counted them before (around the clock, from creation): open ones run, waiting ones
are paused, closed ones keep their deadline."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("tickets", "0016_notifications"), ("departments", "0005_calendars")]
AFTER = [("tickets", "0018_sla_clocks_backfill")]


@pytest.fixture
def at_the_earlier_version(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor.loader.project_state(BEFORE).apps
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def upgrade():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    return executor.loader.project_state(AFTER).apps


def test_the_upgrade_starts_clocks_for_existing_cases(at_the_earlier_version):
    apps = at_the_earlier_version
    Department = apps.get_model("departments", "Department")
    Customer = apps.get_model("accounts", "Customer")
    Status = apps.get_model("tickets", "Status")
    Ticket = apps.get_model("tickets", "Ticket")
    now = timezone.now()
    department = Department.objects.create(
        name="Support",
        slug="support",
        response_time_limit=timedelta(hours=4),
        resolution_time_limit=timedelta(hours=10),
    )
    customer = Customer.objects.create(name="Vera")

    def case(number, status_type, **fields):
        created = now - timedelta(hours=5)
        status = Status.objects.filter(type=status_type).first() or Status.objects.create(
            name=status_type, type=status_type, is_default=True
        )
        return Ticket.objects.create(
            number=number,
            subject="Printer",
            department=department,
            customer=customer,
            status=status,
            status_type=status_type,
            access_token=f"{number}" * 43,
            created_at=created,
            due_at=created + timedelta(hours=4),
            **fields,
        ).pk

    late = case(1, "new")
    answered = case(2, "open", first_response_at=now - timedelta(hours=4, minutes=30))
    waiting = case(3, "pending")
    closed = case(4, "closed", closed_at=now - timedelta(hours=1))

    Ticket = upgrade().get_model("tickets", "Ticket")
    late, answered, waiting, closed = (
        Ticket.objects.get(pk=pk) for pk in (late, answered, waiting, closed)
    )

    created = now - timedelta(hours=5)
    assert late.due_at == late.response_due_at == created + timedelta(hours=4)
    assert late.due_at < now  # overdue, as before
    assert late.resolution_due_at == created + timedelta(hours=10)
    assert late.risk_at == late.due_at - timedelta(minutes=48)
    assert late.sla_alert_at == late.due_at
    assert late.response_used >= timedelta(hours=5)
    assert answered.due_at == answered.resolution_due_at  # the deadline now runs
    assert waiting.due_at is None and waiting.pending_since is not None
    assert closed.due_at is None and closed.sla_alert_at is None
    assert closed.resolution_due_at == created + timedelta(hours=10)
