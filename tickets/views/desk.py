"""The desk: queues, get next, entering tickets for customers, splitting a message, and
searching and inserting canned responses without JavaScript."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.absences import absence_current, absent_now
from accounts.access import staff_required
from departments.selectors import departments_of
from responses.forms import PickerSearchForm, posted_caret
from responses.services import canned_response_use, reply_with_response
from tickets import access, handover, queues, selectors, services, workflow
from tickets.forms_desk import QueueFilterForm, ReplyForm, SplitTicketForm, StaffTicketForm
from tickets.sla.marks import clock_marks_attach
from tickets.views.questionnaire import posted_questionnaire
from tickets.views.ticket import reply_moment, ticket_page_context

HANDED_OVER_BOX_ROWS = 5


@staff_required
def desk(request):
    user = request.user
    available = queues.queues_for(user)
    queue = request.GET.get("queue", queues.DEFAULT_QUEUE)
    if queue not in available:
        queue = queues.DEFAULT_QUEUE
    filter_form = QueueFilterForm(request.GET or None, departments=queues.queue_departments(user))
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
    # One query marks the absent owners of the page's rows and says whether the viewer is away.
    owner_ids = {t.assignee_id for t in page.tickets} if queue == "team" else set()
    absent = absent_now({user.pk, *owner_ids})
    handed_over_box = list(handover.handed_over_waiting(user)[: HANDED_OVER_BOX_ROWS + 1])
    clock_marks_attach(row.ticket for row in handed_over_box)
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
        "absent": absent,
        "my_absence": absent.get(user.pk),
        "handed_over_box": handed_over_box[:HANDED_OVER_BOX_ROWS],
        "handed_over_more": len(handed_over_box) > HANDED_OVER_BOX_ROWS,
    }
    template = "tickets/desk.html"
    if request.htmx:
        template += "#desk-body"
    return render(request, template, context)


@staff_required
@require_POST
def ticket_next(request):
    ticket = workflow.ticket_next_for(tech=request.user)
    if ticket is None and absence_current(request.user) is not None:
        messages.info(
            request,
            _("You are recorded as absent: “Get next” hands you nothing until you are back."),
        )
        return redirect("tickets:desk")
    if ticket is None:
        messages.info(request, _("Nothing is waiting in your departments' general pools."))
        return redirect("tickets:desk")
    messages.success(request, _("%(tag)s is now in your pool.") % {"tag": ticket.tag})
    return redirect(reverse("tickets:desk_ticket", args=[ticket.number]))


@staff_required
@require_http_methods(["GET", "POST"])
def ticket_new(request):
    for_customer = None
    if request.method == "POST":
        form = StaffTicketForm(request.POST, request.FILES, staff=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
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
            except ValidationError as error:  # e.g. the membership ended since the form loaded
                form.add_error(None, error)
            else:
                if not access.staff_may_see(user=request.user, ticket=ticket):
                    # Created for a department or pool this tech does not see: say where it went.
                    messages.success(
                        request,
                        _("Ticket %(tag)s created; it went to %(where)s.")
                        % {"tag": ticket.tag, "where": access.whereabouts(ticket)},
                    )
                    return redirect("tickets:desk")
                messages.success(request, _("Ticket %(tag)s created.") % {"tag": ticket.tag})
                return redirect("tickets:desk_ticket", number=ticket.number)
    else:
        form = StaffTicketForm(staff=request.user)
        departments = departments_of(request.user)
        if departments.count() == 1:
            form.initial["department"] = departments.get()
        for_customer = _customer_to_prefill(request)
        if for_customer is not None:
            form.initial.update(
                email=for_customer.primary_email,
                name=for_customer.name,
                phone=for_customer.phone,
            )
    return render(
        request, "tickets/desk_ticket_new.html", {"form": form, "for_customer": for_customer}
    )


def _customer_to_prefill(request):
    """ "New ticket for this customer" (their page's link, ?customer=<id>): the customer, when
    the tech may open their page; anything else is ignored and the form starts empty."""
    customer_id = queues.id_from_query(request.GET.get("customer", ""))
    if customer_id is None:
        return None
    try:
        customer = access.customer_for_staff(user=request.user, customer_id=customer_id)
    except Http404:
        return None
    addresses = list(customer.emails.all())
    primary = next((a for a in addresses if a.is_primary), addresses[0] if addresses else None)
    customer.primary_email = primary.email if primary else ""
    return customer


@staff_required
@require_http_methods(["GET", "POST"])
def ticket_split(request, number, message_id):
    origin = access.ticket_for_staff(user=request.user, number=number)
    message = access.message_for_staff(user=request.user, message_id=message_id)
    if message.ticket_id != origin.pk:
        return redirect("tickets:desk_ticket", number=origin.number)
    if request.method == "POST":
        form = SplitTicketForm(request.POST, staff=request.user)
        if form.is_valid():
            try:
                ticket = services.ticket_create_from_message(
                    staff=request.user,
                    message=message,
                    subject=form.cleaned_data["subject"],
                    department=form.cleaned_data["department"],
                    priority=form.cleaned_data["priority"],
                    send_confirmation=form.cleaned_data["send_confirmation"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Ticket %(new)s created from a message of %(old)s.")
                    % {"new": ticket.tag, "old": origin.tag},
                )
                return redirect("tickets:desk_ticket", number=ticket.number)
    else:
        form = SplitTicketForm(
            staff=request.user,
            initial={
                "subject": origin.subject,
                "department": origin.department,
                "priority": origin.priority,
            },
        )
    return render(
        request,
        "tickets/desk_ticket_split.html",
        {"form": form, "origin": origin, "message": message},
    )


@never_cache
@staff_required
@require_POST
def ticket_reply_insert(request, number, response_id):
    """Without JavaScript, a canned response's button submits the reply form here: the ticket
    page comes back (200) with the draft and the response in the reply box. The draft travels
    only in the POST body; in a URL it would be cut off past the servers' URL limits and
    written into every access log."""
    ticket = access.ticket_for_staff(user=request.user, number=number)
    text = canned_response_use(response_id=response_id, ticket=ticket, tech=request.user)
    body = reply_with_response(request.POST.get("body", ""), text, caret=posted_caret(request.POST))
    return _reply_box_again(request, ticket, body=body)


@never_cache
@staff_required
@require_POST
def ticket_reply_responses(request, number):
    """Without JavaScript, the picker's Search button (and Enter in its field) submits the
    reply form here: the ticket page comes back with the draft as it was and the picker's list
    narrowed to the search. Nothing is sent."""
    ticket = access.ticket_for_staff(user=request.user, number=number)
    search = PickerSearchForm(request.POST)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    return _reply_box_again(request, ticket, body=request.POST.get("body", ""), query=query)


def _reply_box_again(request, ticket, *, body, query=None):
    """The ticket page with the reply box as the tech left it (text, note switch, questionnaire
    answers) around `body`, and the picker open."""
    from_reply_form = "body" in request.POST  # else the picker's own page, with no draft
    internal = (
        bool(request.POST.get("internal"))
        if from_reply_form
        else request.user.reply_as_note_by_default
    )
    form = ReplyForm(initial={"body": body.replace("\r\n", "\n"), "internal": internal})
    questionnaire, moment = None, ""
    if from_reply_form:
        moment = reply_moment(ticket, {"then": "", "internal": internal}) or ""
        if moment:
            questionnaire = posted_questionnaire(request, ticket=ticket, moment=moment)
    if query is None:
        query = request.POST.get("q", "")
        query = query if PickerSearchForm({"q": query}).is_valid() else ""
    context = ticket_page_context(
        request,
        ticket,
        reply_form=form,
        reply_questionnaire=questionnaire,
        moment=moment,
        picker_query=query,
        picker_open=True,
    )
    return render(request, "tickets/desk_ticket.html", context)


def _count_label(count: int) -> str:
    return f"{queues.COUNT_CAP}+" if count > queues.COUNT_CAP else str(count)
