"""Demo: a tech away right now, whose open tickets went to their substitute at the start, and
another with an absence still ahead (the board shows both, and who stands in)."""

from datetime import timedelta

from django.utils import timezone

from accounts.absences import absence_record
from accounts.models import User
from departments.models import Category, Department, Membership, WebForm
from tickets import handover, workflow
from tickets.services import ticket_submit_from_web

AWAY_EMAIL = "away@example.com"
AWAY_TICKETS = [
    # subject, customer email, name, category, priority
    (
        "Scanner drops the Wi-Fi connection every hour",
        "nora@example.org",
        "Nora Lind",
        "Problem with a product",
        3,
    ),
    (
        "Second seat for the design licence",
        "omar@example.org",
        "Omar Haddad",
        "Installation and setup",
        2,
    ),
    ("Invoice 2024-118 charged twice", "nora@example.org", "Nora Lind", "Invoices and payments", 3),
]


def demo_absence_load(
    *,
    staff: dict[str, User],
    departments: dict[str, Department],
    categories: dict[str, Category],
    form: WebForm,
    password: str,
) -> None:
    """Alex Away is on a conference until four days from now; Tom Tech stands in and holds
    the tickets the start handed over (each notes why in its thread)."""
    if User.objects.filter(email=AWAY_EMAIL).exists():
        return
    away = User.objects.create_user(
        AWAY_EMAIL, password, full_name="Alex Away", kind=User.Kind.STAFF
    )
    for slug in ("technical-support", "billing"):
        Membership.objects.create(user=away, department=departments[slug])
    for subject, email, name, category, priority in AWAY_TICKETS:
        ticket = ticket_submit_from_web(
            form=form,
            name=name,
            email=email,
            subject=subject,
            body="Could you have a look, please?",
            category=categories[category],
            priority=priority,
            ip_address="198.51.100.11",
        )
        workflow.ticket_claim_on_open(ticket=ticket, tech=away)
    now = timezone.now()
    absence = absence_record(
        tech=away,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=4),
        substitute=staff["tech@example.com"],
        note="Conference",
        created_by=staff["manager@example.com"],
    )
    handover.absence_start(absence_id=absence.pk)  # what the beat does each minute
    # Terry Trainee has a training course ahead: the board says "Away from …".
    starts = timezone.localtime(now + timedelta(days=9)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    absence_record(
        tech=staff["trainee@example.com"],
        starts_at=starts,
        ends_at=starts + timedelta(days=2),
        substitute=None,
        note="Training course",
        created_by=staff["manager@example.com"],
    )
