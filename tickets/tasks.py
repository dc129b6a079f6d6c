from celery import shared_task

from tickets.notifications import ticket_confirmation_email_send, ticket_reply_email_send


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def ticket_confirmation_send(ticket_id: int) -> bool:
    """Send a new ticket's confirmation; retried with backoff while the mail server fails."""
    return ticket_confirmation_email_send(ticket_id=ticket_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def ticket_reply_send(message_id: int) -> bool:
    """Email a tech's public reply; retried with backoff, sent once however often it runs."""
    return ticket_reply_email_send(message_id=message_id)
