"""Demo details the customer search finds (/desk/customers/): an order number on Carla's
printer case and a note on Ivan, so searching "nw-2043" or "morning" in `make run` shows the
search reaching order numbers and notes, not only names and addresses."""

from accounts.models import Customer
from tickets.models import Ticket

PRINTER = "Printer shows error E-042 after the update"
ORDER_NUMBER = "NW-20431"
IVAN_NOTES = "Owns five bakeries in Kyiv. Prefers calls in the morning, Kyiv time."


def demo_customer_search_load() -> None:
    """Idempotent: fills only what is still empty."""
    Ticket.objects.filter(
        subject=PRINTER, customer__emails__email="customer@example.com", order_number=""
    ).update(order_number=ORDER_NUMBER)
    Customer.objects.filter(emails__email="ivan@example.org", notes="").update(notes=IVAN_NOTES)
