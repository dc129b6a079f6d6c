"""A mailbox's default tech: mail follows the web forms' routing, account manager → the
channel's default tech → the department's general pool, a batch at a flat query cost."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Absence
from tests.factories import (
    CustomerEmailFactory,
    CustomerFactory,
    DepartmentFactory,
    MembershipFactory,
    TechFactory,
)
from tests.mail.mails import mail
from tickets.mail.intake import IncomingMail, inbound_receive_many
from tickets.models import InboundEmail, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def default_tech(department, mailbox):
    tech = MembershipFactory(department=department, user=TechFactory(full_name="Dana Default")).user
    mailbox.default_tech = tech
    mailbox.save(update_fields=["default_tech"])
    return tech


def customer_with_manager(address, manager):
    customer = CustomerFactory(account_manager=manager)
    CustomerEmailFactory(customer=customer, email=address)
    return customer


def test_new_mail_goes_to_the_mailboxs_default_tech(receive, default_tech):
    result = receive(mail())
    assert result.inbound.ticket.assignee == default_tech


def test_the_account_manager_comes_before_the_default_tech(receive_many, department, default_tech):
    manager = MembershipFactory(department=department, user=TechFactory()).user
    customer_with_manager("kept@example.org", manager)

    results = receive_many(
        mail(sender="Kept <kept@example.org>", subject="One"),
        mail(sender="New <new@example.org>", subject="Two"),
    )

    kept, new = (result.inbound.ticket for result in results)
    assert kept.assignee == manager
    assert new.assignee == default_tech


def test_a_manager_elsewhere_falls_through_to_the_default_tech(receive, department, default_tech):
    elsewhere = MembershipFactory(department=DepartmentFactory(), user=TechFactory()).user
    customer_with_manager("other@example.org", elsewhere)
    result = receive(mail(sender="Other <other@example.org>"))
    assert result.inbound.ticket.assignee == default_tech


def test_no_default_tech_means_the_general_pool(receive, mailbox):
    assert mailbox.default_tech is None
    assert receive(mail()).inbound.ticket.assignee is None


@pytest.mark.parametrize("why", ["inactive", "moved away", "absent"])
def test_a_default_tech_who_cannot_take_it_leaves_it_in_the_general_pool(
    receive, default_tech, department, why
):
    if why == "inactive":
        default_tech.is_active = False
        default_tech.save(update_fields=["is_active"])
    elif why == "moved away":
        default_tech.memberships.filter(department=department).delete()
    else:
        now = timezone.now()
        Absence.objects.create(
            tech=default_tech, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1)
        )

    assert receive(mail()).inbound.ticket.assignee is None


def test_a_batch_with_a_default_tech_costs_flat_queries(receive, mailbox, default_tech):
    receive(mail())  # warms the caches every intake reads

    def batch(start, count):
        mails = [
            IncomingMail(
                raw=mail(sender=f"P {n} <p{n}@example.net>", subject=f"Request {n}"),
                server_uid=str(n),
            )
            for n in range(start, start + count)
        ]
        with CaptureQueriesContext(connection) as queries:
            results = inbound_receive_many(mails=mails, channel="imap", mailbox=mailbox)
        assert {r.inbound.status for r in results} == {InboundEmail.Status.TICKET}
        return len(queries)

    small, large = batch(0, 5), batch(5, 40)

    assert large <= small + 2
    assert Ticket.objects.filter(assignee=default_tech).count() == 46


def test_admin_sets_a_default_tech_only_from_the_mailboxs_department(
    admin_client, mailbox, department
):
    outsider = MembershipFactory(department=DepartmentFactory(), user=TechFactory()).user
    insider = MembershipFactory(department=department, user=TechFactory()).user
    page = reverse("admin:departments_mailbox_change", args=[mailbox.pk])

    def post(tech):
        data = {
            "name": mailbox.name,
            "department": department.pk,
            "email_address": mailbox.email_address,
            "is_active": "on",
            "protocol": mailbox.protocol,
            "host": mailbox.host,
            "port": mailbox.port,
            "security": mailbox.security,
            "username": mailbox.username,
            "folder": mailbox.folder,
            "auto_response": mailbox.auto_response,
            "default_tech": tech.pk,
        }
        return admin_client.post(page, data)

    mailbox.password_encrypted = "x"
    mailbox.save(update_fields=["password_encrypted"])
    refused = post(outsider)
    assert refused.status_code == 200
    assert "does not work in" in refused.content.decode()
    mailbox.refresh_from_db()
    assert mailbox.default_tech is None

    assert post(insider).status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.default_tech == insider
