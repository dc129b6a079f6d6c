from django.urls import path

from reports.views import cases, overview

app_name = "reports"

urlpatterns = [
    path("", overview.index, name="index"),
    path("export/<slug:table>.csv", overview.table_csv, name="table_csv"),
    path("cases/<slug:metric>/", cases.cases, name="cases"),
    path("cases/<slug:metric>.csv", cases.cases_csv, name="cases_csv"),
]
