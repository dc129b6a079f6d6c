from django.urls import path

from departments import views, views_techs

app_name = "departments"

urlpatterns = [
    path("", views.manage, name="manage"),
    path("techs/<int:tech_id>/", views_techs.tech_detail, name="tech_detail"),
    path(
        "techs/<int:tech_id>/memberships/",
        views_techs.tech_memberships,
        name="tech_memberships",
    ),
    path(
        "techs/<int:tech_id>/sign-ins.csv",
        views_techs.tech_sessions_csv,
        name="tech_sessions_csv",
    ),
]
