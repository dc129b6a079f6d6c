"""The outbox: every mail is written with the change that causes it, sent after the commit, and
never lost to a broker outage or a failing send: a sweep queues what is still due, each mail is
sent once, and what cannot be sent is held back with its reason."""

from datetime import timedelta

import pytest
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from tests.mail.mails import mail
from tickets import tasks
from tickets.mail import outbox
from tickets.models import InboundEmail, OutboundEmail

pytestmark = pytest.mark.django_db

Status = InboundEmail.Status
Out = OutboundEmail.Status


def auto_responses(status=Out.SENT) -> list[str]:
    return list(
        OutboundEmail.objects.filter(kind="auto_response", status=status)
        .order_by("pk")
        .values_list("to", flat=True)
    )


def due_now(*rows: OutboundEmail) -> None:
    """Time passes: the rows' next attempt has come."""
    rows = rows or OutboundEmail.objects.all()
    OutboundEmail.objects.filter(pk__in=[row.pk for row in rows]).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def broker_down(*args, **kwargs):
    raise ConnectionError("broker unreachable")


def test_a_new_ticket_by_mail_writes_its_auto_response_with_the_record(
    mailbox, django_capture_on_commit_callbacks, mailoutbox
):
    from tickets.mail.intake import inbound_receive

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = inbound_receive(raw=mail(), channel="imap", mailbox=mailbox)
    row = OutboundEmail.objects.get(kind="auto_response")
    assert (row.inbound_id, row.ticket_id, row.status) == (
        result.inbound.pk,
        result.inbound.ticket_id,
        Out.PENDING,
    )
    assert mailoutbox == []

    for callback in callbacks:
        callback()

    assert auto_responses() == ["vera@example.org"]
    assert len(mailoutbox) == 1


def test_replies_and_automatic_mail_get_no_auto_response(receive):
    first = receive(mail()).inbound
    receive(mail(subject=f"Re: {first.ticket.tag} Printer", body="Still broken."))
    receive(
        mail(
            sender="bot@example.net",
            subject="Nightly report",
            headers={"Auto-Submitted": "auto-generated"},
        )
    )

    assert OutboundEmail.objects.filter(kind="auto_response").count() == 1


def test_a_broker_down_at_commit_loses_no_auto_response(receive, monkeypatch, mailoutbox):
    monkeypatch.setattr(tasks.outbox_send, "delay", broker_down)

    result = receive(mail())  # the intake still counts the mail as taken in

    assert result.inbound.status == Status.TICKET
    assert auto_responses(Out.PENDING) == ["vera@example.org"]
    monkeypatch.undo()

    assert tasks.outbox_sweep_due() == 0  # not due yet: its own task may still run
    due_now()
    assert tasks.outbox_sweep_due() == 1

    assert auto_responses() == ["vera@example.org"]
    due_now()
    assert tasks.outbox_sweep_due() == 0
    assert len(mailoutbox) == 1


def test_the_sweep_lets_a_day_old_auto_response_go(receive, monkeypatch, mailoutbox):
    monkeypatch.setattr(tasks.outbox_send, "delay", lambda **kwargs: None)
    receive(mail())
    OutboundEmail.objects.update(created_at=timezone.now() - timedelta(hours=25))
    due_now()

    assert tasks.outbox_sweep_due() == 0
    row = OutboundEmail.objects.get()
    assert row.status == Out.HELD and "day" in row.error
    assert mailoutbox == []


def test_those_over_the_hourly_limit_are_held_back_with_the_reason(receive_many, settings):
    settings.MAIL_AUTO_RESPONSES_PER_HOUR = 2

    results = receive_many(*(mail(subject=f"Request {n}") for n in range(4)))

    assert [r.inbound.status for r in results] == [Status.TICKET] * 4
    assert auto_responses() == ["vera@example.org"] * 2
    held = OutboundEmail.objects.filter(status=Out.HELD)
    assert held.count() == 2
    assert all("an hour" in row.error and row.next_attempt_at is None for row in held)
    due_now()
    assert tasks.outbox_sweep_due() == 0


