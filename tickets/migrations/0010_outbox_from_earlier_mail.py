"""Mail the earlier version still meant to send stays due in the outbox (its own transaction:
PostgreSQL does not alter a table with row changes pending in the same one)."""

from django.db import migrations


def outbox_from_earlier_mail(apps, schema_editor):
    """Mail the earlier version still meant to send stays due: auto-responses flagged due become
    outbox rows, and unsent rows get a time for the sweep to take them."""
    from email.utils import make_msgid
    from datetime import timedelta
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.utils import timezone

    InboundEmail = apps.get_model("tickets", "InboundEmail")
    OutboundEmail = apps.get_model("tickets", "OutboundEmail")
    now = timezone.now()
    domain = urlsplit(settings.SITE_URL).hostname or "helpdesk.invalid"
    # Rows the earlier version wrote name what they are about only in their key
    # ("reply:<message id>", "consultation:<message id>", "auto_response:<inbound id>").
    Message = apps.get_model("tickets", "Message")
    for kind, field, model in (
        ("reply", "message_id", Message),
        ("consultation", "message_id", Message),
        ("auto_response", "inbound_id", InboundEmail),
    ):
        for row in OutboundEmail.objects.filter(kind=kind).exclude(status="sent").only(
            "pk", "idempotency_key"
        ):
            about = row.idempotency_key.partition(":")[2]
            if about.isdigit() and model.objects.filter(pk=int(about)).exists():
                OutboundEmail.objects.filter(pk=row.pk).update(**{field: int(about)})
    unsent = OutboundEmail.objects.filter(status__in=["pending", "failed"])
    unsent.filter(created_at__gte=now - timedelta(days=3)).update(next_attempt_at=now)
    unsent.filter(created_at__lt=now - timedelta(days=3)).update(
        status="held", error="Not sent within three days of the upgrade to the outbox."
    )
    due = InboundEmail.objects.filter(
        auto_response_due=True, ticket__isnull=False, processed_at__gte=now - timedelta(days=1)
    ).exclude(from_address="")
    OutboundEmail.objects.bulk_create(
        [
            OutboundEmail(
                idempotency_key=f"auto_response:{inbound.pk}",
                kind="auto_response",
                ticket_id=inbound.ticket_id,
                inbound_id=inbound.pk,
                to=inbound.from_address,
                message_id_header=make_msgid(idstring="auto-response", domain=domain),
                next_attempt_at=now,
            )
            for inbound in due.iterator()
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0009_outbox"),
    ]

    operations = [
        migrations.RunPython(outbox_from_earlier_mail, migrations.RunPython.noop),
    ]
