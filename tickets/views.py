"""The ticket areas. Until intake and the workspace land, each page says plainly what is coming."""

from django.shortcuts import render

from accounts.access import customer_required, staff_required
from departments.selectors import departments_of


def support(request):
    return render(request, "tickets/support.html")


@customer_required
def my_tickets(request):
    return render(request, "tickets/my_tickets.html")


@staff_required
def desk(request):
    departments = list(departments_of(request.user).order_by("name"))
    return render(request, "tickets/desk.html", {"departments": departments})
