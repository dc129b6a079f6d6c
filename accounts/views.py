from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import staff_required
from accounts.forms import SignInForm, TechPreferencesForm
from accounts.forms_notifications import SECTION as NOTIFICATIONS_SECTION
from accounts.forms_notifications import NotificationPreferencesForm
from accounts.navigation import landing_url
from accounts.preferences import tech_preferences_update
from accounts.sign_in_throttle import device_cookie_set, throttle_of
from accounts.signatures import signature_image_response


def home(request):
    return redirect(landing_url(request.user))


class SignInView(LoginView):
    """The sign-in page. An attempt the throttle refused answers 429 with the wait; a browser
    that signs in gets the device cookie that keeps it clear of the account's throttle."""

    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        device_cookie_set(request=self.request, response=response, email=form.get_user().email)
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        throttle = throttle_of(self.request)
        if throttle is not None:
            response.status_code = 429
            response["Retry-After"] = str(throttle.seconds_left)
        return response


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def sign_out(request):
    """GET asks for confirmation (a link never signs anyone out); POST signs out."""
    if request.method == "POST":
        if request.user.is_authenticated:
            logout(request)
            messages.success(request, _("You have signed out."))
        return redirect("accounts:sign_in")
    if not request.user.is_authenticated:
        return redirect("accounts:sign_in")
    return render(request, "accounts/sign_out.html")


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    user = request.user
    notification_form = NotificationPreferencesForm(user=user)
    if request.method == "POST" and request.POST.get("section") == NOTIFICATIONS_SECTION:
        form = TechPreferencesForm(user=user)
        notification_form = NotificationPreferencesForm(request.POST, user=user)
        if notification_form.is_valid():
            notification_form.save()
            messages.success(request, _("Your notification choices are saved."))
            return redirect(reverse("accounts:preferences") + "#notification-preferences")
    elif request.method == "POST":
        form = TechPreferencesForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            data = form.cleaned_data
            tech_preferences_update(
                user=user,
                reply_as_note_by_default=data["reply_as_note_by_default"],
                signature_text=data["signature_text"],
                signature_image=data["signature_image"],
                remove_image=data.get("remove_image", False),
                monthly_summary=data.get("monthly_summary"),  # None: not offered
            )
            messages.success(request, _("Your preferences are saved."))
            return redirect("accounts:preferences")
    else:
        form = TechPreferencesForm(user=user)
    return render(
        request,
        "accounts/preferences.html",
        {"form": form, "notification_form": notification_form},
    )


@staff_required
@require_GET
def signature_image(request):
    return signature_image_response(user=request.user)
