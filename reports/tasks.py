from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def monthly_summaries() -> int:
    """Beat, daily: write the monthly summary of each manager whose month has turned by their
    own calendar (once per manager and month however often this runs); the outbox sends it."""
    from reports.monthly_summary import monthly_summaries_send

    return monthly_summaries_send()
