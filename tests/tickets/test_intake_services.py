"""Creating tickets: matching customers, routing, numbering, confirmation, and atomicity."""

import threading

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from accounts.models import Customer, CustomerEmail, User
from tests.factories import CustomerFactory, MembershipFactory, TechFactory
from tests.tickets.conftest import png_upload
from tickets import services, workflow
from tickets.fraud import SenderBlocked
from tickets.mail.outbox import outbox_send_due
from tickets.models import (
    Attachment,
    BlockedSender,
    Message,
    OutboundEmail,
    RefusedAttempt,
    Source,
    StatusType,
    Ticket,
)

pytestmark = pytest.mark.django_db


def test_web_submission_creates_ticket_with_its_first_message(submit, department, category):
    ticket = submit()

    assert ticket.number >= 1000
    assert ticket.subject == "Printer shows E-042"
    assert ticket.department == department
    assert ticket.category == category
    assert ticket.priority == 3
    assert ticket.status.is_default and ticket.status_type == StatusType.NEW
    assert ticket.source == Source.PUBLIC_FORM
    assert ticket.assignee is None
    assert ticket.due_at == ticket.created_at + department.response_time_limit
    assert len(ticket.access_token) == 43
    message = ticket.messages.get()
    assert message.kind == Message.Kind.CUSTOMER
    assert message.body == "It stopped after the update."
    assert message.author_customer == ticket.customer
    assert message.ip_address == "198.51.100.7"


def test_new_address_creates_a_customer_with_it_as_primary(submit):
    ticket = submit(email="New.Person@Example.org", name="New Person")

    customer = ticket.customer
    assert customer.name == "New Person"
    assert list(customer.emails.values_list("email", "is_primary")) == [
        ("new.person@example.org", True)
    ]


def test_known_address_is_matched_regardless_of_case(submit):
    existing = CustomerFactory(name="Vera V.")
    CustomerEmail.objects.create(customer=existing, email="vera@example.org", is_primary=True)

    ticket = submit(email="VERA@example.ORG")

    assert ticket.customer == existing
    assert Customer.objects.count() == 1


def member_of(department):
    return MembershipFactory(department=department, user=TechFactory()).user


def test_ticket_goes_to_the_customers_account_manager_first(submit, public_form, department):
    manager_tech = member_of(department)
    public_form.default_tech = member_of(department)
    public_form.save()
    customer = CustomerFactory(account_manager=manager_tech)
    CustomerEmail.objects.create(customer=customer, email="vera@example.org", is_primary=True)

    assert submit().assignee == manager_tech


def test_ticket_goes_to_the_forms_default_tech_when_no_account_manager(
    submit, public_form, department
):
    public_form.default_tech = member_of(department)
    public_form.save()

    assert submit().assignee == public_form.default_tech


def test_an_account_manager_of_another_department_is_passed_over(submit, public_form, department):
    """The ownership rule (tickets/ownership.py) holds for routing too: a ticket is owned only
    by someone who works in its department."""
    elsewhere = TechFactory()  # works in no department
    public_form.default_tech = member_of(department)
    public_form.save()
    customer = CustomerFactory(account_manager=elsewhere)
    CustomerEmail.objects.create(customer=customer, email="vera@example.org", is_primary=True)

    assert submit().assignee == public_form.default_tech
    public_form.default_tech = TechFactory()
    public_form.save()
    assert submit(subject="Again").assignee is None


def test_inactive_account_manager_is_passed_over_for_the_general_pool(submit):
    gone = TechFactory(is_active=False)
    customer = CustomerFactory(account_manager=gone)
    CustomerEmail.objects.create(customer=customer, email="vera@example.org", is_primary=True)

    assert submit().assignee is None


def test_without_a_category_the_forms_department_takes_the_ticket(submit, public_form):
    assert submit(category=None).department == public_form.default_department


