from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from accounts.forms import SignInForm
from accounts.navigation import landing_url


def home(request):
    return redirect(landing_url(request.user))


class SignInView(LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


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
