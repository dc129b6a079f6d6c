"""The help centre: web forms, the confirmation, and tickets opened through the secret link."""

from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.access import is_customer
from accounts.client_info import client_ip
from departments.models import WebForm
from tickets import access, message_html, selectors, services
from tickets.attachments import attachment_response
from tickets.forms import CustomerReplyForm, WebTicketForm
from tickets.fraud import SenderBlocked
from tickets.rate_limits import intake_rate_limited, too_many_requests
from tickets.views.satisfaction import RatingUrls, rating_card_context

SUBMITTED_SESSION_KEY = "tickets_submitted_number"


def web_forms_for(user):
    """Public forms for everyone; member and customer-area forms for signed-in customers."""
    forms = WebForm.objects.filter(is_active=True, default_department__is_active=True)
    if user.is_authenticated and is_customer(user):
        return forms
    return forms.filter(Q(audience=WebForm.Audience.PUBLIC))


def support(request):
    forms = list(web_forms_for(request.user))
    if len(forms) == 1:
        return redirect("tickets:web_form", slug=forms[0].slug)
    return render(request, "tickets/help_centre.html", {"web_forms": forms})


@require_http_methods(["GET", "POST"])
def web_form(request, slug):
    web_form = get_object_or_404(
        WebForm, slug=slug, is_active=True, default_department__is_active=True
    )
    user = request.user
    if web_form.requires_sign_in:
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_customer(user):
            raise Http404
    signed_in = user if user.is_authenticated and is_customer(user) else None
    if request.method == "POST":
        if intake_rate_limited(request):
            return too_many_requests(request)
        form = WebTicketForm(request.POST, request.FILES, web_form=web_form, user=signed_in)
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = services.ticket_submit_from_web(
                    form=web_form,
                    name=data["name"],
                    email=data["email"],
                    subject=data["subject"],
                    body=data["message"],
                    category=data.get("category"),
                    priority=data["priority"],
                    attachments=data["attachments"],
                    order_number=data.get("order_number", ""),
                    answer_preference=data.get("answer_preference")
                    or WebTicketForm.base_fields["answer_preference"].initial,
                    user=signed_in,
                    ip_address=client_ip(request),
                )
            except SenderBlocked:
                return render(request, "tickets/refused.html", status=403)
            request.session[SUBMITTED_SESSION_KEY] = ticket.number
            return redirect("tickets:submitted")
    else:
        form = WebTicketForm(web_form=web_form, user=signed_in)
    return render(request, "tickets/web_form.html", {"web_form": web_form, "form": form})


@never_cache
def submitted(request):
    """The confirmation after a submission; it shows only the number of the ticket this
    browser just opened, never a ticket named in the URL."""
    number = request.session.get(SUBMITTED_SESSION_KEY)
    if number is None:
        return redirect("tickets:support")
    ticket = selectors.ticket_by_number(number=number)
    if ticket is None:
        return redirect("tickets:support")
    return render(request, "tickets/submitted.html", {"ticket": ticket})


@never_cache
@require_http_methods(["GET", "POST"])
def ticket_by_token(request, token):
    ticket = access.ticket_for_token(token=token)
    return customer_ticket_page(request, ticket=ticket, author=None)


def token_attachment(request, token, attachment_id):
    ticket = access.ticket_for_token(token=token)
    attachment = access.attachment_of_ticket(
        ticket=ticket, attachment_id=attachment_id, public_only=True
    )
    return attachment_response(attachment, thumbnail=request.GET.get("thumbnail") == "1")


def token_message_html(request, token, message_id):
    ticket = access.ticket_for_token(token=token)
    message = access.message_of_ticket(ticket=ticket, message_id=message_id, public_only=True)
    page_url = reverse("tickets:ticket_by_token", args=[token])
    return message_html.message_frame_response(request, message=message, page_url=page_url)


def token_message_body(request, token, message_id):
    ticket = access.ticket_for_token(token=token)
    message = access.message_of_ticket(ticket=ticket, message_id=message_id, public_only=True)
    page_url = reverse("tickets:ticket_by_token", args=[token])
    return message_html.message_html_block(request, message=message, page_url=page_url)


def customer_ticket_page(request, *, ticket, author):
    """A customer's view of their ticket and the reply form: shared by the secret link and the
    customer area (files are served under the page's own URL). An htmx reply gets the
    conversation partial back."""
    form = CustomerReplyForm()
    if request.method == "POST":
        if author is None and intake_rate_limited(request):
            return too_many_requests(request)
        form = CustomerReplyForm(request.POST, request.FILES)
        if form.is_valid():
            services.ticket_reply_from_customer(
                ticket=ticket,
                body=form.cleaned_data["message"],
                attachments=form.cleaned_data["attachments"],
                author=author,
                ip_address=client_ip(request),
            )
            if not request.htmx:
                return redirect(request.path)
            ticket.refresh_from_db()
            form = CustomerReplyForm()
    context = {
        "ticket": ticket,
        "thread": selectors.ticket_thread(ticket=ticket, public_only=True),
        "form": form,
        "page_url": request.path,
        "remote_images_for": message_html.remote_images_message_id(request),
    }
    if not request.htmx:
        # The rating card of a closed (or rated) case; its routes sit under the page's own.
        urls = RatingUrls(
            rate=f"{request.path}rate/",
            ticket=request.path,
            opt_out=f"{request.path}surveys/" if author is None else "",
        )
        context.update(rating_card_context(request, ticket=ticket, urls=urls, return_to="ticket"))
    template = "tickets/customer_ticket.html"
    if request.htmx:
        template += "#conversation"
    return render(request, template, context)
