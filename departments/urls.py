from django.urls import path

from departments import views, views_approvals, views_techs
from tickets import views_absence

app_name = "departments"

urlpatterns = [
    path("", views.manage, name="manage"),
    path("approvals/", views_approvals.approvals_queue, name="approvals"),
    path(
        "approvals/replies/<int:message_id>/approve/",
        views_approvals.reply_approve,
        name="approvals_reply_approve",
    ),
    path(
        "approvals/replies/<int:message_id>/edit/",
        views_approvals.reply_edit_approve,
        name="approvals_reply_edit",
    ),
    path(
        "approvals/replies/<int:message_id>/reject/",
        views_approvals.reply_reject,
        name="approvals_reply_reject",
    ),
    path(
        "approvals/mails/<int:outbound_id>/approve/",
        views_approvals.mail_approve,
        name="approvals_mail_approve",
    ),
    path("activity/", views.activity, name="activity"),
    path("activity/seen/", views.activity_seen, name="activity_seen"),
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
    path("techs/<int:tech_id>/absences/", views_absence.tech_absences, name="tech_absence_add"),
    path(
        "techs/<int:tech_id>/absences/<int:absence_id>/stop/",
        views_absence.tech_absence_stop,
        name="tech_absence_stop",
    ),
]
