"""Notifications by email: at once through the outbox in the change's transaction, or in the
hourly digest, exactly once however many runs; editable templates; staff only."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings

from responses.mail_defaults import DEFAULTS
from responses.mail_templates import mail_preview
from responses.models import MailTemplate
from tests.concurrency import run_in_threads
from tests.faults import broker_unreachable
from tests.tickets import conftest as ticket_fixtures
from tickets import notification_mail, services, tasks, workflow
from tickets.mail import outbox
from tickets.models import (
    Activity,
    EmailState,
    Notification,
    NotificationPreference,
    OutboundEmail,
)

pytestmark = pytest.mark.django_db

Email = NotificationPreference.Email

# The tickets' fixtures: a ticket opened through the public form, as a visitor would.
category = ticket_fixtures.category
public_form = ticket_fixtures.public_form
submit = ticket_fixtures.submit


def prefer(user, activity, email):
    NotificationPreference.objects.update_or_create(
        user=user, activity=activity, defaults={"email": email}
    )


@pytest.fixture
def mine(submit, tech, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = workflow.ticket_claim_on_open(ticket=submit(), tech=tech).ticket
    mailoutbox.clear()
    return ticket


def notification_rows():
    return OutboundEmail.objects.filter(kind=outbox.NOTIFICATION)


def test_a_held_reply_emails_the_manager_at_once_through_the_outbox(
    submit, trainee, manager, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = workflow.ticket_claim_on_open(ticket=submit(), tech=trainee).ticket
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        held = workflow.ticket_reply(
            ticket=ticket, tech=trainee, body="Please restart it.", internal=False
        )

    notification = Notification.objects.get(recipient=manager, message=held)
    row = notification_rows().get()
    assert notification.outbound == row
    assert row.idempotency_key == f"notification:{manager.pk}:{held.pk}"
    assert row.status == OutboundEmail.Status.SENT
    # The held reply itself never reached the outbox: the mail is the manager's, not the reply.
    assert not OutboundEmail.objects.filter(message=held).exists()
    [sent] = mailoutbox
    assert sent.to == [manager.email]
    assert sent.subject.startswith(ticket.tag)
    assert "waits for your approval" in sent.subject
    assert f"{settings.SITE_URL}/desk/t/{ticket.number}/" in sent.body
    assert "Please restart it." in sent.body
    assert ticket.access_token not in sent.body  # the customer's link stays the customer's
    notification.refresh_from_db()
    assert notification.email_state == EmailState.EMAILED


def test_a_customer_reply_is_not_emailed_by_default(mine, tech, mailoutbox):
    services.ticket_reply_from_customer(ticket=mine, body="Any news?")

    assert tech.notifications.get().email_state == EmailState.NONE
    assert not notification_rows().exists()


def test_immediate_mail_is_kept_when_the_broker_is_down_and_sent_once_later(
    mine, tech, mailoutbox, django_capture_on_commit_callbacks
):
    prefer(tech, Activity.CUSTOMER_MESSAGE, Email.IMMEDIATE)

    with broker_unreachable(), django_capture_on_commit_callbacks(execute=True):
        message = services.ticket_reply_from_customer(ticket=mine, body="Any news?")

    row = notification_rows().get()
    assert row.status == OutboundEmail.Status.PENDING
    assert Notification.objects.get(message=message, recipient=tech).outbound == row
    assert mailoutbox == []

    OutboundEmail.objects.update(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
    assert tasks.outbox_sweep_due() == 1
    OutboundEmail.objects.update(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
    assert tasks.outbox_sweep_due() == 0
    assert len(mailoutbox) == 1
    assert "Any news?" in mailoutbox[0].body


def test_an_edited_template_is_used(mine, tech, mailoutbox, django_capture_on_commit_callbacks):
    MailTemplate.objects.create(
        key=MailTemplate.Key.NOTIFICATION,
        subject="Heads up: {{ what_happened }}",
        body="Hi {{ recipient_name }}, see {{ desk_link }}",
    )
    prefer(tech, Activity.CUSTOMER_MESSAGE, Email.IMMEDIATE)

    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply_from_customer(ticket=mine, body="Any news?")

    [sent] = mailoutbox
    assert sent.subject == f"{mine.tag} Heads up: Vera Visitor wrote"
    assert sent.body == f"Hi Tom Tech, see {settings.SITE_URL}/desk/t/{mine.number}/"


def test_a_recipient_who_left_is_not_emailed(
    mine, tech, mailoutbox, django_capture_on_commit_callbacks
):
    prefer(tech, Activity.CUSTOMER_MESSAGE, Email.IMMEDIATE)
    with broker_unreachable(), django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply_from_customer(ticket=mine, body="Any news?")
    tech.is_active = False
    tech.save(update_fields=["is_active"])

    outbox.outbox_send_due(outbox_ids=list(notification_rows().values_list("pk", flat=True)))

    row = notification_rows().get()
    assert row.status == OutboundEmail.Status.HELD
    assert mailoutbox == []


def test_the_templates_have_defaults_and_a_preview():
    for key in (MailTemplate.Key.NOTIFICATION, MailTemplate.Key.NOTIFICATION_DIGEST):
        subject, body = DEFAULTS[key]
        preview = mail_preview(key=key, subject=str(subject), body=str(body))
        assert "{{" not in preview.text and "{{" not in preview.subject
        assert "https://helpdesk.example.com/" in preview.text
    digest = mail_preview(
        key=MailTemplate.Key.NOTIFICATION_DIGEST, subject="Digest", body="{{ notifications }}"
    )
    assert digest.subject == "Digest"  # no ticket tag on a mail about many tickets


# --- the hourly digest ----------------------------------------------------------------------------


@pytest.fixture
def waiting(submit, tech, mailoutbox):
    """Two customer replies on two of Tom's tickets, for his hourly digest."""
    prefer(tech, Activity.CUSTOMER_MESSAGE, Email.DIGEST)
    tickets = [
        workflow.ticket_claim_on_open(ticket=submit(subject=f"Case {n}"), tech=tech).ticket
        for n in range(2)
    ]
    for ticket in tickets:
        services.ticket_reply_from_customer(ticket=ticket, body="Hello again")
    mailoutbox.clear()
    return tickets


