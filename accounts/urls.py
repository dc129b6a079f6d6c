from django.urls import path

from accounts import views
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
]
