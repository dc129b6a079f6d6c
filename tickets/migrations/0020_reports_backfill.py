"""What the reports need from before they existed: a closing for every closed case, the first
consultation of each case with the deadline it then had, and the seeds' satisfaction marks."""

from django.db import migrations
from django.db.models import Exists, OuterRef, Q, Subquery

CLOSURES_FROM_CLOSED_TICKETS = """
INSERT INTO tickets_closure (
    ticket_id, department_id, owner_id, reason, closed_at, deadline, response_due_at,
    first_response_at, response_used, resolution_used, consulted
)
SELECT t.id, t.department_id, t.assignee_id, 'closed', t.closed_at, t.resolution_due_at,
       t.response_due_at, t.first_response_at,
       CASE WHEN t.first_response_at IS NOT NULL THEN t.response_used END,
       t.resolution_used,
       EXISTS (
           SELECT 1 FROM tickets_consultation c
           WHERE c.ticket_id = t.id AND c.asked_at <= t.closed_at
       )
FROM tickets_ticket t
WHERE t.status_type = 'closed' AND t.closed_at IS NOT NULL
"""

# The seeds' examples ("Ответ устраивает", "Недостаточно полно"), with a mark at each end.
MARKS = [
    ("Excellent, thank you", 2, 1),
    ("The answer satisfies", 1, 2),
    ("Not complete enough", -1, 3),
    ("The answer did not help", -2, 4),
]


def closures_backfill(apps, schema_editor):
    schema_editor.execute(CLOSURES_FROM_CLOSED_TICKETS)


def consultations_backfill(apps, schema_editor):
    Consultation = apps.get_model("tickets", "Consultation")
    Ticket = apps.get_model("tickets", "Ticket")
    Consultation.objects.update(
        deadline_when_asked=Subquery(
            Ticket.objects.filter(pk=OuterRef("ticket_id")).values("resolution_due_at")[:1]
        )
    )
    earlier = Consultation.objects.filter(ticket_id=OuterRef("ticket_id")).filter(
        Q(asked_at__lt=OuterRef("asked_at"))
        | Q(asked_at=OuterRef("asked_at"), pk__lt=OuterRef("pk"))
    )
    Consultation.objects.filter(~Exists(earlier)).update(first_of_case=True)


def marks_seed(apps, schema_editor):
    SatisfactionMark = apps.get_model("tickets", "SatisfactionMark")
    if not SatisfactionMark.objects.exists():
        SatisfactionMark.objects.bulk_create(
            SatisfactionMark(label=label, score=score, position=position)
            for label, score, position in MARKS
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0019_reports_and_satisfaction")]

    operations = [
        migrations.RunPython(closures_backfill, migrations.RunPython.noop),
        migrations.RunPython(consultations_backfill, migrations.RunPython.noop),
        migrations.RunPython(marks_seed, migrations.RunPython.noop),
    ]