def test_confirmation_is_mailed_after_commit_with_number_and_secret_link(
    submit, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://help.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        ticket = submit()

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["vera@example.org"]
    assert mail.subject.startswith(f"[#{ticket.number}]")
    link = f"https://help.example.com/support/t/{ticket.access_token}/"
    assert link in mail.body
    assert link in mail.alternatives[0][0]
    ticket.refresh_from_db()
    assert ticket.confirmation_sent_at is not None


def test_confirmation_task_run_twice_sends_one_mail(submit, mailoutbox):
    ticket = submit()

    row = OutboundEmail.objects.get(ticket=ticket, kind="confirmation")
    assert outbox_send_due(outbox_ids=[row.pk]) == 1
    assert outbox_send_due(outbox_ids=[row.pk]) == 0
    assert len(mailoutbox) == 1


def test_no_confirmation_is_sent_when_creation_fails(
    submit, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    def explode(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "attachments_save", explode)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        submit()

    assert mailoutbox == []


def test_failure_after_files_were_stored_leaves_no_ticket_customer_or_file(submit, monkeypatch):
    written = []

    def store_then_fail(*, message, inspected, stored_names):
        name = default_storage.save("attachments/test/partial.bin", png_upload())
        stored_names.append(name)
        written.append(name)
        raise RuntimeError("storage went away")

    monkeypatch.setattr(services, "attachments_save", store_then_fail)
    with pytest.raises(RuntimeError):
        submit(files=[png_upload()])

    assert written and not default_storage.exists(written[0])
    assert Ticket.objects.count() == 0
    assert Message.objects.count() == 0
    assert Customer.objects.count() == 0


def test_attachments_are_stored_with_the_first_message(submit):
    ticket = submit(files=[png_upload("error.png")])

    attachment = Attachment.objects.get(message__ticket=ticket)
    assert attachment.original_name == "error.png"
    assert attachment.is_image
    assert default_storage.exists(attachment.file.name)


@pytest.mark.parametrize(
    ("kind", "value", "email", "ip"),
    [
        (BlockedSender.Kind.EMAIL, "bad@example.net", "BAD@example.net", "198.51.100.1"),
        (BlockedSender.Kind.DOMAIN, "spam.example", "x@spam.example", "198.51.100.1"),
        (BlockedSender.Kind.DOMAIN, "spam.example", "x@mail.spam.example", "198.51.100.1"),
        (BlockedSender.Kind.IP, "203.0.113.9", "ok@example.org", "203.0.113.9"),
        (BlockedSender.Kind.IP, "192.0.2.0/24", "ok@example.org", "192.0.2.77"),
    ],
)
def test_blocked_sender_is_refused_recorded_and_nothing_created(submit, kind, value, email, ip):
    block = BlockedSender.objects.create(kind=kind, value=value)

    with pytest.raises(SenderBlocked):
        submit(email=email, ip_address=ip)

    attempt = RefusedAttempt.objects.get()
    assert attempt.blocked_by == block
    assert attempt.email == email.lower()
    assert attempt.ip_address == ip
    assert attempt.subject == "Printer shows E-042"
    assert Ticket.objects.count() == 0
    assert Customer.objects.count() == 0


def test_similar_but_different_domain_is_not_blocked(submit):
    BlockedSender.objects.create(kind=BlockedSender.Kind.DOMAIN, value="spam.example")

    assert submit(email="x@notspam.example").pk


def test_customer_reply_reopens_a_pending_ticket_in_its_owners_pool(submit, tech):
    ticket = submit()
    Ticket.objects.filter(pk=ticket.pk).update(assignee=tech)
    workflow.ticket_status_change(ticket=ticket, status_type=StatusType.PENDING, author=tech)

    services.ticket_reply_from_customer(ticket=ticket, body="Here is the log you asked for.")

    ticket.refresh_from_db()
    assert ticket.status_type == StatusType.OPEN
    assert ticket.assignee == tech
    events = ticket.messages.filter(kind=Message.Kind.EVENT)
    assert events.last().event_data["event"] == "status_changed"


def test_customer_reply_to_a_closed_unowned_ticket_returns_it_to_the_general_pool(submit):
    ticket = submit()
    workflow.ticket_status_change(ticket=ticket, status_type=StatusType.CLOSED, author=None)

    services.ticket_reply_from_customer(ticket=ticket, body="It broke again.")

    ticket.refresh_from_db()
    assert ticket.status_type == StatusType.NEW
    assert ticket.closed_at is None


def test_staff_enter_a_ticket_for_a_new_customer_into_their_own_pool(tech, department):
    ticket = services.ticket_create_for_customer(
        staff=tech,
        email="caller@example.org",
        name="Carl Caller",
        phone="+1 555 0199",
        subject="Called about the outage",
        body="Customer says nothing loads since 9:00.",
        category=None,
        department=department,
        priority=4,
        source=Source.PHONE,
        assign_to_me=True,
        send_confirmation=False,
    )

    assert ticket.source == Source.PHONE
    assert ticket.assignee == tech
    assert ticket.created_by == tech
    assert ticket.customer.phone == "+1 555 0199"
    assert ticket.messages.filter(kind=Message.Kind.EVENT).get().event_data == {
        "event": "entered_by_staff",
        "source": "phone",
    }


def test_staff_entered_ticket_links_an_existing_customer(tech, department):
    existing = CustomerFactory()
    CustomerEmail.objects.create(customer=existing, email="known@example.org", is_primary=True)

    ticket = services.ticket_create_for_customer(
        staff=tech,
        email="Known@Example.org",
        name="Whoever",
        phone="",
        subject="Walk-in",
        body="Came to the desk.",
        category=None,
        department=department,
        priority=2,
        source=Source.WALK_IN,
        assign_to_me=False,
        send_confirmation=False,
    )

    assert ticket.customer == existing
    assert ticket.assignee is None


def test_new_ticket_from_a_message_copies_text_and_files_and_links_both(submit, tech, department):
    origin = submit(files=[png_upload("first.png")], body="Two problems: A and B.")
    message = origin.messages.get(kind=Message.Kind.CUSTOMER)

    ticket = services.ticket_create_from_message(
        staff=tech,
        message=message,
        subject="Problem B",
        department=department,
        priority=2,
        send_confirmation=False,
    )

    assert ticket.customer == origin.customer
    assert ticket.split_from == message
    first = ticket.messages.get(kind=Message.Kind.CUSTOMER)
    assert first.body == "Two problems: A and B."
    copied = first.attachments.get()
    original = message.attachments.get()
    assert copied.original_name == "first.png"
    assert copied.file.name != original.file.name
    assert default_storage.exists(copied.file.name)
    assert origin.messages.filter(kind=Message.Kind.EVENT).get().event_data["ticket"] == (
        ticket.number
    )


def test_signed_in_customer_submission_links_their_account(submit, customer_user):
    ticket = submit(email=customer_user.email, name=customer_user.full_name, user=customer_user)

    assert ticket.customer.user == customer_user
    assert ticket.messages.get().author == customer_user


def test_customer_area_submission_uses_its_source(submit, public_form, customer_user):
    public_form.audience = public_form.Audience.CUSTOMER_AREA
    public_form.save()

    ticket = submit(email=customer_user.email, user=customer_user)

    assert ticket.source == Source.CUSTOMER_AREA


@pytest.mark.django_db(transaction=True)
def test_ticket_numbers_stay_unique_when_many_are_created_at_once(department):
    from tests.factories import WebFormFactory

    form = WebFormFactory(default_department=department)
    numbers, errors = [], []

    def create(worker):
        try:
            for index in range(5):
                ticket = services.ticket_submit_from_web(
                    form=form,
                    name=f"Worker {worker}",
                    email=f"worker{worker}-{index}@example.org",
                    subject=f"Parallel {worker}/{index}",
                    body="Created in parallel.",
                    category=None,
                    priority=2,
                )
                numbers.append(ticket.number)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(numbers) == 40
    assert len(set(numbers)) == 40
    assert Ticket.objects.count() == 40


def test_visitor_submission_does_not_create_a_sign_in_account(submit):
    users_before = User.objects.count()

    ticket = submit()

    assert User.objects.count() == users_before
    assert ticket.customer.user is None
