"""The customer area: a signed-in customer's own tickets."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.access import customer_required
from accounts.customers import customer_for_user
from departments.models import WebForm
from tickets import access, message_html, selectors
from tickets.attachments import attachment_response
from tickets.views.support import customer_ticket_page


@customer_required
def my_tickets(request):
    customer = customer_for_user(user=request.user)
    tickets = selectors.tickets_of_customer(customer=customer)
    web_forms = WebForm.objects.filter(is_active=True, default_department__is_active=True)
    area_forms = web_forms.filter(audience=WebForm.Audience.CUSTOMER_AREA)
    if area_forms.exists():
        web_forms = area_forms
    template = "tickets/my_tickets.html"
    if request.htmx:
        template += "#ticket-list"
    return render(request, template, {"tickets": tickets, "web_forms": web_forms})


@never_cache
@customer_required
@require_http_methods(["GET", "POST"])
def my_ticket(request, number):
    ticket = access.ticket_for_customer(user=request.user, number=number)
    return customer_ticket_page(request, ticket=ticket, author=request.user)


@customer_required
def my_attachment(request, number, attachment_id):
    ticket = access.ticket_for_customer(user=request.user, number=number)
    attachment = access.attachment_of_ticket(
        ticket=ticket, attachment_id=attachment_id, public_only=True
    )
    return attachment_response(attachment, thumbnail=request.GET.get("thumbnail") == "1")


@customer_required
def my_message_html(request, number, message_id):
    ticket = access.ticket_for_customer(user=request.user, number=number)
    message = access.message_of_ticket(ticket=ticket, message_id=message_id, public_only=True)
    page_url = reverse("tickets:my_ticket", args=[number])
    return message_html.message_frame_response(request, message=message, page_url=page_url)


@customer_required
def my_message_body(request, number, message_id):
    ticket = access.ticket_for_customer(user=request.user, number=number)
    message = access.message_of_ticket(ticket=ticket, message_id=message_id, public_only=True)
    page_url = reverse("tickets:my_ticket", args=[number])
    return message_html.message_html_block(request, message=message, page_url=page_url)
