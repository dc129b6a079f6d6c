"""Whose numbers the monthly summary holds and who gets it: the departments a manager manages
(an admin: all), nothing for those who did not ask or manage nothing, once per manager and
month however often it runs.

Fixtures (run, maria, september, october, billing_october): tests/reports/summary_support.py."""

from datetime import datetime, timedelta

import pytest

from reports.monthly_summary import (
    monthly_summaries_send,
)
from tests.factories import AdminFactory, DepartmentFactory, MembershipFactory, TechFactory
from tests.reports.report_support import UTC, at
from tests.reports.summary_support import (
    BEAT,
    NOVEMBER_FIRST,
    line,
    mails_to,
    opted_in,
)
from tickets.mail import outbox
from tickets.models import OutboundEmail

pytestmark = pytest.mark.django_db


def test_a_manager_of_support_never_gets_billings_numbers(run, maria, billing_october, mailoutbox):
    run()

    mail = mails_to(mailoutbox, maria)[0]
    assert mail.subject == "Helpdesk summary for October 2026: Support"
    assert "for Support, each with the change" in mail.body
    assert "Billing" not in mail.body
    assert line(mail.body, "Cases closed") == "- Cases closed: 0 — no earlier data"
    assert line(mail.body, "E-mails received") == "- E-mails received: 0 — no earlier data"


def test_a_manager_of_two_departments_gets_both_together(
    run, maria, billing, october, billing_october, mailoutbox
):
    MembershipFactory(user=maria, department=billing, is_manager=True)

    run()

    mail = mails_to(mailoutbox, maria)[0]
    assert mail.subject == "Helpdesk summary for October 2026: Billing, Support"
    assert line(mail.body, "Cases closed").startswith("- Cases closed: 6 — ")


def test_an_admin_gets_every_department(run, october, billing_october, mailoutbox):
    ada = opted_in(AdminFactory(full_name="Ada Admin"))

    run()

    mail = mails_to(mailoutbox, ada)[0]
    assert mail.subject == "Helpdesk summary for October 2026: every department"
    assert "Hello Ada Admin," in mail.body
    assert line(mail.body, "Cases closed").startswith("- Cases closed: 6 — ")
    assert line(mail.body, "E-mails received").startswith("- E-mails received: 4 — ")


def test_opted_out_managers_techs_and_customers_get_nothing(
    run, support_manager, support, tom, mailoutbox
):
    opted_in(tom)  # asked for it somehow, but manages nothing
    opted_in(TechFactory(full_name="Gone Manager", is_active=False))
    MembershipFactory(
        user=TechFactory.create(full_name="Quiet"), department=support, is_manager=True
    )
    closed = DepartmentFactory(name="Closed", slug="closed", is_active=False)
    former = opted_in(TechFactory(full_name="Manager of a closed department"))
    MembershipFactory(user=former, department=closed, is_manager=True)
    assert not support_manager.monthly_summary  # the default: not asked for

    assert run() == 0

    assert mailoutbox == []
    assert not OutboundEmail.objects.filter(kind=outbox.MONTHLY_SUMMARY).exists()


def test_a_second_run_in_the_same_month_sends_nothing_new(run, maria, october, mailoutbox):
    assert run() == 1
    assert run(NOVEMBER_FIRST + timedelta(hours=3)) == 0
    assert run(NOVEMBER_FIRST + timedelta(days=1)) == 0

    assert len(mails_to(mailoutbox, maria)) == 1
    row = OutboundEmail.objects.get(kind=outbox.MONTHLY_SUMMARY)
    assert row.idempotency_key == f"monthly-summary:{maria.pk}:2026-10"
    assert row.status == OutboundEmail.Status.SENT
    assert run(datetime(2026, 12, 1, *BEAT, tzinfo=UTC)) == 1  # December: November's
    assert len(mails_to(mailoutbox, maria)) == 2


def test_two_runs_at_once_write_one_summary(maria):
    """Two beats (or a retried task) writing the same month: the key keeps one row."""
    with at(NOVEMBER_FIRST):
        monthly_summaries_send()
        OutboundEmail.objects.filter(kind=outbox.MONTHLY_SUMMARY).update(
            status=OutboundEmail.Status.PENDING
        )
        assert monthly_summaries_send() == 0
    assert OutboundEmail.objects.filter(kind=outbox.MONTHLY_SUMMARY).count() == 1
