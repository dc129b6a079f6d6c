"""Ticket URLs span three areas people bookmark: the help centre, the customer area, the desk."""

from django.urls import path

from tickets import views

app_name = "tickets"

urlpatterns = [
    path("support/", views.support, name="support"),
    path("my/", views.my_tickets, name="my_tickets"),
    path("desk/", views.desk, name="desk"),
]
