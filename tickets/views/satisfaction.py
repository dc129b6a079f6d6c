"""The customer's satisfaction pages: rating a closed case (from the survey mail's links, the
secret-link ticket page and the customer area's ticket page) and asking for no more surveys.

A link in the survey mail opens the rating page with its mark chosen; opening it records
nothing, because mail scanners fetch every link in a mail. The page's form carries
`data-auto-submit` and static/js/helpdesk.js sends it at once, so for the customer one click in
the mail records the mark; without JavaScript they press the one button. After saving, the same
card thanks them and offers a comment or another mark while the change window is open
(tickets/satisfaction.py)."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.access import customer_required
from tickets import access, satisfaction
from tickets.forms import RatingForm, SurveyChoiceForm
from tickets.rate_limits import intake_rate_limited, too_many_requests

# A mark id in a link: digits, and no more of them than any id needs.
MARK_ID_MAX_DIGITS = 9
RATE_TEMPLATE = "tickets/rate.html"
# After saving without JavaScript, the page the customer is sent back to says thank you.
RATED_PARAMETER = "rated"


@dataclass(frozen=True)
class RatingUrls:
    """Where the card posts to, the ticket page it belongs to, and (through the secret link
    only) the survey opt-out page."""

    rate: str
    ticket: str
    opt_out: str = ""


@never_cache
@require_http_methods(["GET", "POST"])
def ticket_rate(request, token):
    ticket = access.ticket_for_token(token=token)
    urls = RatingUrls(
        rate=reverse("tickets:ticket_rate", args=[token]),
        ticket=reverse("tickets:ticket_by_token", args=[token]),
        opt_out=reverse("tickets:survey_opt_out", args=[token]),
    )
    return rating_page(request, ticket=ticket, author=None, urls=urls)


@never_cache
@customer_required
@require_http_methods(["GET", "POST"])
def my_ticket_rate(request, number):
    ticket = access.ticket_for_customer(user=request.user, number=number)
    urls = RatingUrls(
        rate=reverse("tickets:my_ticket_rate", args=[number]),
        ticket=reverse("tickets:my_ticket", args=[number]),
    )
    return rating_page(request, ticket=ticket, author=request.user, urls=urls)


def rating_card_context(
    request, *, ticket, urls: RatingUrls, form=None, recorded=False, **extra
) -> dict:
    """What the rating card (tickets/rate.html#rating-card) needs; the ticket pages call it too.
    A page reached after saving without JavaScript (`?rated=1`) thanks the customer."""
    panel = satisfaction.rating_panel(ticket=ticket)
    recorded = recorded or (request.GET.get(RATED_PARAMETER) == "1" and panel.rating is not None)
    if form is None:
        initial = (
            {"comment": panel.rating.comment, "mark": panel.rating.mark_id} if panel.rating else {}
        )
        form = RatingForm(marks=panel.marks, initial=initial)
    return {
        "ticket": ticket,
        "panel": panel,
        "rating_form": form,
        "rating_urls": urls,
        "auto_submit": False,
        "recorded": recorded,
        **extra,
    }


def rating_page(request, *, ticket, author, urls: RatingUrls):
    """GET: the card, with the mark of a survey link chosen (`?mark=<id>`; one not on offer is
    404) and sent by the page's script when it changes something. POST: record it; without
    htmx, back to the page with a thank-you (the ticket page when posted from there)."""
    if request.method == "POST":
        return _rating_post(request, ticket=ticket, author=author, urls=urls)
    context = rating_card_context(request, ticket=ticket, urls=urls)
    panel = context["panel"]
    chosen = _mark_of_link(request.GET.get("mark"), panel)
    if chosen is not None and panel.changeable:
        initial = {"mark": chosen.pk, "comment": panel.rating.comment if panel.rating else ""}
        context["rating_form"] = RatingForm(marks=panel.marks, initial=initial)
        context["auto_submit"] = panel.rating is None or panel.rating.mark_id != chosen.pk
    return render(request, _template(request), context)


def _rating_post(request, *, ticket, author, urls: RatingUrls):
    # Through the secret link, posts count against the visitor's address like its replies do.
    if author is None and intake_rate_limited(request):
        return too_many_requests(request)
    panel = satisfaction.rating_panel(ticket=ticket)
    form = RatingForm(request.POST, marks=panel.marks)
    if form.is_valid():
        try:
            satisfaction.rating_record(
                ticket=ticket,
                mark=form.cleaned_data["mark"],
                comment=form.cleaned_data["comment"],
                by_customer=author,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not request.htmx:  # the card there thanks them (rating_card_context)
                back = urls.ticket if form.cleaned_data["return_to"] == "ticket" else urls.rate
                return redirect(f"{back}?{RATED_PARAMETER}=1")
            response = render(
                request,
                _template(request),
                rating_card_context(request, ticket=ticket, urls=urls, recorded=True),
            )
            if urlsplit(request.htmx.current_url or "").path == urls.rate:
                # The page of a survey link: reloading it must not send the link's mark again.
                response["HX-Replace-Url"] = urls.rate
            return response
    context = rating_card_context(request, ticket=ticket, urls=urls, form=form)
    return render(request, _template(request), context, status=400)


def _mark_of_link(value: str | None, panel):
    """The mark a survey link names, or None without one; a mark that is not on offer (unknown,
    retired, not a number) is 404, like any other link that leads nowhere."""
    if value is None:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > MARK_ID_MAX_DIGITS:
        raise Http404
    if panel.marks:
        mark = panel.mark_offered(int(value))
    else:  # a case reopened since the survey: its page says so, for a link that was real
        mark = satisfaction.mark_active(mark_id=int(value))
    if mark is None or not mark.is_active:
        raise Http404
    return mark


def _template(request) -> str:
    return f"{RATE_TEMPLATE}#rating-card" if request.htmx else RATE_TEMPLATE


@never_cache
@require_http_methods(["GET", "POST"])
def survey_opt_out(request, token):
    """Through the survey mail's link: no more satisfaction surveys for this customer (or, having
    asked, surveys again). Opening the page changes nothing; its button does."""
    ticket = access.ticket_for_token(token=token)
    customer = ticket.customer
    if request.method == "POST":
        form = SurveyChoiceForm(request.POST)
        if not form.is_valid():
            return render(
                request,
                "tickets/survey_opt_out.html",
                {"ticket": ticket, "invalid": True},
                status=400,
            )
        opt_out = form.cleaned_data["surveys"] == "off"
        satisfaction.survey_opt_out_set(customer=customer, opt_out=opt_out)
        return redirect(f"{request.path}?saved=1")  # the page says it is done
    saved = request.GET.get("saved") == "1"
    return render(request, "tickets/survey_opt_out.html", {"ticket": ticket, "saved": saved})
