"""Demo service levels: Technical support warns before a case runs late, reminds customers it
waits for after 3 days and closes the case 4 days after that. One case has waited 4 days (the
sweep reminds its customer), one has not answered the reminder (the sweep closes it); the
overdue case of the activity demo escalates and the one at risk sends its warning, so the board,
the tickets, the feed and var/mail/ show each. Loading it twice changes nothing."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from departments.models import Category, Department, WebForm
from tickets import services as ticket_services
from tickets import workflow
from tickets.models import Priority, Ticket
from tickets.sla.clocks import pending_next
from tickets.sla.escalation import sla_alerts_sweep
from tickets.sla.pending import pending_steps_sweep
from tickets.sla.policies import policies_load
from tickets.sla.recompute import stale_clocks_recompute

REMINDED = "Invoice PDF will not open on the tablet"
AUTO_CLOSED = "Wi-Fi drops in the meeting room"


def demo_sla_load() -> None:
    support = Department.objects.get(slug="technical-support")
    if support.pending_reminder_days is None:
        support.sla_warning_enabled = True
        support.pending_reminder_days = 3
        support.pending_autoclose_days = 4
        support.save()
    if not Ticket.objects.filter(subject=REMINDED).exists():
        _waiting_cases_load(support)
    # What the beat would do in its first minute: the new settings reach the open cases, the
    # waiting cases get their reminder or close, the overdue case escalates and the one at risk
    # warns.
    stale_clocks_recompute()
    pending_steps_sweep()
    sla_alerts_sweep()


def _waiting_cases_load(support: Department) -> None:
    tech = User.objects.get(email="tech@example.com")
    form = WebForm.objects.get(slug="contact")
    product = Category.objects.get(name="Problem with a product")
    policy = policies_load([support.pk])[support.pk]
    now = timezone.now()
    for subject, email, name, waiting, reminded in (
        (REMINDED, "tablet@example.org", "Tara Tablet", timedelta(days=4), None),
        (AUTO_CLOSED, "wifi@example.org", "Walt Wifi", timedelta(days=9), timedelta(days=5)),
    ):
        ticket = ticket_services.ticket_submit_from_web(
            form=form,
            name=name,
            email=email,
            subject=subject,
            body="It worked last week.",
            category=product,
            priority=Priority.MEDIUM,
            ip_address="198.51.100.11",
        )
        workflow.ticket_reply(
            ticket=ticket,
            tech=tech,
            body="Could you send a photo of the message you see?",
            internal=False,
            then_status="pending",
        )
        with transaction.atomic():  # as if it had waited that long (and been reminded)
            ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
            ticket.pending_since = now - waiting
            ticket.pending_reminded_at = now - reminded if reminded else None
            ticket.pending_action_at = pending_next(ticket, policy)
            ticket.save(update_fields=["pending_since", "pending_reminded_at", "pending_action_at"])
