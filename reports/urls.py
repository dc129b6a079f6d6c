from django.urls import path

from reports.views import cases, overview, sign_ins

app_name = "reports"

urlpatterns = [
    path("", overview.index, name="index"),
    path("export/<slug:table>.csv", overview.table_csv, name="table_csv"),
    path("cases/<slug:metric>/", cases.cases, name="cases"),
    path("cases/<slug:metric>.csv", cases.cases_csv, name="cases_csv"),
    path("sign-ins/", sign_ins.sign_ins, name="sign_ins"),
    path("sign-ins/sessions.csv", sign_ins.sessions_csv, name="sign_ins_sessions_csv"),
    path("sign-ins/hours.csv", sign_ins.hours_csv, name="sign_ins_hours_csv"),
]
