"""Demo notifications: the techs find a few unread ones in their bell, made the way production
makes them (a customer writes on their ticket, a manager mentions them in a note or hands them
a ticket), and the demo manager follows her department's customer replies too."""

from accounts.models import User
from departments.models import Category, WebForm
from tickets import services, workflow
from tickets.models import Activity, NotificationPreference, Priority, Ticket

VAT_TICKET = "Wrong VAT number on invoice 2026-131"
MANAGER_NOTE = "@tech the hosting provider confirms an outage on their side; keep Ivan posted."


def demo_notifications_load() -> None:
    """Idempotent: a second run finds the manager's note and adds nothing."""
    manager = User.objects.filter(email="manager@example.com").first()
    outage = Ticket.objects.filter(subject="Site is down for all our shops").first()
    tanya = User.objects.filter(email="tech2@example.com").first()
    if manager is None or outage is None or outage.messages.filter(body=MANAGER_NOTE).exists():
        return
    NotificationPreference.objects.get_or_create(
        user=manager,
        activity=Activity.CUSTOMER_MESSAGE,
        defaults={"in_app": NotificationPreference.InApp.DEPARTMENTS},
    )
    services.ticket_reply_from_customer(
        ticket=outage, body="Two shops are back; the other three still show the error page."
    )
    workflow.ticket_reply(ticket=outage, tech=manager, body=MANAGER_NOTE, internal=True)
    form = WebForm.objects.filter(slug="contact").first()
    category = Category.objects.filter(name="Invoices and payments").first()
    if tanya is not None and form is not None and category is not None:
        # A Billing case the manager hands to Tanya by name (the general pool keeps its own).
        vat = services.ticket_submit_from_web(
            form=form,
            name="Li Wei",
            email="li.wei@example.net",
            subject=VAT_TICKET,
            body="Invoice 2026-131 shows our old VAT number. Could you issue a corrected one?",
            category=category,
            priority=Priority.MEDIUM,
            ip_address="198.51.100.10",
        )
        workflow.ticket_transfer(
            ticket=vat, by=manager, to_tech=tanya, note="Tanya, please reissue it today."
        )
