"""Upgrading to the outbox (migrations tickets 0009-0011) loses no mail the earlier version meant to
send: an auto-response flagged due becomes an outbox row, unsent rows learn what they are about
from their key and become due for the sweep, and rows too old to matter are held back."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("tickets", "0008_inbound_message_id_reuse")]
AFTER = [("tickets", "0011_inbound_auto_response_due_removed")]


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
    executor.migrate(AFTER)
    return executor.loader.project_state(AFTER).apps


def test_the_upgrade_keeps_every_unsent_mail_due(at_the_earlier_version):
    apps = at_the_earlier_version
    Department = apps.get_model("departments", "Department")
    Customer = apps.get_model("accounts", "Customer")
    Status = apps.get_model("tickets", "Status")
    Ticket = apps.get_model("tickets", "Ticket")
    Message = apps.get_model("tickets", "Message")
    InboundEmail = apps.get_model("tickets", "InboundEmail")
    OutboundEmail = apps.get_model("tickets", "OutboundEmail")
    now = timezone.now()
    department = Department.objects.create(name="Support", slug="support")
    customer = Customer.objects.create(name="Vera")
    ticket = Ticket.objects.create(
        number=1,
        subject="Printer",
        department=department,
        customer=customer,
        # Earlier transactional tests may have emptied the statuses the migrations ship.
        status=Status.objects.filter(type="new").first()
        or Status.objects.create(name="New", type="new", is_default=True),
        status_type="new",
        access_token="t" * 43,
    )
    reply = Message.objects.create(ticket=ticket, kind="reply", body="Restart it.")
    due = InboundEmail.objects.create(
        channel="imap",
        raw_sha256="a" * 64,
        from_address="vera@example.org",
        ticket=ticket,
        status="ticket",
        processed_at=now - timedelta(minutes=20),
        auto_response_due=True,
    )
    OutboundEmail.objects.create(
        idempotency_key=f"reply:{reply.pk}",
        kind="reply",
        ticket=ticket,
        to="vera@example.org",
        subject="Re: Printer",
        message_id_header="<r@x>",
        status="failed",
    )
    old = OutboundEmail.objects.create(
        idempotency_key="confirmation:1",
        kind="confirmation",
        ticket=ticket,
        to="vera@example.org",
        subject="Received",
        message_id_header="<c@x>",
        status="pending",
    )
    OutboundEmail.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=5))

    apps = upgrade()

    rows = {row.kind: row for row in apps.get_model("tickets", "OutboundEmail").objects.all()}
    assert rows["reply"].message_id == reply.pk
    assert rows["reply"].status == "failed" and rows["reply"].next_attempt_at is not None
    assert rows["auto_response"].inbound_id == due.pk
    assert rows["auto_response"].to == "vera@example.org"
    assert rows["auto_response"].status == "pending"
    assert rows["auto_response"].next_attempt_at is not None
    assert rows["confirmation"].status == "held" and "three days" in rows["confirmation"].error
