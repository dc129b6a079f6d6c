"""The desk's mail pages: consulting another department, the original of a mail, spam."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import staff_required
from tickets import access, workflow
from tickets.forms_desk import ConsultForm
from tickets.mail.spam_verdicts import spam_verdict_change
from tickets.models import InboundEmail


def _page(number):
    return reverse("tickets:desk_ticket", args=[number])


@staff_required
@require_POST
def ticket_consult(request, number):
    ticket = access.ticket_for_staff(user=request.user, number=number)
    form = ConsultForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(_page(number))
    department = form.cleaned_data["department"]
    try:
        workflow.ticket_consult(
            ticket=ticket,
            tech=request.user,
            department=department,
            question=form.cleaned_data["question"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Question sent to %(department)s; the ticket waits for their answer.")
            % {"department": department.name},
        )
    return redirect(_page(number))


@staff_required
def message_original(request, number, message_id):
    """The mail a message came from, exactly as it arrived, as a download."""
    ticket = access.ticket_for_staff(user=request.user, number=number)
    inbound = InboundEmail.objects.filter(message_id=message_id, message__ticket=ticket).first()
    if inbound is None or not inbound.raw:
        raise Http404
    with inbound.raw.open("rb") as handle:
        raw = handle.read()
    response = HttpResponse(raw, content_type="message/rfc822")
    response["Content-Disposition"] = (
        f'attachment; filename="ticket-{ticket.number}-{message_id}.eml"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_required
@require_POST
def ticket_mark_spam(request, number):
    ticket = access.ticket_for_staff(user=request.user, number=number)
    inbound = ticket.inbound_emails.filter(status=InboundEmail.Status.TICKET).first()
    if inbound is None:
        raise Http404
    spam_verdict_change(inbound=inbound, is_spam=True, by=request.user)
    messages.success(request, _("Marked as spam; the filter has learned from it."))
    return redirect("tickets:desk")


@staff_required
def spam_list(request):
    mails = (
        access.spam_visible_to_staff(request.user)
        .select_related("mailbox")
        .order_by("-received_at")[:200]
    )
    return render(request, "tickets/desk_spam.html", {"mails": mails})


@staff_required
@require_POST
def spam_release(request, inbound_id):
    inbound = access.spam_for_staff(user=request.user, inbound_id=inbound_id)
    inbound = spam_verdict_change(inbound=inbound, is_spam=False, by=request.user)
    if inbound.ticket is not None:
        messages.success(
            request, _("Not spam: it is ticket %(tag)s now.") % {"tag": inbound.ticket.tag}
        )
    return redirect("tickets:desk_spam")
