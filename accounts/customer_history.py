"""Reading a customer's history (CustomerChange lines, written by accounts/customer_edits.py)."""

from django.db.models import Count, Window

from accounts.models import Customer, CustomerChange

HISTORY_SHOWN = 50


def customer_history(*, customer: Customer, limit: int = HISTORY_SHOWN) -> tuple[list, int]:
    """The newest `limit` lines, newest first, and how many older ones are not shown: one
    query however long the history is (the total comes along with each row)."""
    rows = list(
        CustomerChange.objects.filter(customer=customer)
        .annotate(total=Window(Count("pk")))
        .order_by("-at", "-pk")[:limit]
    )
    return rows, (rows[0].total - len(rows)) if rows else 0
