from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0010_outbox_from_earlier_mail"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="inboundemail",
            name="tickets_inbound_response_due",
        ),
        migrations.RemoveField(
            model_name="inboundemail",
            name="auto_response_due",
        ),
    ]
