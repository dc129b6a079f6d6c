"""The desk: queues, get next, entering tickets for customers, splitting a message, and the
customer's page."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import staff_required
from accounts.models import Customer
from departments.models import Department
from departments.selectors import departments_of
from tickets import access, queues, selectors, services, workflow
from tickets.forms import SplitTicketForm, StaffTicketForm
from tickets.forms_desk import QueueFilterForm


def _queue_departments(user):
    if user.is_superuser:
        return Department.objects.filter(is_active=True)
    return Department.objects.filter(is_active=True, memberships__user=user).distinct()


@staff_required
def desk(request):
    user = request.user
    available = queues.queues_for(user)
    queue = request.GET.get("queue", queues.DEFAULT_QUEUE)
    if queue not in available:
        queue = queues.DEFAULT_QUEUE
    filter_form = QueueFilterForm(request.GET or None, departments=_queue_departments(user))
    owner_id = None
    owners = []
    if queue == "team":
        owners = selectors.team_owners(user=user)
        # Like every filter, an owner that is not a valid id is ignored.
        owner_id = queues.id_from_query(request.GET.get("owner", ""))
    page = queues.queue_page(
        user=user,
        queue=queue,
        filters=filter_form.filters(owner_id=owner_id),
        cursor=request.GET.get("cursor", ""),
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    counts = queues.queue_counts(user=user)
    context = {
        "queue": queue,
        "queue_label": queues.QUEUES[queue],
        "queue_tabs": [
            (name, queues.QUEUES[name], _count_label(counts[name])) for name in available
        ],
        "page": page,
        "filter_form": filter_form,
        "owners": owners,
        "owner_id": owner_id,
        "query": query.urlencode(),
        "refresh_url": request.get_full_path(),
    }
    template = "tickets/desk.html"
    if request.htmx:
        template += "#desk-body"
    return render(request, template, context)


@staff_required
@require_POST
def ticket_next(request):
    ticket = workflow.ticket_next_for(tech=request.user)
    if ticket is None:
        messages.info(request, _("Nothing is waiting in your departments' general pools."))
        return redirect("tickets:desk")
    messages.success(request, _("%(tag)s is now in your pool.") % {"tag": ticket.tag})
    return redirect(reverse("tickets:desk_ticket", args=[ticket.number]))


@staff_required
def customer_detail(request, customer_id):
    customer = get_object_or_404(
        Customer.objects.select_related("account_manager", "user").prefetch_related("emails"),
        pk=customer_id,
    )
    tickets, hidden = selectors.customer_tickets_for_staff(customer=customer, user=request.user)
    return render(
        request,
        "tickets/desk_customer.html",
        {"customer": customer, "tickets": tickets, "hidden_count": hidden},
    )


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


def _count_label(count: int) -> str:
    return f"{queues.COUNT_CAP}+" if count > queues.COUNT_CAP else str(count)
