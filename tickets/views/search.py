"""The desk's search page (the box in the header) and the customer's search of their own
tickets on /my/."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import customer_required, staff_required
from accounts.customer_search import customers_search
from accounts.customers import customer_for_user
from tickets import access, search, selectors
from tickets.forms_search import SearchForm
from tickets.queues import id_from_query, managed_department_ids, queue_departments


def _page_number(request) -> int:
    return id_from_query(request.GET.get("page", "")) or 1


CUSTOMERS_SHOWN = 5


@staff_required
def desk_search(request):
    user = request.user
    visible = access.tickets_visible_to_staff(user)
    form = SearchForm(
        request.GET,
        departments=queue_departments(user),
        owners=selectors.team_owners(user=user) if _manages(user) else [],
        viewer=user,
    )
    raw = form.query_text()
    jump = search.ticket_number_jump(tickets=visible, raw=raw)
    if jump is not None:
        return redirect(reverse("tickets:desk_ticket", args=[jump.number]))
    filters, ignored = form.filters()
    if ignored:
        messages.warning(
            request,
            _("Ignored a filter that does not apply: %(names)s.") % {"names": ", ".join(ignored)},
        )
    query = search.search_query(raw)
    page = search.tickets_search(
        tickets=visible,
        query=query,
        public_only=False,
        filters=filters,
        page=_page_number(request),
        scope=access.staff_search_scope(user),
    )
    context = {
        "form": form,
        "query": query,
        "page": page,
        # The customers the same words find (their page, their other tickets); the full list is
        # /desk/customers/?q=.
        "customer_rows": customers_search(viewer=user, query=raw, limit=CUSTOMERS_SHOWN + 1),
        "customers_shown": CUSTOMERS_SHOWN,
        "number_not_found": search.ticket_number_in(raw),
        "next_query": _with_page(request, page.page + 1),
        "previous_query": _with_page(request, page.page - 1),
        "search_max_length": search.SEARCH_MAX_LENGTH,
    }
    template = "tickets/desk_search.html"
    if request.htmx:
        template += "#search-results"
    return render(request, template, context)


def _manages(user) -> bool:
    return user.is_superuser or bool(managed_department_ids(user))


def _with_page(request, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return query.urlencode()


@customer_required
def my_search(request):
    """A signed-in customer's search over their own tickets, public text only."""
    customer = customer_for_user(user=request.user)
    tickets = selectors.tickets_searchable_by_customer(customer=customer)
    raw = (request.GET.get("q") or "").strip()
    query = search.search_query(raw)
    page = search.tickets_search(
        tickets=tickets,
        query=query,
        public_only=True,
        page=_page_number(request),
        scope=search.SearchScope(customer_id=customer.pk if customer else None),
    )
    context = {
        "query": query,
        "page": page,
        "next_query": _with_page(request, page.page + 1),
        "previous_query": _with_page(request, page.page - 1),
    }
    template = "tickets/my_search.html"
    if request.htmx:
        template += "#search-results"
    return render(request, template, context)
