from django.urls import path

from departments import views

app_name = "departments"

urlpatterns = [
    path("", views.manage, name="manage"),
    path("activity/", views.activity, name="activity"),
    path("activity/seen/", views.activity_seen, name="activity_seen"),
]
