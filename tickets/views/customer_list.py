"""The desk's customer list and search (accounts/customer_search.py holds the rules)."""

from django.shortcuts import render

from accounts.access import staff_required
from accounts.customer_search import SEARCH_LIMIT, customers_page, customers_search
from accounts.forms_customer_search import CustomerSearchForm


@staff_required
def customer_list(request):
    form = CustomerSearchForm(request.GET or None)
    query = form.query()
    page = None
    rows = []
    if query:
        rows = customers_search(viewer=request.user, query=query, limit=SEARCH_LIMIT + 1)
    elif not form.errors:
        page = customers_page(viewer=request.user, cursor=request.GET.get("cursor", ""))
        rows = page.rows
    context = {
        "form": form,
        "query": query,
        "page": page,
        "customer_rows": rows[:SEARCH_LIMIT],
        "more_found": len(rows) > SEARCH_LIMIT,
        "search_limit": SEARCH_LIMIT,
    }
    template = "tickets/desk_customers.html"
    if request.htmx:
        template += "#customer-results"
    return render(request, template, context)
