"""Staff send a customer a password reset link from the customer's page: the same mail as
"Forgot your password?", through the outbox. Only those who may see the customer (the customer
page's own check), only for a customer's active account."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import staff_required
from accounts.customer_history import customer_history
from accounts.password_reset import customer_reset_account, password_reset_send
from tickets import access

TEMPLATE = "accounts/includes/customer_reset_link.html"


@staff_required
@require_POST
def customer_password_reset(request, customer_id):
    customer = access.customer_for_staff(user=request.user, customer_id=customer_id)
    try:
        password_reset_send(customer=customer, actor=request.user)
    except ValidationError as error:
        if request.htmx:
            context = {"customer": customer, "reset_error": error.messages[0]}
            return render(request, TEMPLATE, context, status=400)
        messages.error(request, error.messages[0])
        return redirect(reverse("tickets:desk_customer", args=[customer.pk]))
    account = customer_reset_account(customer=customer)
    sent = _("A password reset link is on its way to %(email)s.") % {"email": account.email}
    if request.htmx:
        # The block with what was done, and the history out of band, with the line just written.
        history, older = customer_history(customer=customer)
        block = render_to_string(
            TEMPLATE, {"customer": customer, "reset_sent": sent}, request=request
        )
        history_block = render_to_string(
            "tickets/desk_customer.html#customer-history",
            {"history": history, "history_older": older, "history_oob": True},
            request=request,
        )
        return HttpResponse(block + history_block)
    messages.success(request, sent)
    return redirect(reverse("tickets:desk_customer", args=[customer.pk]))
