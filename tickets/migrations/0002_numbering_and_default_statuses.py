from django.db import migrations

FIRST_TICKET_NUMBER = 1000

DEFAULT_STATUSES = [
    # name, type, position
    ("New", "new", 10),
    ("In progress", "open", 20),
    ("Waiting for customer", "pending", 30),
    ("Under consultation", "consultation", 40),
    ("Closed", "closed", 50),
]


def create_numbering(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE SEQUENCE IF NOT EXISTS tickets_ticket_number_seq START {FIRST_TICKET_NUMBER}"
        )
    else:
        apps.get_model("tickets", "TicketNumberCounter").objects.get_or_create(
            pk=1, defaults={"value": FIRST_TICKET_NUMBER - 1}
        )


def drop_numbering(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SEQUENCE IF EXISTS tickets_ticket_number_seq")


def create_default_statuses(apps, schema_editor):
    Status = apps.get_model("tickets", "Status")
    for name, type_, position in DEFAULT_STATUSES:
        Status.objects.get_or_create(
            type=type_, is_default=True, defaults={"name": name, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [
        migrations.RunPython(create_numbering, drop_numbering),
        migrations.RunPython(create_default_statuses, migrations.RunPython.noop),
    ]
