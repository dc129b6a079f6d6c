"""A trainee's mail waits for a manager, like their replies: the confirmation of a ticket a
trainee entered for a customer is held in the outbox until a manager approves it on the ticket
page. And confirmations to one address are capped per hour."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tickets import tasks
from tickets.models import Message, OutboundEmail, Ticket

pytestmark = pytest.mark.django_db

Out = OutboundEmail.Status


def enter_ticket(client, user, department, django_capture_on_commit_callbacks):
    client.force_login(user)
    data = {
        "email": "caller@example.org",
        "name": "Carl Caller",
        "source": "phone",
        "department": str(department.pk),
        "priority": "2",
        "subject": "Outage reported by phone",
        "message": "Nothing loads since 9:00.",
        "assign_to_me": "on",
        "send_confirmation": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tickets:desk_ticket_new"), data)
    assert response.status_code == 302
    return Ticket.objects.get()


def page(ticket):
    return reverse("tickets:desk_ticket", args=[ticket.number])


def approve_url(ticket, row):
    return reverse("tickets:desk_mail_approve", args=[ticket.number, row.pk])


def test_a_trainees_ticket_holds_its_confirmation_until_a_manager_approves_it(
    client, trainee, manager, department, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = enter_ticket(client, trainee, department, django_capture_on_commit_callbacks)

    row = OutboundEmail.objects.get(ticket=ticket, kind="confirmation")
    assert row.status == Out.AWAITING_APPROVAL and row.next_attempt_at is None
    assert mailoutbox == []
    trainee_page = client.get(page(ticket)).content.decode()
    assert "The confirmation mail to the customer waits for a manager" in trainee_page
    assert approve_url(ticket, row) not in trainee_page
    OutboundEmail.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=1))
    assert tasks.outbox_sweep_due() == 0  # the sweep never sends what waits for approval

    client.force_login(manager)
    manager_page = client.get(page(ticket) + "?peek=1").content.decode()
    assert approve_url(ticket, row) in manager_page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(approve_url(ticket, row), follow=True)

    assert response.status_code == 200
    assert "Mail approved" in response.content.decode()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["caller@example.org"]
    row.refresh_from_db()
    assert row.status == Out.SENT
    assert Message.objects.filter(ticket=ticket, event_data__event="mail_approved").exists()
    assert "approved the confirmation mail" in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(approve_url(ticket, row))
    assert len(mailoutbox) == 1


def test_only_a_manager_of_the_department_may_approve_a_held_mail(
    client, trainee, tech, department, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = enter_ticket(client, trainee, department, django_capture_on_commit_callbacks)
    row = OutboundEmail.objects.get(ticket=ticket)
    Ticket.objects.filter(pk=ticket.pk).update(assignee=tech)

    for user in (trainee, tech):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(approve_url(ticket, row))
        assert response.status_code == 404

    row.refresh_from_db()
    assert row.status == Out.AWAITING_APPROVAL
    assert mailoutbox == []


def test_a_mail_of_another_ticket_cannot_be_approved_through_this_one(
    client, trainee, manager, department, submit, django_capture_on_commit_callbacks
):
    ticket = enter_ticket(client, trainee, department, django_capture_on_commit_callbacks)
    row = OutboundEmail.objects.get(ticket=ticket)
    other = submit(email="someone@example.org")

    client.force_login(manager)
    response = client.post(approve_url(other, row))

    assert response.status_code == 404
    row.refresh_from_db()
    assert row.status == Out.AWAITING_APPROVAL


def test_a_techs_ticket_sends_its_confirmation_at_once(
    client, tech, department, mailoutbox, django_capture_on_commit_callbacks
):
    enter_ticket(client, tech, department, django_capture_on_commit_callbacks)

    assert len(mailoutbox) == 1
    assert OutboundEmail.objects.get().status == Out.SENT


def test_confirmations_to_one_address_are_capped_per_hour_and_the_tickets_still_open(
    submit, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MAIL_CONFIRMATIONS_PER_HOUR = 3
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            submit(subject=f"Request {n}", email="Victim@Example.org")
        submit(subject="Someone else", email="other@example.org")

    assert Ticket.objects.count() == 6
    assert (
        sorted(m.to[0].lower() for m in mailoutbox)
        == ["other@example.org"] + ["victim@example.org"] * 3
    )
    held = OutboundEmail.objects.filter(status=Out.HELD)
    assert held.count() == 2
    assert all("an hour" in row.error for row in held)
