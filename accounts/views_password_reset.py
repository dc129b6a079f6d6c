"""The password reset pages: Django's views with our templates and forms; the mail goes through
the outbox (accounts/password_reset.py), never straight to the mail server."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.account_mail_throttle import account_mail_allowed
from accounts.forms_account_mail import NewPasswordForm, PasswordResetRequestForm
from accounts.navigation import landing_url
from accounts.password_reset import password_reset_request


class PasswordResetView(auth_views.PasswordResetView):
    """ "Forgot your password?": an address in, the same "check your mail" page out, whether or
    not it has an account and whether or not the throttle let a mail go."""

    template_name = "accounts/password_reset.html"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if account_mail_allowed(request=self.request, email=email):
            password_reset_request(email=email)
        return redirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


@method_decorator(never_cache, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link from the mail: a new password twice, then signed in, on the person's landing
    page. A link used, expired or broken says so and offers a new one."""

    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    post_reset_login = True
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        super().form_valid(form)
        messages.success(self.request, _("Your new password is set, and you are signed in."))
        return redirect(landing_url(self.request.user))


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
