"""Replies (public, internal, held for approval), the mail they send, and transfers."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.preferences import tech_preferences_update
from accounts.signatures import signature_image_process
from tests.factories import DepartmentFactory, MembershipFactory, TechFactory
from tests.tickets.conftest import png_upload
from tickets import queues, services, workflow
from tickets.models import ACTIVE_STATUS_TYPES, Attachment, Message, StatusType
from tickets.tasks import outbox_send

pytestmark = pytest.mark.django_db


def url(ticket, action=""):
    base = reverse("tickets:desk_ticket", args=[ticket.number])
    return f"{base}{action}/" if action else base


def token_page(client, ticket):
    client.logout()
    return client.get(reverse("tickets:ticket_by_token", args=[ticket.access_token]))


def in_queue(user, queue, ticket):
    return queues.queue_tickets(user=user, queue=queue).filter(pk=ticket.pk).exists()


def events(ticket, name):
    return list(
        Message.objects.filter(ticket=ticket, event_data__event=name).values_list(
            "event_data", flat=True
        )
    )


@pytest.fixture
def other_tech(department):
    user = TechFactory(full_name="Olga Other")
    MembershipFactory(user=user, department=department)
    return user


@pytest.fixture
def mine(submit, tech):
    """A ticket in Tom's pool."""
    return workflow.ticket_claim_on_open(ticket=submit(), tech=tech).ticket


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """Post the reply box as `user`, running what the commit would run."""

    def send(user, ticket, body="Restart the printer, please.", **data):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url(ticket, "reply"), {"body": body, **data})

    return send


def test_public_reply_is_emailed_after_commit_with_the_tag_and_a_message_id(
    send, tech, mine, mailoutbox
):
    response = send(tech, mine)

    message = Message.objects.get(ticket=mine, kind=Message.Kind.REPLY)
    mine.refresh_from_db()
    assert response.status_code == 302
    assert mine.first_response_at is not None
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["vera@example.org"]
    assert mail.subject.startswith(f"[#{mine.number}]")
    assert "Restart the printer, please." in mail.body
    assert message.email_message_id
    assert mail.extra_headers["Message-ID"] == message.email_message_id
    assert "In-Reply-To" not in mail.extra_headers
    assert message.emailed_at is not None


def test_a_second_reply_threads_to_the_first(send, tech, mine, mailoutbox):
    send(tech, mine, body="First answer.")
    send(tech, mine, body="Second answer.")

    first, second = Message.objects.filter(kind=Message.Kind.REPLY).order_by("id")
    headers = mailoutbox[1].extra_headers
    assert headers["Message-ID"] == second.email_message_id != first.email_message_id
    assert headers["In-Reply-To"] == first.email_message_id
    assert first.email_message_id in headers["References"].split()


def test_the_reply_mail_task_run_twice_sends_one_mail(send, tech, mine, mailoutbox):
    send(tech, mine)
    message = Message.objects.get(kind=Message.Kind.REPLY)

    row = message.outbound_emails.get()
    assert outbox_send.delay(outbox_ids=[row.pk]).get() == 0
    assert len(mailoutbox) == 1
    assert Message.objects.get(pk=message.pk).email_message_id == message.email_message_id


def test_a_customer_who_asked_to_be_told_gets_the_link_not_the_answer(
    send, tech, submit, mailoutbox
):
    ticket = submit(answer_preference="confirmation_by_email")
    workflow.ticket_claim_on_open(ticket=ticket, tech=tech)

    send(tech, ticket, body="The secret fix is inside.")

    body = mailoutbox[0].body
    html = next(c for c, kind in mailoutbox[0].alternatives if kind == "text/html")
    assert "The secret fix is inside." not in body
    assert "The secret fix is inside." not in html
    assert f"there is a new answer to your ticket #{ticket.number}." in body
    assert f"/support/t/{ticket.access_token}/" in body


def test_an_internal_note_is_never_emailed_nor_shown_to_the_customer(
    client, send, tech, mine, mailoutbox
):
    response = send(tech, mine, body="Customer sounds annoyed.", internal="on")

    note = Message.objects.get(ticket=mine, kind=Message.Kind.NOTE)
    mine.refresh_from_db()
    assert response.status_code == 302
    assert note.body == "Customer sounds annoyed."
    assert mailoutbox == []
    assert mine.first_response_at is None
    assert "Customer sounds annoyed." in client.get(url(mine)).content.decode()
    assert "Customer sounds annoyed." not in token_page(client, mine).content.decode()


def test_send_and_set_pending_moves_the_ticket_off_the_open_lists(send, tech, mine, mailoutbox):
    send(tech, mine, then="pending")

    mine.refresh_from_db()
    assert mine.status_type == StatusType.PENDING
    assert len(mailoutbox) == 1
    assert not in_queue(tech, "mine", mine)
    assert not in_queue(tech, "general", mine)
    assert in_queue(tech, "pending", mine)


