"""The desk's mail pages: consult from the ticket page, the original mail, spam."""

import pytest
from django.urls import reverse

from tests.factories import DepartmentFactory, MembershipFactory, TechFactory
from tests.mail.mails import mail
from tickets import workflow
from tickets.mail.intake import inbound_receive
from tickets.models import Consultation, InboundEmail, StatusType

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailed_ticket(mailbox, tech):
    ticket = inbound_receive(raw=mail(), channel="imap", mailbox=mailbox).inbound.ticket
    return workflow.ticket_claim_on_open(ticket=ticket, tech=tech).ticket


def test_ticket_page_offers_consultation_and_sends_the_question(client, tech, mailed_ticket):
    legal = DepartmentFactory(name="Legal", consultation_email="legal@example.test")
    client.force_login(tech)
    page = reverse("tickets:desk_ticket", args=[mailed_ticket.number])

    assert "Legal (legal@example.test)" in client.get(page).content.decode()
    response = client.post(page + "consult/", {"department": legal.pk, "question": "Refund?"})

    assert response.status_code == 302
    mailed_ticket.refresh_from_db()
    assert mailed_ticket.status_type == StatusType.CONSULTATION
    assert Consultation.objects.get().department == legal


def test_consulting_without_a_question_changes_nothing(client, tech, mailed_ticket):
    legal = DepartmentFactory(name="Legal", consultation_email="legal@example.test")
    client.force_login(tech)
    page = reverse("tickets:desk_ticket", args=[mailed_ticket.number])

    client.post(page + "consult/", {"department": legal.pk, "question": "  "})

    assert not Consultation.objects.exists()
    mailed_ticket.refresh_from_db()
    assert mailed_ticket.status_type == StatusType.OPEN


def test_the_original_mail_is_one_click_away_for_staff_only(client, tech, mailed_ticket):
    message = mailed_ticket.messages.first()
    url = reverse("tickets:desk_message_original", args=[mailed_ticket.number, message.pk])
    client.force_login(tech)

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert b"Since the update every job stops." in response.content
    outsider = TechFactory()
    MembershipFactory(user=outsider, department=DepartmentFactory())
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_spam_list_and_release(client, tech, mailbox):
    spam = inbound_receive(
        raw=mail(headers={"X-Spam-Flag": "YES"}), channel="imap", mailbox=mailbox
    ).inbound
    client.force_login(tech)

    assert "Printer shows E-042" in client.get(reverse("tickets:desk_spam")).content.decode()
    client.post(reverse("tickets:desk_spam_release", args=[spam.pk]))

    spam.refresh_from_db()
    assert spam.status == InboundEmail.Status.TICKET


def test_techs_of_other_departments_do_not_see_the_spam(client, mailbox):
    spam = inbound_receive(
        raw=mail(headers={"X-Spam-Flag": "YES"}), channel="imap", mailbox=mailbox
    ).inbound
    outsider = TechFactory()
    MembershipFactory(user=outsider, department=DepartmentFactory())
    client.force_login(outsider)

    assert "Printer shows E-042" not in client.get(reverse("tickets:desk_spam")).content.decode()
    assert client.post(reverse("tickets:desk_spam_release", args=[spam.pk])).status_code == 404


def test_a_tech_marks_a_mailed_ticket_as_spam(client, tech, mailed_ticket):
    client.force_login(tech)

    client.post(reverse("tickets:desk_mark_spam", args=[mailed_ticket.number]))

    mailed_ticket.refresh_from_db()
    assert mailed_ticket.status_type == StatusType.CLOSED
    assert mailed_ticket.inbound_emails.get().status == InboundEmail.Status.SPAM
