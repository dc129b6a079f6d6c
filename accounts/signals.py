"""Auth signal receivers. They only record sign-in history; the rules live in login_history."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts import login_history


@receiver(user_logged_in, dispatch_uid="accounts_record_sign_in")
def record_sign_in(sender, request, user, **kwargs):
    if request is not None:
        login_history.sign_in_record(request=request, user=user)


@receiver(user_logged_out, dispatch_uid="accounts_record_sign_out")
def record_sign_out(sender, request, user, **kwargs):
    if request is not None:
        login_history.sign_out_record(request=request, user=user)


@receiver(user_login_failed, dispatch_uid="accounts_record_failed_sign_in")
def record_failed_sign_in(sender, credentials, request=None, **kwargs):
    email = credentials.get("username") or credentials.get("email") or ""
    login_history.sign_in_failure_record(request=request, email=email)
