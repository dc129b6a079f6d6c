from django.urls import path

from accounts import views, views_password_reset, views_signup
from tickets.views import absence

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="sign_in"),
    path("logout/", views.sign_out, name="sign_out"),
    path("preferences/", views.preferences, name="preferences"),
    # No id in the path: each person can only ever fetch their own image.
    path("preferences/signature.jpg", views.signature_image, name="signature_image"),
    path("absence/", absence.my_absences, name="absence"),
    path("absence/<int:absence_id>/stop/", absence.my_absence_stop, name="absence_stop"),
    # Forgot your password? (Django's views, our templates, the mail through the outbox.)
    path(
        "password-reset/",
        views_password_reset.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        views_password_reset.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<str:uidb64>/<str:token>/",
        views_password_reset.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        views_password_reset.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # Sign-up from the help centre, while CUSTOMER_SIGNUP is on.
    path("signup/", views_signup.signup, name="signup"),
    path("signup/sent/", views_signup.signup_done, name="signup_done"),
    path(
        "signup/confirm/<str:uidb64>/<str:token>/",
        views_signup.signup_confirm_view,
        name="signup_confirm",
    ),
]
