from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="sign_in"),
    path("logout/", views.sign_out, name="sign_out"),
]
