"""Demo customers for the customer page: Ivan Petrenko's record edited by Tom (a history of who
changed what), order numbers on his tickets (linked to the shop when ORDER_URL_TEMPLATE is set),
and a duplicate of him ("I. Petrenko", another address, his own ticket) ready to merge. Written
the way production writes them (accounts/customer_edits.py, tickets/services.py)."""

from accounts.customer_edits import customer_email_add, customer_update
from accounts.customers import customer_by_email
from accounts.models import User
from departments.models import Department
from tickets import services
from tickets.models import Priority, Source, Ticket

IVAN = "ivan@example.org"
DUPLICATE_EMAIL = "i.petrenko@kyivbakery.example"
DUPLICATE_SUBJECT = "Invoice for order KB-2291 is missing"
OUTAGE = "Site is down for all our shops"


def demo_customers_load() -> None:
    """Idempotent: a second run finds Ivan's history and the duplicate and adds nothing."""
    tom = User.objects.filter(email="tech@example.com").first()
    ivan = customer_by_email(email=IVAN)
    billing = Department.objects.filter(slug="billing").first()
    if tom is None or ivan is None or billing is None or ivan.changes.exists():
        return
    Ticket.objects.filter(customer=ivan, subject=OUTAGE, order_number="").update(
        order_number="KB-2207"
    )
    customer_update(
        customer=ivan,
        actor=tom,
        changes={
            "phone": "+380 44 555 0102",
            "notes": "Owns five bakery shops in Kyiv. Prefers calls before 10:00; speaks "
            "Ukrainian and English.",
        },
    )
    customer_email_add(customer=ivan, actor=tom, email="orders@kyivbakery.example")
    if customer_by_email(email=DUPLICATE_EMAIL) is None:
        # The same Ivan, entered again from a phone call under another address: merge him.
        ticket = services.ticket_create_for_customer(
            staff=tom,
            email=DUPLICATE_EMAIL,
            name="I. Petrenko",
            phone="",
            subject=DUPLICATE_SUBJECT,
            body="Called: the invoice for order KB-2291 never arrived by mail.",
            category=None,
            department=billing,
            priority=Priority.MEDIUM,
            source=Source.PHONE,
            assign_to_me=True,
            send_confirmation=False,
        )
        Ticket.objects.filter(pk=ticket.pk).update(order_number="KB-2291")
