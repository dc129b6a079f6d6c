"""Clocks for the cases that existed before the SLA clocks (own migration: the rows are written
in a transaction of their own, apart from 0017's schema changes)."""

from django.db import migrations
from django.db.models import DurationField, ExpressionWrapper, F, Q, Value
from django.utils import timezone


def clocks_backfill(apps, schema_editor):
    """Existing cases get clocks as the product counted them before: around the clock, from
    their creation, with the department's limits (priority limits and calendars apply from the
    next change of each case, or when an admin next saves the department's calendar or limits).
    Closed cases keep their due times for the reports and have no running clock."""
    Ticket = apps.get_model("tickets", "Ticket")
    Department = apps.get_model("departments", "Department")
    now = timezone.now()
    active = ~Q(status_type__in=["pending", "closed"])
    Ticket.objects.update(
        response_due_at=F("due_at"), resolution_started_at=F("created_at"), sla_mark_at=now
    )
    for department in Department.objects.all():
        response = department.response_time_limit
        resolution = department.resolution_time_limit or response
        tickets = Ticket.objects.filter(department=department)
        tickets.update(
            response_limit=response,
            resolution_limit=resolution,
            resolution_due_at=F("created_at") + resolution,
        )
        tickets.filter(active, first_response_at__isnull=True).update(
            risk_at=F("due_at") - response / 5
        )
        tickets.filter(active, first_response_at__isnull=False).update(
            due_at=F("resolution_due_at"), risk_at=F("resolution_due_at") - resolution / 5
        )
    Ticket.objects.filter(active).update(
        sla_alert_at=F("due_at"),
        response_used=ExpressionWrapper(Value(now) - F("created_at"), DurationField()),
        resolution_used=ExpressionWrapper(Value(now) - F("created_at"), DurationField()),
    )
    Ticket.objects.filter(status_type="pending").update(due_at=None, pending_since=F("updated_at"))
    Ticket.objects.filter(status_type="closed").update(due_at=None)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0017_sla_clocks")]

    operations = [migrations.RunPython(clocks_backfill, migrations.RunPython.noop)]
