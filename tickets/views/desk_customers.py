"""The customer's page on the desk: their profile, tickets and order numbers, editing the record
and its addresses, its history, merging a duplicate into it, and logging a call from it.

Everyone who may open the page (staff who may see one of the customer's tickets: see
tickets/access.py `customer_for_staff`) may edit the record; a merge needs the same for both
customers, so nobody merges away a customer they could not open."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts import customer_edits
from accounts.absences import absent_now
from accounts.access import staff_required
from accounts.customer_history import customer_history
from accounts.customers import customer_addresses, customer_by_email
from accounts.forms_customers import (
    AddressChoiceForm,
    CustomerEmailForm,
    CustomerProfileForm,
    MergePickForm,
)
from tickets import access, calls, selectors
from tickets.forms_calls import CustomerCallForm
from tickets.models import StatusType
from tickets.orders import orders_of


def _page(customer) -> str:
    return reverse("tickets:desk_customer", args=[customer.pk])


def _edit_page(customer) -> str:
    return reverse("tickets:desk_customer_edit", args=[customer.pk])


EDIT_TEMPLATE = "tickets/desk_customer_edit.html"


def _open_tickets(tickets):
    """The tickets a call may be logged on: every one not closed (a customer calls about a case
    waiting for them, or under consultation, as much as about one in progress)."""
    return [ticket for ticket in tickets if ticket.status_type != StatusType.CLOSED]


def _page_context(request, customer, **extra):
    tickets, hidden = selectors.customer_tickets_for_staff(customer=customer, user=request.user)
    history, older = customer_history(customer=customer)
    people = {customer.account_manager_id, *(t.assignee_id for t in tickets)}
    open_tickets = _open_tickets(tickets)
    context = {
        "customer": customer,
        "tickets": tickets,
        "hidden_count": hidden,
        "absent": absent_now(people),
        "orders": orders_of(tickets),
        "history": history,
        "history_older": older,
        "open_tickets": open_tickets,
        "call_form": CustomerCallForm(tickets=open_tickets),
    }
    context.update(extra)
    return context


@staff_required
def customer_detail(request, customer_id):
    customer = access.customer_for_staff(user=request.user, customer_id=customer_id)
    return render(request, "tickets/desk_customer.html", _page_context(request, customer))


def _edit_context(customer, **extra):
    context = {
        "customer": customer,
        "form": CustomerProfileForm(customer=customer),
        "email_form": CustomerEmailForm(),
        "addresses": list(customer.emails.all()),
    }
    context.update(extra)
    return context


@staff_required
@require_http_methods(["GET", "POST"])
def customer_edit(request, customer_id):
    """The record's details; with htmx the form comes back with its errors in place, a save
    goes on to the customer's page either way."""
    customer = access.customer_for_staff(user=request.user, customer_id=customer_id)
    if request.method == "POST":
        form = CustomerProfileForm(request.POST, customer=customer)
        if form.is_valid():
            try:
                written = customer_edits.customer_update(
                    customer=customer, actor=request.user, changes=form.changes()
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if written:
                    messages.success(request, _("Customer details saved."))
                else:
                    messages.info(request, _("Nothing was changed."))
                if request.htmx:
                    return HttpResponseClientRedirect(_page(customer))
                return redirect(_page(customer))
        context = _edit_context(customer, form=form)
        if request.htmx:
            # htmx swaps only a 2xx answer: the form with its errors comes back as 200.
            return render(request, f"{EDIT_TEMPLATE}#customer-details", context)
        return render(request, EDIT_TEMPLATE, context, status=400)
    return render(request, EDIT_TEMPLATE, _edit_context(customer))


def _addresses_answer(request, customer, *, notice="", error="", **extra):
    """What an address form answers: with htmx, the addresses block saying what was done or
    refused; without, the edit page (a refusal, 400) or a redirect to it with a message."""
    if request.htmx:
        addresses = customer_addresses(customer=customer)
        context = _edit_context(
            customer, addresses=addresses, address_notice=notice, address_error=error, **extra
        )
        return render(request, f"{EDIT_TEMPLATE}#customer-addresses", context)
    if extra:  # the add form with its errors
        return render(request, EDIT_TEMPLATE, _edit_context(customer, **extra), status=400)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect(_edit_page(customer))


@staff_required
@require_POST
def customer_email_add(request, customer_id):
    customer = access.customer_for_staff(user=request.user, customer_id=customer_id)
    form = CustomerEmailForm(request.POST)
    conflict = None
    if form.is_valid():
        try:
            address = customer_edits.customer_email_add(
                customer=customer, actor=request.user, email=form.cleaned_data["email"]
            )
        except customer_edits.AddressTaken as taken:
            conflict = {"email": taken.email, "owner": _visible_or_none(request, taken.owner)}
            form.add_error("email", taken)
        except ValidationError as error:
            form.add_error("email", error)
        else:
            notice = _("%(email)s added.") % {"email": address.email}
            return _addresses_answer(request, customer, notice=notice)
    return _addresses_answer(request, customer, email_form=form, conflict=conflict)


def _visible_or_none(request, customer):
    """The customer, if the viewer may open their page (the message then links to it)."""
    try:
        return access.customer_for_staff(user=request.user, customer_id=customer.pk)
    except Http404:
        return None


def _address_action(request, customer_id, service, done_message):
    customer = access.customer_for_staff(user=request.user, customer_id=customer_id)
    form = AddressChoiceForm(request.POST)
    if not form.is_valid():
        error = _("That address is no longer one of this customer's.")
        return _addresses_answer(request, customer, error=error)
    try:
        email = service(
            customer=customer, actor=request.user, address_id=form.cleaned_data["address"]
        )
    except ValidationError as error:
        return _addresses_answer(request, customer, error=" ".join(error.messages))
    return _addresses_answer(request, customer, notice=done_message % {"email": email})


@staff_required
@require_POST
def customer_email_remove(request, customer_id):
    return _address_action(
        request, customer_id, customer_edits.customer_email_remove, _("%(email)s removed.")
    )


@staff_required
@require_POST
def customer_email_primary(request, customer_id):
    return _address_action(
        request,
        customer_id,
        customer_edits.customer_email_make_primary,
        _("%(email)s is now the primary address."),
    )


def _other_customer(request, query: str, kept):
    """The customer a merge form names, by number or address, if the viewer may open them."""
    query = query.strip().lstrip("#")
    found = None
    if query.isdigit():
        found_id = int(query)
    else:
        found = customer_by_email(email=query)
        found_id = found.pk if found else None
    if found_id is None:
        return None
    try:
        return access.customer_for_staff(user=request.user, customer_id=found_id)
    except Http404:
        return None


@staff_required
@require_http_methods(["GET", "POST"])
def customer_merge(request, customer_id):
    """GET without a choice: the form to name the other customer. GET with one: what the merge
    moves, and a button to confirm. POST: the merge; the customer of this page is kept."""
    kept = access.customer_for_staff(user=request.user, customer_id=customer_id)
    source = request.POST if request.method == "POST" else request.GET
    form = MergePickForm(source if "other" in source else None)
    other = None
    if form.is_bound and form.is_valid():
        other = _other_customer(request, form.cleaned_data["other"], kept)
        if other is None:
            form.add_error("other", _("No customer you may open has that number or address."))
    if other is None:
        status = 400 if form.is_bound else 200
        return render(
            request,
            "tickets/desk_customer_merge.html",
            {"customer": kept, "form": form},
            status=status,
        )
    plan = customer_edits.merge_plan(kept=kept, removed=other)
    if request.method == "POST" and not plan.refusal:
        try:
            customer_edits.customer_merge(kept=kept, removed=other, actor=request.user)
        except ValidationError as error:
            plan = customer_edits.merge_plan(kept=kept, removed=other)
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(removed)s was merged into %(kept)s.")
                % {"removed": other.name, "kept": kept.name},
            )
            return redirect(_page(kept))
    status = 400 if plan.refusal else 200
    return render(
        request,
        "tickets/desk_customer_merge.html",
        {"customer": kept, "form": form, "plan": plan},
        status=status,
    )


@staff_required
@require_POST
def customer_call_log(request, customer_id):
    """A call logged from the customer's page, on one of their open tickets the tech may open;
    it appears in that ticket's thread like one logged there."""
    customer = access.customer_for_staff(user=request.user, customer_id=customer_id)
    tickets, _hidden = selectors.customer_tickets_for_staff(customer=customer, user=request.user)
    form = CustomerCallForm(request.POST, tickets=_open_tickets(tickets))
    if form.is_valid():
        ticket = access.ticket_for_staff(user=request.user, number=form.cleaned_data["ticket"])
        try:
            calls.call_log(ticket=ticket, tech=request.user, details=form.details())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Phone call logged on %(tag)s.") % {"tag": ticket.tag})
            return redirect(_page(customer))
    return render(
        request,
        "tickets/desk_customer.html",
        _page_context(request, customer, call_form=form, call_form_open=True),
        status=400,
    )