def test_the_customer_writing_back_returns_it_to_the_top_of_my_pool(send, tech, mine, submit):
    urgent = workflow.ticket_claim_on_open(ticket=submit(priority=4), tech=tech).ticket
    send(tech, mine, then="pending")

    services.ticket_reply_from_customer(ticket=mine, body="Still broken after the restart.")

    mine.refresh_from_db()
    assert mine.status_type == StatusType.OPEN
    assert mine.assignee == tech
    assert mine.returned_at is not None
    page = queues.queue_page(user=tech, queue="mine")
    assert [ticket.pk for ticket in page.tickets] == [mine.pk, urgent.pk]

    send(tech, mine, body="Let us try something else.")

    mine.refresh_from_db()
    assert mine.returned_at is None
    assert queues.queue_page(user=tech, queue="mine").tickets[0].pk == urgent.pk


def test_an_internal_note_keeps_the_customer_replied_mark(send, tech, mine):
    send(tech, mine, then="pending")
    services.ticket_reply_from_customer(ticket=mine, body="Any news?")

    send(tech, mine, body="Asked the vendor.", internal="on")

    mine.refresh_from_db()
    assert mine.returned_at is not None


def test_send_and_close_closes_the_ticket(client, send, tech, mine):
    response = send(tech, mine, then="closed")

    mine.refresh_from_db()
    assert mine.status_type == StatusType.CLOSED
    assert mine.closed_at is not None
    assert not in_queue(tech, "mine", mine)
    assert "Reply sent and the ticket closed." in client.get(response.url).content.decode()


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_an_empty_reply_is_refused_and_nothing_is_written(send, tech, mine, mailoutbox, body):
    before = Message.objects.filter(ticket=mine).count()

    response = send(tech, mine, body=body, then="closed")

    mine.refresh_from_db()
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Message.objects.filter(ticket=mine).count() == before
    assert mine.status_type == StatusType.OPEN
    assert mailoutbox == []


def test_the_reply_service_refuses_a_blank_body(tech, mine):
    with pytest.raises(ValidationError):
        workflow.ticket_reply(ticket=mine, tech=tech, body="  ", internal=False)

    assert not Message.objects.filter(ticket=mine, kind=Message.Kind.REPLY).exists()


