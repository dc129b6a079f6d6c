"""Sign-up from the help centre (CUSTOMER_SIGNUP): the form, the "check your mail" page, and the
link that confirms the address. Every page is a 404 while sign-up is off."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.account_mail import is_pending_signup
from accounts.account_mail_throttle import account_mail_allowed
from accounts.forms_account_mail import SignupForm
from accounts.navigation import landing_url
from accounts.signup import signup_confirm, signup_request
from accounts.tokens import signup_tokens, user_from_uid


def signup_enabled(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.CUSTOMER_SIGNUP:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@never_cache
@signup_enabled
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect(landing_url(request.user))
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if account_mail_allowed(request=request, email=data["email"]):
            signup_request(
                full_name=data["full_name"], email=data["email"], password=data["password1"]
            )
        return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form})


@signup_enabled
@require_GET
def signup_done(request):
    return render(request, "accounts/signup_done.html")


@never_cache
@signup_enabled
@require_http_methods(["GET", "POST"])
def signup_confirm_view(request, uidb64, token):
    """GET asks to confirm (a mail scanner that follows the link opens nothing); POST opens the
    account and signs the person in."""
    user = user_from_uid(uidb64)
    valid = user is not None and is_pending_signup(user) and signup_tokens.check_token(user, token)
    if not valid:
        return render(request, "accounts/signup_confirm.html", {"valid": False}, status=200)
    if request.method == "POST":
        user = signup_confirm(user=user)
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
        messages.success(request, _("Your address is confirmed and your account is open."))
        return redirect(landing_url(user))
    return render(request, "accounts/signup_confirm.html", {"valid": True, "person": user})
