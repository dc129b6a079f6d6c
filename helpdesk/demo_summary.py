"""Demo monthly summary: the demo manager has asked for it in her preferences, and last month's
summary is written at once (the beat would write it on the 1st), so `make run` shows it in the
outbox and under var/mail/. Loading it twice changes nothing: the summary is keyed by the
manager and the month."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from reports.monthly_summary import monthly_summary_add, person_zone


def demo_summary_load() -> None:
    manager = User.objects.filter(email="manager@example.com").first()
    if manager is None:
        return
    if not manager.monthly_summary:
        manager.monthly_summary = True
        manager.save(update_fields=["monthly_summary"])
    today = timezone.localdate(timezone=person_zone(manager))
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    monthly_summary_add(user=manager, month=last_month)
