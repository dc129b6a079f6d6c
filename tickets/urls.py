"""Ticket URLs span three areas people bookmark: the help centre, the customer area, the desk."""

from django.urls import path

from tickets import (
    views_absence,
    views_customer,
    views_desk,
    views_desk_mail,
    views_desk_questionnaire,
    views_desk_ticket,
    views_notifications,
    views_support,
)

app_name = "tickets"

urlpatterns = [
    # Help centre and secret links
    path("support/", views_support.support, name="support"),
    path("support/submitted/", views_support.submitted, name="submitted"),
    path("support/t/<str:token>/", views_support.ticket_by_token, name="ticket_by_token"),
    path(
        "support/t/<str:token>/files/<int:attachment_id>/",
        views_support.token_attachment,
        name="token_attachment",
    ),
    path("support/<slug:slug>/", views_support.web_form, name="web_form"),
    # Customer area
    path("my/", views_customer.my_tickets, name="my_tickets"),
    path("my/t/<int:number>/", views_customer.my_ticket, name="my_ticket"),
    path(
        "my/t/<int:number>/files/<int:attachment_id>/",
        views_customer.my_attachment,
        name="my_attachment",
    ),
    # A staff member's notifications
    path("notifications/", views_notifications.notifications, name="notifications"),
    path("notifications/bell/", views_notifications.notification_bell, name="notification_bell"),
    path(
        "notifications/read/",
        views_notifications.notifications_read_all,
        name="notifications_read_all",
    ),
    path(
        "notifications/<int:notification_id>/open/",
        views_notifications.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        views_notifications.notification_read,
        name="notification_read",
    ),
    # Desk
    path("desk/", views_desk.desk, name="desk"),
    path("desk/next/", views_desk.ticket_next, name="desk_next"),
    path("desk/new/", views_desk.ticket_new, name="desk_ticket_new"),
    path("desk/customers/<int:customer_id>/", views_desk.customer_detail, name="desk_customer"),
    path("desk/spam/", views_desk_mail.spam_list, name="desk_spam"),
    path("desk/handed-over/", views_absence.handed_over, name="desk_handed_over"),
    path("desk/handed-over/take-back/", views_absence.take_back, name="desk_take_back"),
    path(
        "desk/spam/<int:inbound_id>/release/",
        views_desk_mail.spam_release,
        name="desk_spam_release",
    ),
    path("desk/t/<int:number>/consult/", views_desk_mail.ticket_consult, name="desk_consult"),
    path("desk/t/<int:number>/spam/", views_desk_mail.ticket_mark_spam, name="desk_mark_spam"),
    path(
        "desk/t/<int:number>/messages/<int:message_id>/original/",
        views_desk_mail.message_original,
        name="desk_message_original",
    ),
    path("desk/t/<int:number>/", views_desk_ticket.ticket_detail, name="desk_ticket"),
    path("desk/t/<int:number>/reply/", views_desk_ticket.ticket_reply, name="desk_reply"),
    path(
        "desk/t/<int:number>/reply/insert/<int:response_id>/",
        views_desk.ticket_reply_insert,
        name="desk_reply_insert",
    ),
    path("desk/t/<int:number>/transfer/", views_desk_ticket.ticket_transfer, name="desk_transfer"),
    path("desk/t/<int:number>/status/", views_desk_ticket.ticket_status, name="desk_status"),
    path("desk/t/<int:number>/close/", views_desk_questionnaire.ticket_close, name="desk_close"),
    path("desk/t/<int:number>/presence/", views_desk_ticket.ticket_presence, name="desk_presence"),
    path(
        "desk/t/<int:number>/messages/<int:message_id>/approve/",
        views_desk_ticket.reply_approve,
        name="desk_reply_approve",
    ),
    path(
        "desk/t/<int:number>/mail/<int:outbound_id>/approve/",
        views_desk_ticket.mail_approve,
        name="desk_mail_approve",
    ),
    path(
        "desk/t/<int:number>/files/<int:attachment_id>/",
        views_desk_ticket.desk_attachment,
        name="desk_attachment",
    ),
    path(
        "desk/t/<int:number>/messages/<int:message_id>/new-ticket/",
        views_desk.ticket_split,
        name="desk_ticket_split",
    ),
]
