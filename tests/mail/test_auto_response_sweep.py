"""An auto-response is never lost to a broker outage or a failing send: the record says it is due
until it went out (or the hourly limit held it back), and a sweep queues the overdue ones."""

from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.utils import timezone

from tests.mail.mails import mail
from tickets import tasks
from tickets.models import InboundEmail, OutboundEmail

pytestmark = pytest.mark.django_db

Status = InboundEmail.Status


def auto_responses() -> list[str]:
    return list(
        OutboundEmail.objects.filter(kind="auto_response", status=OutboundEmail.Status.SENT)
        .order_by("pk")
        .values_list("to", flat=True)
    )


def overdue(*inbounds: InboundEmail, minutes: int = 15) -> None:
    InboundEmail.objects.filter(pk__in=[i.pk for i in inbounds]).update(
        processed_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_a_new_ticket_is_due_an_auto_response_until_it_is_sent(
    mailbox, django_capture_on_commit_callbacks
):
    from tickets.mail.intake import inbound_receive

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = inbound_receive(raw=mail(), channel="imap", mailbox=mailbox)
    inbound = InboundEmail.objects.get(pk=result.inbound.pk)
    assert inbound.status == Status.TICKET and inbound.auto_response_due

    for callback in callbacks:
        callback()

    inbound.refresh_from_db()
    assert not inbound.auto_response_due
    assert auto_responses() == ["vera@example.org"]


def test_replies_and_automatic_mail_are_never_due(receive):
    first = receive(mail()).inbound
    reply = receive(mail(subject=f"Re: {first.ticket.tag} Printer", body="Still broken.")).inbound
    automatic = receive(
        mail(
            sender="bot@example.net",
            subject="Nightly report",
            headers={"Auto-Submitted": "auto-generated"},
        )
    ).inbound

    assert reply.status == Status.REPLY and not reply.auto_response_due
    assert automatic.status == Status.TICKET and not automatic.auto_response_due
    assert not InboundEmail.objects.filter(auto_response_due=True).exists()


def test_a_broker_down_at_commit_loses_no_auto_response(receive, monkeypatch):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.inbound_auto_responses_send, "delay", broker_down)

    result = receive(mail())  # the intake still counts the mail as taken in

    assert result.inbound.status == Status.TICKET
    assert InboundEmail.objects.get(pk=result.inbound.pk).auto_response_due
    assert auto_responses() == []
    monkeypatch.undo()

    assert tasks.inbound_auto_responses_sweep() == 0  # not overdue yet: its task may still run
    overdue(result.inbound)
    assert tasks.inbound_auto_responses_sweep() == 1

    assert auto_responses() == ["vera@example.org"]
    assert not InboundEmail.objects.get(pk=result.inbound.pk).auto_response_due
    assert tasks.inbound_auto_responses_sweep() == 0
    assert len(django_mail.outbox) == 1


def test_the_sweep_lets_a_day_old_one_go(receive, monkeypatch):
    monkeypatch.setattr(tasks.inbound_auto_responses_send, "delay", lambda **kwargs: None)
    inbound = receive(mail()).inbound
    overdue(inbound, minutes=25 * 60)

    assert tasks.inbound_auto_responses_sweep() == 0
    assert InboundEmail.objects.get(pk=inbound.pk).auto_response_due


def test_those_held_back_by_the_hourly_limit_are_handled_too(receive_many, settings):
    settings.MAIL_AUTO_RESPONSES_PER_HOUR = 2

    results = receive_many(*(mail(subject=f"Request {n}") for n in range(4)))

    assert [r.inbound.status for r in results] == [Status.TICKET] * 4
    assert auto_responses() == ["vera@example.org"] * 2
    assert not InboundEmail.objects.filter(auto_response_due=True).exists()


def test_a_failed_send_stays_due_and_the_others_are_done(receive_many, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    original = EmailMultiAlternatives.send

    def refused_for_ivan(self, *args, **kwargs):
        if self.to == ["ivan@example.net"]:
            raise ConnectionError("mail server refused")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", refused_for_ivan)
    # The task fails (and would be retried); the intake is not held up by it.
    results = receive_many(mail(), mail(sender="Ivan <ivan@example.net>", subject="Login fails"))

    assert [r.inbound.status for r in results] == [Status.TICKET] * 2

    due = InboundEmail.objects.filter(auto_response_due=True)
    assert list(due.values_list("from_address", flat=True)) == ["ivan@example.net"]
    assert auto_responses() == ["vera@example.org"]

    monkeypatch.undo()
    overdue(*due)
    assert tasks.inbound_auto_responses_sweep() == 1
    assert auto_responses() == ["vera@example.org", "ivan@example.net"]
    assert not InboundEmail.objects.filter(auto_response_due=True).exists()
