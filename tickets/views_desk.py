"""The desk: staff pages. Queues and working a ticket arrive with the tech workspace; intake
gives techs the ticket page, entering tickets for customers, and splitting a message off."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.access import staff_required
from departments.selectors import departments_of
from tickets import access, selectors, services
from tickets.attachments import attachment_response
from tickets.forms import SplitTicketForm, StaffTicketForm


@staff_required
def desk(request):
    departments = list(departments_of(request.user).order_by("name"))
    return render(request, "tickets/desk.html", {"departments": departments})


@never_cache
@staff_required
def ticket_detail(request, number):
    ticket = access.ticket_for_staff(user=request.user, number=number)
    context = {
        "ticket": ticket,
        "thread": selectors.ticket_thread(ticket=ticket, public_only=False),
    }
    return render(request, "tickets/desk_ticket.html", context)


@staff_required
def desk_attachment(request, number, attachment_id):
    ticket = access.ticket_for_staff(user=request.user, number=number)
    attachment = access.attachment_of_ticket(
        ticket=ticket, attachment_id=attachment_id, public_only=False
    )
    return attachment_response(attachment, thumbnail=request.GET.get("thumbnail") == "1")


@staff_required
@require_http_methods(["GET", "POST"])
def ticket_new(request):
    if request.method == "POST":
        form = StaffTicketForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            ticket = services.ticket_create_for_customer(
                staff=request.user,
                email=data["email"],
                name=data["name"],
                phone=data["phone"],
                subject=data["subject"],
                body=data["message"],
                category=data["category"],
                department=data["department"],
                priority=data["priority"],
                source=data["source"],
                assign_to_me=data["assign_to_me"],
                send_confirmation=data["send_confirmation"],
                attachments=data["attachments"],
            )
            messages.success(request, _("Ticket %(tag)s created.") % {"tag": ticket.tag})
            return redirect("tickets:desk_ticket", number=ticket.number)
    else:
        form = StaffTicketForm()
        departments = departments_of(request.user)
        if departments.count() == 1:
            form.initial["department"] = departments.get()
    return render(request, "tickets/desk_ticket_new.html", {"form": form})


@staff_required
@require_http_methods(["GET", "POST"])
def ticket_split(request, number, message_id):
    origin = access.ticket_for_staff(user=request.user, number=number)
    message = access.message_for_staff(user=request.user, message_id=message_id)
    if message.ticket_id != origin.pk:
        return redirect("tickets:desk_ticket", number=origin.number)
    if request.method == "POST":
        form = SplitTicketForm(request.POST)
        if form.is_valid():
            ticket = services.ticket_create_from_message(
                staff=request.user,
                message=message,
                subject=form.cleaned_data["subject"],
                department=form.cleaned_data["department"],
                priority=form.cleaned_data["priority"],
                send_confirmation=form.cleaned_data["send_confirmation"],
            )
            messages.success(
                request,
                _("Ticket %(new)s created from a message of %(old)s.")
                % {"new": ticket.tag, "old": origin.tag},
            )
            return redirect("tickets:desk_ticket", number=ticket.number)
    else:
        form = SplitTicketForm(
            initial={
                "subject": origin.subject,
                "department": origin.department,
                "priority": origin.priority,
            }
        )
    return render(
        request,
        "tickets/desk_ticket_split.html",
        {"form": form, "origin": origin, "message": message},
    )
