from celery import shared_task

from tickets.notifications import ticket_confirmation_email_send


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def ticket_confirmation_send(ticket_id: int) -> bool:
    """Send a new ticket's confirmation; retried with backoff while the mail server fails."""
    return ticket_confirmation_email_send(ticket_id=ticket_id)
