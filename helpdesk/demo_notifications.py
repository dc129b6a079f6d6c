"""Demo notifications: the techs find a few unread ones in their bell, made the way production
makes them (a customer writes on their ticket, a manager mentions them in a note or hands them
a ticket), and the demo manager follows her department's customer replies too."""

from accounts.models import User
from tickets import services, workflow
from tickets.models import Activity, NotificationPreference, Ticket

MANAGER_NOTE = "@tech the hosting provider confirms an outage on their side; keep Ivan posted."


def demo_notifications_load() -> None:
    """Idempotent: a second run finds the manager's note and adds nothing."""
    manager = User.objects.filter(email="manager@example.com").first()
    outage = Ticket.objects.filter(subject="Site is down for all our shops").first()
    refund = Ticket.objects.filter(subject="Refund for the cancelled order").first()
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
    if refund is not None and tanya is not None and refund.assignee_id is None:
        workflow.ticket_transfer(
            ticket=refund, by=manager, to_tech=tanya, note="Tanya, please check the trial terms."
        )
