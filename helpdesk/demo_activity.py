"""Demo activity for the manager's board and feed: what happened before the manager last looked
(seen) and after (new): a transfer between departments, a customer writing back to a pending
case, status changes, and a case that is overdue and one at risk. Loading it twice changes
nothing."""

from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from departments.models import Category, Department, WebForm
from tickets import services as ticket_services
from tickets import workflow
from tickets.models import Message, Priority, StatusType, Ticket
from tickets.sla.clocks import CLOCK_FIELDS, clocks_start

TRANSFERRED = "Charged for a printer we returned"
OVERDUE = "Label printer offline since Monday"
AT_RISK = "Scanner driver missing for macOS"


def demo_activity_load() -> None:
    if Ticket.objects.filter(subject=TRANSFERRED).exists():
        return
    manager = User.objects.get(email="manager@example.com")
    tech = User.objects.get(email="tech@example.com")
    billing = Department.objects.get(slug="billing")
    form = WebForm.objects.get(slug="contact")
    product = Category.objects.get(name="Problem with a product")

    # Everything so far the manager has seen: the feed shows what follows as new.
    seen = Message.objects.exclude(activity="").aggregate(latest=Max("id"))["latest"] or 0
    User.objects.filter(pk=manager.pk).update(activity_seen_up_to=seen)

    def submit(subject, body, email, name, priority=Priority.MEDIUM):
        return ticket_services.ticket_submit_from_web(
            form=form,
            name=name,
            email=email,
            subject=subject,
            body=body,
            category=product,
            priority=priority,
            ip_address="198.51.100.10",
        )

    # Unanswered cases that arrived hours ago (the demo moves their clocks back): one past its
    # response time limit, one with less than a fifth of it left.
    now = timezone.now()
    overdue = submit(
        OVERDUE, "It stopped printing labels on Monday.", "ops@example.org", "Otto Ops"
    )
    at_risk = submit(
        AT_RISK, "The download page has no macOS driver.", "mac@example.org", "Mia Mac"
    )
    for ticket, age in ((overdue, timedelta(hours=6)), (at_risk, timedelta(hours=3, minutes=30))):
        # The clocks start again at the earlier arrival, so the time used, the due time and the
        # at-risk instant all agree (the lists show "overdue by 2 h", not a due time alone).
        ticket.created_at = now - age
        clocks_start(ticket, now=ticket.created_at)
        ticket.save(update_fields=["created_at", *CLOCK_FIELDS])
    workflow.ticket_claim_on_open(ticket=overdue, tech=tech)

    # A case for Billing that arrived at Technical support.
    moved = submit(
        TRANSFERRED,
        "We sent the printer back in October and were still charged for it.",
        "carla@example.org",
        "Carla Customer",
        priority=Priority.HIGH,
    )
    workflow.ticket_transfer(ticket=moved, by=tech, to_department=billing, note="Billing's")

    # A customer adds to an open case; a tech starts on the case at risk.
    waiting = Ticket.objects.filter(status_type=StatusType.OPEN).order_by("id").first()
    if waiting is not None:
        ticket_services.ticket_reply_from_customer(
            ticket=waiting, body="Two more shops are down now. Any news?"
        )
    workflow.ticket_status_change(ticket=at_risk, author=tech, status_type=StatusType.OPEN)
