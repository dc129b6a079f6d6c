"""Ticket URLs span three areas people bookmark: the help centre, the customer area, the desk."""

from django.urls import path

from tickets import views_customer, views_desk, views_support

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
    # Desk
    path("desk/", views_desk.desk, name="desk"),
    path("desk/new/", views_desk.ticket_new, name="desk_ticket_new"),
    path("desk/t/<int:number>/", views_desk.ticket_detail, name="desk_ticket"),
    path(
        "desk/t/<int:number>/files/<int:attachment_id>/",
        views_desk.desk_attachment,
        name="desk_attachment",
    ),
    path(
        "desk/t/<int:number>/messages/<int:message_id>/new-ticket/",
        views_desk.ticket_split,
        name="desk_ticket_split",
    ),
]
