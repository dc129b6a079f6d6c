from django.urls import path

from departments import views
from tickets import views_absence

app_name = "departments"

urlpatterns = [
    path("", views.manage, name="manage"),
    path("techs/<int:tech_id>/absences/", views_absence.tech_absences, name="tech_absence_add"),
    path(
        "techs/<int:tech_id>/absences/<int:absence_id>/stop/",
        views_absence.tech_absence_stop,
        name="tech_absence_stop",
    ),
]
