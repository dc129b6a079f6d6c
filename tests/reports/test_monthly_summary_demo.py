"""The demo's monthly summary (helpdesk/demo_summary.py): the demo manager asked for it and last
month's is in the outbox, once however often the demo loads."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from helpdesk.demo_summary import demo_summary_load
from tickets.mail.outbox import MONTHLY_SUMMARY
from tickets.models import OutboundEmail

pytestmark = pytest.mark.django_db


def test_the_demo_manager_gets_last_months_summary_once(
    mailoutbox, django_capture_on_commit_callbacks
):
    call_command("demo_data")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        demo_summary_load()
        demo_summary_load()

    maria = User.objects.get(email="manager@example.com")
    assert maria.monthly_summary
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    row = OutboundEmail.objects.get(kind=MONTHLY_SUMMARY)
    assert row.idempotency_key == f"monthly-summary:{maria.pk}:{last_month:%Y-%m}"
    assert row.status == OutboundEmail.Status.SENT
    (mail,) = mailoutbox
    assert mail.to == [maria.email]
    assert mail.subject == (
        f"Helpdesk summary for {date_format(last_month, 'F Y')}: Billing, Technical support"
    )