def test_a_failed_send_is_tried_again_later_and_the_others_go(
    receive_many, monkeypatch, mailoutbox
):
    original = EmailMultiAlternatives.send

    def refused_for_ivan(self, *args, **kwargs):
        if self.to == ["ivan@example.net"]:
            raise ConnectionError("mail server refused")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", refused_for_ivan)
    # The task fails; the intake is not held up by it.
    results = receive_many(mail(), mail(sender="Ivan <ivan@example.net>", subject="Login fails"))

    assert [r.inbound.status for r in results] == [Status.TICKET] * 2
    failed = OutboundEmail.objects.get(status=Out.FAILED)
    assert failed.to == "ivan@example.net" and failed.attempts == 1
    assert "mail server refused" in failed.error
    # The next attempt waits a little: a mail server that refused now may take it later.
    assert failed.next_attempt_at > timezone.now() + timedelta(minutes=1)
    assert auto_responses() == ["vera@example.org"]

    monkeypatch.undo()
    assert tasks.outbox_sweep_due() == 0
    due_now(failed)
    assert tasks.outbox_sweep_due() == 1
    assert auto_responses() == ["vera@example.org", "ivan@example.net"]
    assert len(mailoutbox) == 2


def test_a_mail_that_keeps_failing_is_given_up_after_the_last_attempt(
    receive, monkeypatch, settings
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    monkeypatch.setattr(EmailMultiAlternatives, "send", broker_down)
    receive(mail())
    for _attempt in range(2):
        due_now()
        tasks.outbox_sweep_due()

    row = OutboundEmail.objects.get()
    assert (row.status, row.attempts, row.next_attempt_at) == (Out.FAILED, 3, None)
    assert tasks.outbox_sweep_due() == 0


def test_a_row_queued_twice_is_sent_once(receive, monkeypatch, mailoutbox):
    monkeypatch.setattr(tasks.outbox_send, "delay", lambda **kwargs: None)
    receive(mail())
    row = OutboundEmail.objects.get()

    assert outbox.outbox_send_due(outbox_ids=[row.pk]) == 1
    assert outbox.outbox_send_due(outbox_ids=[row.pk]) == 0
    assert tasks.outbox_send(outbox_ids=[row.pk]) == 0
    assert len(mailoutbox) == 1


def test_the_same_mail_is_never_written_to_the_outbox_twice(receive):
    ticket = receive(mail()).inbound.ticket
    first = outbox.outbox_add(kind=outbox.CONFIRMATION, ticket=ticket)
    again = outbox.outbox_add(kind=outbox.CONFIRMATION, ticket=ticket)

    assert first.pk == again.pk
    assert OutboundEmail.objects.filter(kind="confirmation").count() == 1


def test_an_admin_sends_a_given_up_mail_again_from_the_outbox_page(
    receive,
    monkeypatch,
    settings,
    client,
    admin_user,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    monkeypatch.setattr(EmailMultiAlternatives, "send", broker_down)
    receive(mail())
    row = OutboundEmail.objects.get()
    assert (row.status, row.next_attempt_at) == (Out.FAILED, None)
    monkeypatch.undo()
    client.force_login(admin_user)
    changelist = "/admin/tickets/outboundemail/"

    page = client.get(changelist)
    assert page.status_code == 200 and "vera@example.org" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist, {"action": "send_again", "_selected_action": [row.pk]}, follow=True
        )

    assert "1 mail queued again." in response.content.decode()
    row.refresh_from_db()
    assert row.status == Out.SENT
    assert len(mailoutbox) == 1


def test_the_outbox_page_is_for_admins_only(client, tech):
    client.force_login(tech)

    response = client.get("/admin/tickets/outboundemail/")

    assert response.status_code in (302, 403)
