"""The monthly summary through the outbox: waiting while the broker is down and sent once later,
plain text with absolute links, held back for someone who no longer wants or may have it, its
keys; the admin-editable template.

Fixtures (run, maria, september, october, billing_october): tests/reports/summary_support.py."""

from datetime import datetime, timedelta

import pytest
from django.conf import settings

from reports.monthly_summary import (
    monthly_summaries_send,
    monthly_summary_mails,
    summary_key,
    summary_key_parts,
)
from responses.models import MailTemplate
from tests.faults import broker_unreachable
from tests.reports.report_support import at
from tests.reports.summary_support import (
    NOVEMBER_FIRST,
    mails_to,
)
from tickets import tasks as ticket_tasks
from tickets.mail import outbox
from tickets.models import OutboundEmail

pytestmark = pytest.mark.django_db


def test_with_the_broker_down_the_row_waits_in_the_outbox_and_goes_once_later(
    maria, october, mailoutbox, django_capture_on_commit_callbacks
):
    OutboundEmail.objects.all().delete()  # the October cases' own mail
    with at(NOVEMBER_FIRST), broker_unreachable(), django_capture_on_commit_callbacks(execute=True):
        assert monthly_summaries_send() == 1

    row = OutboundEmail.objects.get(kind=outbox.MONTHLY_SUMMARY)
    assert row.status == OutboundEmail.Status.PENDING
    assert row.to == maria.email
    assert mailoutbox == []

    with at(NOVEMBER_FIRST + timedelta(minutes=5)):
        assert ticket_tasks.outbox_sweep_due() == 1  # the broker is back
    with at(NOVEMBER_FIRST + timedelta(minutes=30)):
        assert ticket_tasks.outbox_sweep_due() == 0
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.SENT
    assert len(mailoutbox) == 1
    assert "- Cases closed: 4 — no earlier data" in mailoutbox[0].body


def test_the_mail_is_plain_text_to_staff_with_absolute_links(run, maria, mailoutbox):
    run()

    mail = mails_to(mailoutbox, maria)[0]
    assert f"{settings.SITE_URL}/reports/?period=last_month\n" in mail.body
    assert f"{settings.SITE_URL}/accounts/preferences/#monthly-summary" in mail.body
    assert "Hello Maria Manager," in mail.body
    assert mail.alternatives == []
    assert mail.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "{{" not in mail.body and "{{" not in mail.subject


def test_someone_who_unticked_it_or_stopped_managing_before_it_went_out_is_not_sent_it(
    maria, support, mailoutbox
):
    with at(NOVEMBER_FIRST):
        monthly_summaries_send()  # no on-commit here: the rows wait
    row = OutboundEmail.objects.get(kind=outbox.MONTHLY_SUMMARY)
    maria.monthly_summary = False
    maria.save(update_fields=["monthly_summary"])
    assert "no longer wants" in monthly_summary_mails([row])[0].reason

    maria.monthly_summary = True
    maria.save(update_fields=["monthly_summary"])
    maria.memberships.update(is_manager=False)
    assert "no longer manages" in monthly_summary_mails([row])[0].reason

    maria.is_active = False
    maria.save(update_fields=["is_active"])
    assert "no longer an active staff member" in monthly_summary_mails([row])[0].reason


def test_keys_name_the_manager_and_the_month():
    key = summary_key(user_id=42, month=datetime(2026, 10, 1).date())
    assert key == "monthly-summary:42:2026-10"
    assert summary_key_parts(key) == (42, datetime(2026, 10, 1).date())
    for other in ("digest:42:2026-10-01T10", "monthly-summary:x:2026-10", "monthly-summary:4:13"):
        assert summary_key_parts(other) is None


# --- The editable template ------------------------------------------------------------------


def test_an_admins_edit_of_the_template_is_used(run, maria, october, mailoutbox):
    MailTemplate.objects.create(
        key=MailTemplate.Key.MONTHLY_SUMMARY,
        subject="Numbers of {{ summary_month }}",
        body="Dear {{ recipient_name }}:\n{{ summary_numbers }}\nMore: {{ report_link }}",
    )

    run()

    mail = mails_to(mailoutbox, maria)[0]
    assert mail.subject == "Numbers of October 2026"
    assert mail.body.startswith("Dear Maria Manager:\n- E-mails received: 3 — no earlier data\n")
    assert mail.body.endswith(f"More: {settings.SITE_URL}/reports/?period=last_month")


def test_the_only_department_of_a_manager_may_have_its_own_version(run, maria, support, mailoutbox):
    MailTemplate.objects.create(
        key=MailTemplate.Key.MONTHLY_SUMMARY, department=support, subject="Support's", body="s"
    )

    run()

    assert mails_to(mailoutbox, maria)[0].subject == "Support's"
