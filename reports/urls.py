from django.urls import path

from reports.views import overview

app_name = "reports"

urlpatterns = [
    path("", overview.index, name="index"),
]
