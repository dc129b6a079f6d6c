"""The desk's mail pages: consult from the ticket page, the original mail, spam."""

import pytest
from django.urls import reverse

from departments.models import Mailbox
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


# Spam is seen and released only by the people of the department the mail would enter.


def spam_mail(*, mailbox, subject="Printer shows E-042", channel="imap"):
    return inbound_receive(
        raw=mail(headers={"X-Spam-Flag": "YES"}, subject=subject), channel=channel, mailbox=mailbox
    ).inbound


def release_url(inbound):
    return reverse("tickets:desk_spam_release", args=[inbound.pk])


@pytest.fixture
def billing_mailbox():
    billing = DepartmentFactory(name="Billing")
    return Mailbox.objects.create(
        name="Billing",
        department=billing,
        email_address="billing@example.test",
        host="127.0.0.1",
        username="billing",
    )


def test_spam_list_shows_only_the_mail_of_my_departments(client, tech, mailbox, billing_mailbox):
    spam_mail(mailbox=mailbox, subject="Ours: cheap printers")
    spam_mail(mailbox=billing_mailbox, subject="Billing's: cheap invoices")
    spam_mail(mailbox=None, subject="Nobody's: cheap webhooks", channel="webhook")
    client.force_login(tech)

    html = client.get(reverse("tickets:desk_spam")).content.decode()

    assert "Ours: cheap printers" in html
    assert "Billing&#x27;s" not in html and "cheap invoices" not in html
    assert "cheap webhooks" not in html


@pytest.mark.parametrize(
    "person", ["tech_of_billing", "tech_without_department", "trainee_of_billing", "customer"]
)
def test_who_must_not_release_a_departments_spam(client, mailbox, person, customer_user):
    inbound = spam_mail(mailbox=mailbox)
    billing = DepartmentFactory()
    user = {
        "tech_of_billing": lambda: MembershipFactory(department=billing).user,
        "tech_without_department": lambda: TechFactory(),
        "trainee_of_billing": lambda: (
            MembershipFactory(department=billing, user=TechFactory(replies_need_approval=True)).user
        ),
        "customer": lambda: customer_user,
    }[person]()
    client.force_login(user)

    response = client.post(release_url(inbound))

    assert response.status_code == (403 if person == "customer" else 404)
    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.SPAM
    assert inbound.ticket is None


def test_spam_without_a_mailbox_is_for_admins_only(client, tech, manager, admin_user):
    inbound = spam_mail(mailbox=None, subject="Webhook spam", channel="webhook")

    for person in (tech, manager):
        client.force_login(person)
        assert "Webhook spam" not in client.get(reverse("tickets:desk_spam")).content.decode()
        assert client.post(release_url(inbound)).status_code == 404
    client.force_login(admin_user)
    assert "Webhook spam" in client.get(reverse("tickets:desk_spam")).content.decode()


def test_an_admin_sees_and_releases_every_departments_spam(client, admin_user, billing_mailbox):
    inbound = spam_mail(mailbox=billing_mailbox, subject="Billing spam")
    client.force_login(admin_user)

    assert "Billing spam" in client.get(reverse("tickets:desk_spam")).content.decode()
    response = client.post(release_url(inbound))

    assert response.status_code == 302
    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.TICKET


def test_a_manager_releases_the_spam_of_their_department(client, manager, mailbox):
    inbound = spam_mail(mailbox=mailbox)
    client.force_login(manager)

    client.post(release_url(inbound))

    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.TICKET


def test_spam_release_needs_a_post(client, tech, mailbox):
    inbound = spam_mail(mailbox=mailbox)
    client.force_login(tech)

    assert client.get(release_url(inbound)).status_code == 405
    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.SPAM


def test_spam_list_queries_do_not_grow_with_the_mail(
    client, tech, mailbox, django_assert_num_queries
):
    spam_mail(mailbox=mailbox, subject="Spam 0")
    client.force_login(tech)
    client.get(reverse("tickets:desk_spam"))
    # session, user, the spam with its mailboxes, the notification bell's unread count
    with django_assert_num_queries(4) as few:
        client.get(reverse("tickets:desk_spam"))
    for index in range(1, 6):
        spam_mail(mailbox=mailbox, subject=f"Spam {index}")

    with django_assert_num_queries(len(few.captured_queries)):
        html = client.get(reverse("tickets:desk_spam")).content.decode()
    assert html.count("Not spam</button>") == 6


def test_marking_spam_on_a_ticket_i_may_not_see_is_not_found(client, mailed_ticket):
    outsider = MembershipFactory(department=DepartmentFactory()).user
    client.force_login(outsider)

    response = client.post(reverse("tickets:desk_mark_spam", args=[mailed_ticket.number]))

    assert response.status_code == 404
    mailed_ticket.refresh_from_db()
    assert mailed_ticket.status_type == StatusType.OPEN
    assert mailed_ticket.inbound_emails.get().status == InboundEmail.Status.TICKET


def test_the_spam_list_dates_are_in_the_house_format_and_the_readers_zone(client, tech, mailbox):
    """Issue 14: one date format everywhere (DATETIME_FORMAT), in the viewer's time zone."""
    import zoneinfo
    from datetime import UTC, datetime

    from django.utils.formats import date_format

    inbound = spam_mail(mailbox=mailbox)
    InboundEmail.objects.filter(pk=inbound.pk).update(
        received_at=datetime(2026, 11, 30, 22, 1, tzinfo=UTC)
    )
    tech.time_zone = "Asia/Tokyo"
    tech.save(update_fields=["time_zone"])
    client.force_login(tech)

    html = client.get(reverse("tickets:desk_spam")).content.decode()

    tokyo = datetime(2026, 11, 30, 22, 1, tzinfo=UTC).astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert f">{date_format(tokyo, 'DATETIME_FORMAT')}</time>" in html
    assert date_format(tokyo, "SHORT_DATETIME_FORMAT") not in html
