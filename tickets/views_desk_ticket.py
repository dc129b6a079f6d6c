"""The ticket page of the desk and what a tech does there."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.absences import absent_now
from accounts.access import staff_required
from departments.models import Department
from responses.selectors import canned_responses_for
from tickets import access, presence, selectors, workflow
from tickets.attachments import attachment_response
from tickets.forms_desk import ReplyForm, StatusForm, TransferForm
from tickets.mail import outbox
from tickets.models import Message


def _page(number):
    return reverse("tickets:desk_ticket", args=[number])


def ticket_page_context(request, ticket, *, reply_form=None, transfer_form=None):
    user = request.user
    presence.presence_touch(ticket_id=ticket.pk, user=user)
    if reply_form is None:
        initial = {"internal": user.reply_as_note_by_default}
        reply_form = ReplyForm(initial=initial)
    return {
        "ticket": ticket,
        "thread": selectors.ticket_thread(ticket=ticket, public_only=False),
        "other_tickets": selectors.customer_other_tickets(ticket=ticket, user=user),
        "reply_form": reply_form,
        "transfer_form": transfer_form or TransferForm(),
        "owner_absence": absent_now([ticket.assignee_id]).get(ticket.assignee_id),
        "status_form": StatusForm(initial={"status": ticket.status_id}),
        "supervisor": access.supervises_ticket(user=user, ticket=ticket),
        # Only mail of tickets staff entered waits for approval: other pages skip the query.
        "held_mails": outbox.mails_awaiting_approval(ticket=ticket) if ticket.created_by_id else [],
        "others": presence.presence_others(ticket_id=ticket.pk, user=user),
        "responses": canned_responses_for(user=user, department=ticket.department)[:20],
        "page_url": _page(ticket.number),
        "poll_seconds": presence.POLL_SECONDS,
        "consult_departments": Department.objects.filter(is_active=True)
        .exclude(consultation_email="")
        .exclude(pk=ticket.department_id),
    }


@never_cache
@staff_required
def ticket_detail(request, number):
    """Opening a general-pool ticket takes it (managers and admins may look with ?peek=1)."""
    ticket = access.ticket_for_staff(user=request.user, number=number)
    peek = request.GET.get("peek") and access.supervises_ticket(user=request.user, ticket=ticket)
    if not peek:
        result = workflow.ticket_claim_on_open(ticket=ticket, tech=request.user)
        if result.taken_by is not None:
            messages.warning(
                request,
                _("%(name)s took %(tag)s a moment ago; it is in their pool now.")
                % {"name": result.taken_by.full_name, "tag": ticket.tag},
            )
            return redirect(reverse("tickets:desk") + "?queue=general")
        if result.claimed:
            messages.success(request, _("%(tag)s is now in your pool.") % {"tag": ticket.tag})
            ticket = access.ticket_for_staff(user=request.user, number=number)
    return render(request, "tickets/desk_ticket.html", ticket_page_context(request, ticket))


@staff_required
@require_POST
def ticket_reply(request, number):
    ticket = access.ticket_for_staff(user=request.user, number=number)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            message = workflow.ticket_reply(
                ticket=ticket,
                tech=request.user,
                body=data["body"],
                internal=data["internal"],
                attachments=data["attachments"],
                then_status=data["then"],
            )
        except ValidationError as error:
            form.add_error("body", error)
        else:
            messages.success(request, _reply_confirmation(message, data["then"]))
            return redirect(_page(ticket.number))
    context = ticket_page_context(request, ticket, reply_form=form)
    return render(request, "tickets/desk_ticket.html", context, status=400)


def _reply_confirmation(message: Message, then: str) -> str:
    if message.kind == Message.Kind.NOTE:
        return _("Internal note added.")
    if message.awaiting_approval:
        return _("Your reply waits for a manager's approval before it is sent.")
    if then == "pending":
        return _("Reply sent; the ticket waits for the customer.")
    if then == "closed":
        return _("Reply sent and the ticket closed.")
    return _("Reply sent.")


@staff_required
@require_POST
def ticket_transfer(request, number):
    ticket = access.ticket_for_staff(user=request.user, number=number)
    form = TransferForm(request.POST)
    if form.is_valid():
        try:
            ticket = workflow.ticket_transfer(
                ticket=ticket,
                by=request.user,
                to_department=form.cleaned_data["department"],
                to_tech=form.cleaned_data["tech"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error("tech", error)
        else:
            messages.success(request, _("%(tag)s transferred.") % {"tag": ticket.tag})
            return redirect("tickets:desk")
    context = ticket_page_context(request, ticket, transfer_form=form)
    return render(request, "tickets/desk_ticket.html", context, status=400)


@staff_required
@require_POST
def ticket_status(request, number):
    ticket = access.ticket_for_staff(user=request.user, number=number)
    form = StatusForm(request.POST)
    if form.is_valid():
        workflow.ticket_status_change(
            ticket=ticket, author=request.user, status=form.cleaned_data["status"]
        )
        messages.success(request, _("Status changed."))
    else:
        messages.error(request, _("Choose one of the statuses in the list."))
    return redirect(_page(ticket.number))


@staff_required
@require_POST
def reply_approve(request, number, message_id):
    ticket = access.ticket_for_supervisor(user=request.user, number=number)
    message = access.message_for_staff(user=request.user, message_id=message_id)
    if message.ticket_id != ticket.pk:
        raise Http404
    workflow.reply_approve(message=message, manager=request.user)
    messages.success(request, _("Reply approved and sent."))
    return redirect(_page(ticket.number))


@staff_required
@require_POST
def mail_approve(request, number, outbound_id):
    """A manager lets a trainee's held mail (a new ticket's confirmation) go."""
    ticket = access.ticket_for_supervisor(user=request.user, number=number)
    outbound = access.outbound_of_ticket(ticket=ticket, outbound_id=outbound_id)
    outbox.outbox_approve(outbound=outbound, manager=request.user)
    messages.success(request, _("Mail approved; it is on its way."))
    return redirect(_page(ticket.number))


@never_cache
@staff_required
def ticket_presence(request, number):
    """Polled by the ticket page; POST means "I am writing a reply"."""
    ticket = access.ticket_for_staff(user=request.user, number=number)
    presence.presence_touch(ticket_id=ticket.pk, user=request.user, typing=request.method == "POST")
    context = {
        "ticket": ticket,
        "others": presence.presence_others(ticket_id=ticket.pk, user=request.user),
        "page_url": _page(ticket.number),
        "poll_seconds": presence.POLL_SECONDS,
    }
    return render(request, "tickets/desk_ticket.html#presence", context)


@staff_required
def desk_attachment(request, number, attachment_id):
    ticket = access.ticket_for_staff(user=request.user, number=number)
    attachment = access.attachment_of_ticket(
        ticket=ticket, attachment_id=attachment_id, public_only=False
    )
    return attachment_response(attachment, thumbnail=request.GET.get("thumbnail") == "1")