def test_a_trainees_reply_waits_for_a_manager_who_approves_it(
    client, send, trainee, manager, submit, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = workflow.ticket_claim_on_open(ticket=submit(), tech=trainee).ticket

    response = send(trainee, ticket, body="Trainee's careful answer.")

    reply = Message.objects.get(ticket=ticket, kind=Message.Kind.REPLY)
    ticket.refresh_from_db()
    assert "waits for a manager" in client.get(response.url).content.decode()
    assert reply.awaiting_approval
    # Nothing reaches the customer; the manager is told there is a reply to approve.
    assert [m.to for m in mailoutbox] == [[manager.email]]
    assert "careful answer" not in mailoutbox[0].subject
    mailoutbox.clear()
    assert ticket.first_response_at is None
    assert "careful answer" not in token_page(client, ticket).content.decode()

    client.force_login(manager)
    assert "Approve and send" in client.get(url(ticket) + "?peek=1").content.decode()
    approve = reverse("tickets:desk_reply_approve", args=[ticket.number, reply.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(approve)

    reply.refresh_from_db()
    ticket.refresh_from_db()
    assert response.status_code == 302
    assert not reply.awaiting_approval
    assert reply.approved_by == manager
    assert ticket.first_response_at is not None
    # The reply goes to the customer; the trainee is told it was approved.
    assert sorted(m.to[0] for m in mailoutbox) == sorted(["vera@example.org", trainee.email])
    to_customer = next(m for m in mailoutbox if m.to == ["vera@example.org"])
    assert "Trainee's careful answer." in to_customer.body
    assert events(ticket, "reply_approved") == [{"event": "reply_approved", "message": reply.pk}]
    assert "careful answer" in token_page(client, ticket).content.decode()


def test_a_plain_tech_cannot_approve_a_trainees_reply(client, send, trainee, tech, submit):
    ticket = workflow.ticket_claim_on_open(ticket=submit(), tech=trainee).ticket
    send(trainee, ticket, body="Held answer.")
    reply = Message.objects.get(kind=Message.Kind.REPLY)
    # Tom may see the ticket (it is in his pool now), but approving is a manager's job.
    workflow.ticket_transfer(ticket=ticket, by=trainee, to_tech=tech)
    client.force_login(tech)
    assert client.get(url(ticket)).status_code == 200

    response = client.post(reverse("tickets:desk_reply_approve", args=[ticket.number, reply.pk]))

    assert response.status_code == 404
    assert Message.objects.get(pk=reply.pk).awaiting_approval


def test_a_reply_carries_its_attachment(client, send, tech, mine, mailoutbox):
    send(tech, mine, body="See the marked area.", attachments=[png_upload("marked.png")])

    reply = Message.objects.get(kind=Message.Kind.REPLY)
    attachment = Attachment.objects.get(message=reply)
    assert attachment.original_name == "marked.png"
    assert attachment.is_image
    assert "marked.png" in client.get(url(mine)).content.decode()
    assert "Attached files are waiting for you at the link below." in mailoutbox[0].body


def jpeg_signature():
    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), (20, 90, 160)).save(buffer, "JPEG")
    upload = SimpleUploadedFile("me.jpg", buffer.getvalue(), content_type="image/jpeg")
    return signature_image_process(upload)


def test_the_techs_signature_text_ends_the_mail(send, tech, mine, mailoutbox):
    tech_preferences_update(
        user=tech,
        reply_as_note_by_default=False,
        signature_text="Tom Tech\nPrinter whisperer",
        signature_image=None,
        remove_image=False,
    )

    send(tech, mine)

    assert "-- \nTom Tech\nPrinter whisperer" in mailoutbox[0].body


def test_the_signature_image_travels_inline_with_its_content_id(send, tech, mine, mailoutbox):
    tech_preferences_update(
        user=tech,
        reply_as_note_by_default=False,
        signature_text="Tom",
        signature_image=jpeg_signature(),
        remove_image=False,
    )

    send(tech, mine)

    mime = mailoutbox[0].message()
    images = [part for part in mime.walk() if part.get_content_type() == "image/jpeg"]
    assert len(images) == 1
    assert images[0]["Content-ID"] == f"<signature-{tech.pk}@helpdesk>"
    assert images[0].get_payload(decode=True)[:2] == b"\xff\xd8"
    assert images[0]["Content-Disposition"].startswith("inline")


def test_the_signature_shows_as_html_in_the_html_part(send, tech, mine, mailoutbox):
    tech_preferences_update(
        user=tech,
        reply_as_note_by_default=False,
        signature_text="Tom <Tech>",
        signature_image=jpeg_signature(),
        remove_image=False,
    )

    send(tech, mine)

    html = next(c for c, kind in mailoutbox[0].alternatives if kind == "text/html")
    # The signature's own markup is rendered (the image is shown), its text stays escaped.
    assert f'<img src="cid:signature-{tech.pk}@helpdesk"' in html
    assert "<p>Tom &lt;Tech&gt;</p>" in html
    assert "&lt;p&gt;" not in html


# Transfer


def transfer(client, user, ticket, **data):
    client.force_login(user)
    return client.post(url(ticket, "transfer"), data)


def test_transfer_back_to_the_general_pool(client, tech, other_tech, mine):
    response = transfer(client, tech, mine, note="Needs someone who knows E-042.")

    mine.refresh_from_db()
    assert response.status_code == 302
    assert response.url == reverse("tickets:desk")
    assert mine.assignee is None
    assert mine.status_type in ACTIVE_STATUS_TYPES
    assert in_queue(other_tech, "general", mine)
    assert not in_queue(tech, "mine", mine)
    [event] = events(mine, "transferred")
    assert event["from_owner"] == "Tom Tech"
    assert event["to_owner"] == ""
    assert Message.objects.get(ticket=mine, kind=Message.Kind.NOTE).body == (
        "Needs someone who knows E-042."
    )


def test_transfer_to_another_department_clears_the_category_and_starts_anew(
    client, tech, mine, category
):
    billing = DepartmentFactory(name="Billing")
    biller = TechFactory()
    MembershipFactory(user=biller, department=billing)
    assert mine.category == category

    transfer(client, tech, mine, department=billing.pk)

    mine.refresh_from_db()
    assert (mine.department, mine.category, mine.assignee) == (billing, None, None)
    assert mine.status_type == StatusType.NEW
    assert in_queue(biller, "general", mine)
    # Tom transferred it away: its address now says where it went.
    assert client.get(url(mine)).url == reverse("tickets:desk")
    assert events(mine, "transferred")[0]["to_department"] == "Billing"


def test_transfer_to_a_named_tech_of_the_department(client, tech, other_tech, mine):
    transfer(client, tech, mine, tech=other_tech.pk)

    mine.refresh_from_db()
    assert mine.assignee == other_tech
    assert in_queue(other_tech, "mine", mine)
    assert events(mine, "transferred")[0]["to_owner"] == "Olga Other"


def test_transfer_to_a_tech_outside_the_department_is_refused(client, tech, mine):
    outsider = TechFactory(full_name="Otto Outsider")
    MembershipFactory(user=outsider, department=DepartmentFactory(name="Billing"))
    messages_before = Message.objects.filter(ticket=mine).count()

    response = transfer(client, tech, mine, tech=outsider.pk)

    mine.refresh_from_db()
    assert response.status_code == 400
    assert "Otto Outsider does not work in Technical support." in response.content.decode()
    assert mine.assignee == tech
    assert Message.objects.filter(ticket=mine).count() == messages_before
