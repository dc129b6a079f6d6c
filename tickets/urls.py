"""Ticket URLs span three areas people bookmark: the help centre, the customer area, the desk."""

from django.urls import path

from tickets.views import (
    absence,
    calls,
    customer,
    customer_list,
    customer_reset,
    desk,
    desk_customers,
    desk_mail,
    notifications,
    questionnaire,
    satisfaction,
    search,
    support,
    ticket,
)

app_name = "tickets"

urlpatterns = [
    # Help centre and secret links
    path("support/", support.support, name="support"),
    path("support/submitted/", support.submitted, name="submitted"),
    path("support/t/<str:token>/", support.ticket_by_token, name="ticket_by_token"),
    path(
        "support/t/<str:token>/files/<int:attachment_id>/",
        support.token_attachment,
        name="token_attachment",
    ),
    path(
        "support/t/<str:token>/messages/<int:message_id>/html/",
        support.token_message_html,
        name="token_message_html",
    ),
    path(
        "support/t/<str:token>/messages/<int:message_id>/body/",
        support.token_message_body,
        name="token_message_body",
    ),
    path("support/t/<str:token>/rate/", satisfaction.ticket_rate, name="ticket_rate"),
    path("support/t/<str:token>/surveys/", satisfaction.survey_opt_out, name="survey_opt_out"),
    path("support/<slug:slug>/", support.web_form, name="web_form"),
    # Customer area
    path("my/", customer.my_tickets, name="my_tickets"),
    path("my/search/", search.my_search, name="my_search"),
    path("my/t/<int:number>/", customer.my_ticket, name="my_ticket"),
    path("my/t/<int:number>/rate/", satisfaction.my_ticket_rate, name="my_ticket_rate"),
    path(
        "my/t/<int:number>/files/<int:attachment_id>/",
        customer.my_attachment,
        name="my_attachment",
    ),
    path(
        "my/t/<int:number>/messages/<int:message_id>/html/",
        customer.my_message_html,
        name="my_message_html",
    ),
    path(
        "my/t/<int:number>/messages/<int:message_id>/body/",
        customer.my_message_body,
        name="my_message_body",
    ),
    # A staff member's notifications
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/bell/", notifications.notification_bell, name="notification_bell"),
    path(
        "notifications/read/",
        notifications.notifications_read_all,
        name="notifications_read_all",
    ),
    path(
        "notifications/<int:notification_id>/open/",
        notifications.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        notifications.notification_read,
        name="notification_read",
    ),
    # Desk
    path("desk/", desk.desk, name="desk"),
    path("desk/next/", desk.ticket_next, name="desk_next"),
    path("desk/search/", search.desk_search, name="desk_search"),
    path("desk/new/", desk.ticket_new, name="desk_ticket_new"),
    path("desk/customers/", customer_list.customer_list, name="desk_customers"),
    path(
        "desk/customers/<int:customer_id>/",
        desk_customers.customer_detail,
        name="desk_customer",
    ),
    path(
        "desk/customers/<int:customer_id>/edit/",
        desk_customers.customer_edit,
        name="desk_customer_edit",
    ),
    path(
        "desk/customers/<int:customer_id>/addresses/add/",
        desk_customers.customer_email_add,
        name="desk_customer_email_add",
    ),
    path(
        "desk/customers/<int:customer_id>/addresses/remove/",
        desk_customers.customer_email_remove,
        name="desk_customer_email_remove",
    ),
    path(
        "desk/customers/<int:customer_id>/addresses/primary/",
        desk_customers.customer_email_primary,
        name="desk_customer_email_primary",
    ),
    path(
        "desk/customers/<int:customer_id>/merge/",
        desk_customers.customer_merge,
        name="desk_customer_merge",
    ),
    path(
        "desk/customers/<int:customer_id>/call/",
        desk_customers.customer_call_log,
        name="desk_customer_call",
    ),
    path(
        "desk/customers/<int:customer_id>/password-reset/",
        customer_reset.customer_password_reset,
        name="desk_customer_password_reset",
    ),
    path("desk/spam/", desk_mail.spam_list, name="desk_spam"),
    path("desk/handed-over/", absence.handed_over, name="desk_handed_over"),
    path("desk/handed-over/take-back/", absence.take_back, name="desk_take_back"),
    path(
        "desk/spam/<int:inbound_id>/release/",
        desk_mail.spam_release,
        name="desk_spam_release",
    ),
    path("desk/t/<int:number>/consult/", desk_mail.ticket_consult, name="desk_consult"),
    path("desk/t/<int:number>/spam/", desk_mail.ticket_mark_spam, name="desk_mark_spam"),
    path(
        "desk/t/<int:number>/messages/<int:message_id>/original/",
        desk_mail.message_original,
        name="desk_message_original",
    ),
    path("desk/t/<int:number>/", ticket.ticket_detail, name="desk_ticket"),
    path("desk/t/<int:number>/reply/", ticket.ticket_reply, name="desk_reply"),
    path(
        "desk/t/<int:number>/reply/insert/<int:response_id>/",
        desk.ticket_reply_insert,
        name="desk_reply_insert",
    ),
    path(
        "desk/t/<int:number>/reply/responses/",
        desk.ticket_reply_responses,
        name="desk_reply_responses",
    ),
    path("desk/t/<int:number>/transfer/", ticket.ticket_transfer, name="desk_transfer"),
    path("desk/t/<int:number>/call/", calls.ticket_call_log, name="desk_call_log"),
    path(
        "desk/t/<int:number>/transfer/techs/",
        ticket.transfer_techs,
        name="desk_transfer_techs",
    ),
    path("desk/t/<int:number>/status/", ticket.ticket_status, name="desk_status"),
    path("desk/t/<int:number>/properties/", ticket.ticket_properties, name="desk_properties"),
    path("desk/t/<int:number>/close/", questionnaire.ticket_close, name="desk_close"),
    path("desk/t/<int:number>/presence/", ticket.ticket_presence, name="desk_presence"),
    path(
        "desk/t/<int:number>/messages/<int:message_id>/approve/",
        ticket.reply_approve,
        name="desk_reply_approve",
    ),
    path(
        "desk/t/<int:number>/mail/<int:outbound_id>/approve/",
        ticket.mail_approve,
        name="desk_mail_approve",
    ),
    path(
        "desk/t/<int:number>/files/<int:attachment_id>/",
        ticket.desk_attachment,
        name="desk_attachment",
    ),
    path(
        "desk/t/<int:number>/messages/<int:message_id>/html/",
        ticket.desk_message_html,
        name="desk_message_html",
    ),
    path(
        "desk/t/<int:number>/messages/<int:message_id>/body/",
        ticket.desk_message_body,
        name="desk_message_body",
    ),
    path(
        "desk/t/<int:number>/messages/<int:message_id>/new-ticket/",
        desk.ticket_split,
        name="desk_ticket_split",
    ),
]
