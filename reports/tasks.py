from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def monthly_summaries() -> int:
    """Beat, daily: write the monthly summary of each manager whose month has turned by their
    own calendar (once per manager and month however often this runs); the outbox sends it."""
    from reports.monthly_summary import monthly_summaries_send

    return monthly_summaries_send()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def days_count_task() -> int:
    """Beat, every few minutes: count the ended days not counted yet (newest first, a batch per
    run), so the reports read a long period from the daily counts (reports/daily_counts.py).
    A day a transaction is changing is left for the next run; nothing is lost if this does not
    run at all, the reports then read the rows."""
    from django.conf import settings

    from reports.daily_counts import days_count, days_uncounted

    return days_count(days_uncounted(limit=settings.REPORTS_DAYS_PER_COUNT))
