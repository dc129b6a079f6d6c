"""Upgrading to the reports (migrations tickets 0019-0020): every case closed before gets its
closing, each case's first consultation is marked with the deadline it had, and the seeds'
satisfaction marks are there to pick from."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("tickets", "0018_sla_clocks_backfill"), ("accounts", "0006_absence")]
AFTER = [("tickets", "0020_reports_backfill")]


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


def test_the_upgrade_records_the_closings_and_first_consultations_of_earlier_cases(
    at_the_earlier_version,
):
    apps = at_the_earlier_version
    Department = apps.get_model("departments", "Department")
    Customer = apps.get_model("accounts", "Customer")
    Status = apps.get_model("tickets", "Status")
    Ticket = apps.get_model("tickets", "Ticket")
    Message = apps.get_model("tickets", "Message")
    Consultation = apps.get_model("tickets", "Consultation")
    now = timezone.now()
    support = Department.objects.create(
        name="Support", slug="support", response_time_limit=timedelta(hours=4)
    )
    legal = Department.objects.create(name="Legal", slug="legal")
    customer = Customer.objects.create(name="Vera")

    def case(number, status_type, **fields):
        status = Status.objects.filter(type=status_type).first() or Status.objects.create(
            name=status_type, type=status_type, is_default=True
        )
        return Ticket.objects.create(
            number=number,
            subject="Printer",
            department=support,
            customer=customer,
            status=status,
            status_type=status_type,
            access_token=f"{number}" * 43,
            created_at=now - timedelta(hours=10),
            resolution_due_at=now - timedelta(hours=2),
            response_due_at=now - timedelta(hours=6),
            **fields,
        )

    closed = case(1, "closed", closed_at=now - timedelta(hours=1), resolution_used=timedelta(9))
    still_open = case(2, "open")

    def consult(ticket, asked_at):
        question = Message.objects.create(ticket=ticket, kind="consultation_out", body="?")
        return Consultation.objects.create(
            ticket=ticket,
            department=legal,
            question=question,
            asked_at=asked_at,
            answered_at=asked_at,
        ).pk

    first = consult(closed, now - timedelta(hours=5))
    second = consult(closed, now - timedelta(hours=3))
    after_close = consult(still_open, now - timedelta(hours=4))

    apps = upgrade()
    Closure = apps.get_model("tickets", "Closure")
    Consultation = apps.get_model("tickets", "Consultation")
    Mark = apps.get_model("tickets", "SatisfactionMark")
    closure = Closure.objects.get()
    assert closure.ticket_id == closed.pk
    assert closure.closed_at == closed.closed_at
    assert closure.deadline == closed.resolution_due_at
    assert closure.consulted
    assert closure.reason == "closed"
    assert not Closure.objects.filter(ticket_id=still_open.pk).exists()
    marked = dict(Consultation.objects.values_list("pk", "first_of_case"))
    assert marked == {first: True, second: False, after_close: True}
    assert Consultation.objects.get(pk=first).deadline_when_asked == closed.resolution_due_at
    labels = list(Mark.objects.values_list("label", flat=True))
    assert "The answer satisfies" in labels and "Not complete enough" in labels
