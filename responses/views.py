"""The canned-response picker inside the reply box, and inserting a response into a reply."""

from django.core.exceptions import BadRequest
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.access import staff_required
from responses.forms import PickerSearchForm, posted_caret
from responses.selectors import PICKER_LIMIT, canned_responses_for
from responses.services import canned_response_use, reply_with_response_at
from tickets.access import ticket_for_staff


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
        # The list inside the ticket page's reply box: its buttons belong to the reply form.
        template += "#response-list"
        context["in_reply_box"] = True
    return render(request, template, context)


@staff_required
@require_POST
def use(request, number, response_id):
    """With htmx: the reply box with the response inserted at the cursor (`caret`, sent by the
    page's script) or appended. Without JavaScript the picker posts
    the reply form to the ticket page's own insert view (tickets:desk_reply_insert); a plain
    post that still arrives here is passed on there with its body (307 keeps method and body),
    so the draft never travels in a URL."""
    ticket = ticket_for_staff(user=request.user, number=number)
    if not request.htmx:
        return HttpResponseRedirect(
            reverse("tickets:desk_reply_insert", args=[ticket.number, response_id]), status=307
        )
    text = canned_response_use(response_id=response_id, ticket=ticket, tech=request.user)
    reply = reply_with_response_at(
        request.POST.get("body", ""), text, caret=posted_caret(request.POST)
    )
    context = {"body": reply.body, "caret": reply.caret, "focus": True}
    return render(request, "responses/reply_body.html", context)