def digest_rows():
    return OutboundEmail.objects.filter(kind=outbox.NOTIFICATION_DIGEST)


HOUR = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_the_digest_gathers_a_persons_notifications_in_one_mail(
    waiting, tech, mailoutbox, django_capture_on_commit_callbacks
):
    assert set(tech.notifications.values_list("email_state", flat=True)) == {EmailState.DIGEST}

    with django_capture_on_commit_callbacks(execute=True):
        assert notification_mail.notification_digests_send(now=HOUR + timedelta(minutes=3)) == 1

    row = digest_rows().get()
    assert row.idempotency_key == f"digest:{tech.pk}:2026-03-02T09"
    assert row.status == OutboundEmail.Status.SENT
    [sent] = mailoutbox
    assert sent.to == [tech.email]
    for ticket in waiting:
        assert f"{ticket.tag} Vera Visitor wrote: {ticket.subject}" in sent.body
        assert f"{settings.SITE_URL}/desk/t/{ticket.number}/" in sent.body
    assert set(tech.notifications.values_list("email_state", flat=True)) == {EmailState.EMAILED}
    # Nothing waits any more: the next run writes nothing.
    assert notification_mail.notification_digests_send(now=HOUR + timedelta(minutes=4)) == 0
    assert digest_rows().count() == 1


def test_a_notification_arriving_after_this_hours_digest_went_waits_for_the_next(
    waiting, tech, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification_mail.notification_digests_send(now=HOUR)
    late = services.ticket_reply_from_customer(ticket=waiting[0], body="One more thing")

    with django_capture_on_commit_callbacks(execute=True):
        assert notification_mail.notification_digests_send(now=HOUR + timedelta(minutes=30)) == 0
    assert Notification.objects.get(message=late).email_state == EmailState.DIGEST

    with django_capture_on_commit_callbacks(execute=True):
        assert notification_mail.notification_digests_send(now=HOUR + timedelta(hours=1)) == 1
    assert len(mailoutbox) == 2
    assert "One more thing" not in mailoutbox[1].body  # a digest lists, the ticket tells
    assert Notification.objects.get(message=late).email_state == EmailState.EMAILED


def test_the_beat_schedule_runs_the_digest_every_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["notification-digests"]
    assert entry["task"] == "tickets.tasks.notification_digests"
    assert entry["schedule"].minute == {0}


@pytest.mark.django_db(transaction=True)
def test_two_digest_runs_at_once_send_one_digest(submit, tech, mailoutbox, monkeypatch):
    prefer(tech, Activity.CUSTOMER_MESSAGE, Email.DIGEST)
    for n in range(3):
        ticket = workflow.ticket_claim_on_open(ticket=submit(subject=f"Case {n}"), tech=tech).ticket
        services.ticket_reply_from_customer(ticket=ticket, body="Hello again")
    assert tech.notifications.filter(email_state=EmailState.DIGEST).count() == 3
    mailoutbox.clear()

    both_looked = threading.Barrier(2)
    real_write = notification_mail._digest_write

    def digest_write(**kwargs):
        both_looked.wait(timeout=10)  # each run found Tom waiting before either wrote
        return real_write(**kwargs)

    monkeypatch.setattr(notification_mail, "_digest_write", digest_write)
    written = [None, None]

    def run(index):
        written[index] = notification_mail.notification_digests_send(now=HOUR)

    run_in_threads(2, run)

    assert sorted(written) == [0, 1]
    row = digest_rows().get()
    assert row.status == OutboundEmail.Status.SENT
    assert len([m for m in mailoutbox if m.to == [tech.email]]) == 1
    assert set(tech.notifications.values_list("outbound", flat=True)) == {row.pk}
