"""Logging a phone call on the desk's ticket page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import staff_required
from tickets import access, calls, message_html, selectors
from tickets.forms_calls import CallForm
from tickets.sla.marks import clock_marks_attach
from tickets.views.ticket import ticket_page_context


def _page(number: int) -> str:
    return reverse("tickets:desk_ticket", args=[number])


@staff_required
@require_POST
def ticket_call_log(request, number):
    """Without JavaScript: back to the ticket page, or the page with the form's errors. With
    htmx: the call card's form again (fresh, or with its errors) and the thread out of band."""
    ticket = access.ticket_for_staff(user=request.user, number=number)
    form = CallForm(request.POST)
    logged = None
    if form.is_valid():
        try:
            logged = calls.call_log(ticket=ticket, tech=request.user, details=form.details())
        except ValidationError as error:
            form.add_error(None, error)
    if logged is not None and not request.htmx:
        messages.success(request, _("Phone call logged."))
        return redirect(_page(ticket.number))
    if request.htmx:
        context = {
            "ticket": ticket,
            "page_url": _page(ticket.number),
            "call_form": CallForm() if logged else form,
            "call_logged": logged,
        }
        if logged:
            # The header's SLA mark follows at once: a reached call may have stopped a clock.
            ticket = access.ticket_for_staff(user=request.user, number=number)
            clock_marks_attach([ticket])
            context.update(
                ticket=ticket,
                thread=selectors.ticket_thread(ticket=ticket, public_only=False),
                thread_oob=True,
                supervisor=access.supervises_ticket(user=request.user, ticket=ticket),
                remote_images_for=message_html.remote_images_message_id(request),
            )
        return render(request, "tickets/desk_ticket.html#call-log", context)
    context = ticket_page_context(request, ticket, call_form=form)
    return render(request, "tickets/desk_ticket.html", context, status=400)
