"""The manager area, at /manage/: the board, the activity feed, approvals, a tech's page."""

from django.urls import path

from tickets.views import absence
from tickets.views.manage import approvals, board, techs

app_name = "manage"

urlpatterns = [
    path("", board.manage, name="board"),
    path("approvals/", approvals.approvals_queue, name="approvals"),
    path(
        "approvals/replies/<int:message_id>/approve/",
        approvals.reply_approve,
        name="approvals_reply_approve",
    ),
    path(
        "approvals/replies/<int:message_id>/edit/",
        approvals.reply_edit_approve,
        name="approvals_reply_edit",
    ),
    path(
        "approvals/replies/<int:message_id>/reject/",
        approvals.reply_reject,
        name="approvals_reply_reject",
    ),
    path(
        "approvals/mails/<int:outbound_id>/approve/",
        approvals.mail_approve,
        name="approvals_mail_approve",
    ),
    path("activity/", board.activity, name="activity"),
    path("activity/seen/", board.activity_seen, name="activity_seen"),
    path("techs/<int:tech_id>/", techs.tech_detail, name="tech_detail"),
    path(
        "techs/<int:tech_id>/memberships/",
        techs.tech_memberships,
        name="tech_memberships",
    ),
    path(
        "techs/<int:tech_id>/sign-ins.csv",
        techs.tech_sessions_csv,
        name="tech_sessions_csv",
    ),
    path("techs/<int:tech_id>/absences/", absence.tech_absences, name="tech_absence_add"),
    path(
        "techs/<int:tech_id>/absences/<int:absence_id>/stop/",
        absence.tech_absence_stop,
        name="tech_absence_stop",
    ),
]
