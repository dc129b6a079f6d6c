from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts import login_history


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def record_expired_session_sign_outs() -> int:
    """Close the sign-ins of sessions that expired; returns how many were closed."""
    return login_history.expired_session_sign_outs_record()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def clear_expired_sessions() -> int:
    """Delete expired session rows, after their sign-ins have been given a sign-out time."""
    login_history.expired_session_sign_outs_record()
    deleted, _ = Session.objects.filter(expire_date__lte=timezone.now()).delete()
    return deleted
