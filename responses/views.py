"""The canned-response picker beside the reply box, and inserting a response into a reply."""

from urllib.parse import urlencode

from django.core.exceptions import BadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.access import staff_required
from responses.forms import PickerSearchForm
from responses.selectors import canned_responses_for
from responses.services import canned_response_use
from tickets.access import ticket_for_staff

# The picker is a short list to click from; searching finds the rest.
PICKER_LIMIT = 20


def _reply_with_response(current: str, response_text: str) -> str:
    """The reply the tech was writing, a blank line, then the inserted response."""
    current = current.rstrip()
    if not current:
        return response_text
    return f"{current}\n\n{response_text}"


@staff_required
@require_GET
@vary_on_headers("HX-Request")
def picker(request, number):
    ticket = ticket_for_staff(user=request.user, number=number)
    search = PickerSearchForm(request.GET)
    if not search.is_valid():
        raise BadRequest("The search holds characters no response can contain.")
    query = search.cleaned_data["q"]
    responses = canned_responses_for(user=request.user, department=ticket.department, query=query)
    context = {"ticket": ticket, "responses": responses[:PICKER_LIMIT], "query": query}
    template = "responses/picker.html"
    if request.htmx:
        template += "#response-list"
    return render(request, template, context)


@staff_required
@require_POST
def use(request, number, response_id):
    ticket = ticket_for_staff(user=request.user, number=number)
    text = canned_response_use(response_id=response_id, ticket=ticket, tech=request.user)
    body = _reply_with_response(request.POST.get("body", ""), text)
    if request.htmx:
        return render(request, "responses/reply_body.html", {"body": body, "focus": True})
    # Without JavaScript the ticket page fills its reply box from ?body=.
    url = reverse("tickets:desk_ticket", args=[ticket.number])
    return redirect(f"{url}?{urlencode({'body': body})}")
