import pytest
from django.core.management import call_command

from departments.models import Mailbox
from helpdesk.demo import DEMO_PASSWORD
from tests.mail.mails import mail
from tickets.mail.polling import mailbox_poll
from tickets.models import Message, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUPPORT = "support@example.test"


def sign_in(page, base, email):
    page.goto(f"{base}/accounts/logout/")
    if page.get_by_role("button", name="Sign out").count():
        page.get_by_role("button", name="Sign out").first.click()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_admin_adds_a_mailbox_mail_becomes_a_ticket_and_the_tech_answers_by_mail(
    live_server, page, screenshot, mail_server, settings, mailoutbox
):
    call_command("demo_data")
    settings.MAILBOX_CA_FILE = str(mail_server.ca_file)
    base = live_server.url

    sign_in(page, base, "admin@example.com")
    page.goto(f"{base}/admin/departments/mailbox/add/")
    page.get_by_label("Name:", exact=True).fill("Support inbox")
    page.get_by_label("Department:").select_option(label="Technical support")
    page.get_by_label("Email address:").fill(SUPPORT)
    page.get_by_label("Server:", exact=True).fill("localhost")
    page.get_by_label("Port:", exact=True).fill(str(mail_server.imaps_port))
    page.get_by_label("User name:").fill(SUPPORT)
    page.get_by_label("Password:", exact=True).fill(mail_server.users[SUPPORT])
    page.locator("input[name=_save]").click()
    page.get_by_text("was added successfully").wait_for()
    mailbox = Mailbox.objects.get(email_address=SUPPORT)
    page.goto(f"{base}/admin/departments/mailbox/{mailbox.pk}/change/")
    page.get_by_role("button", name="Save and test the connection").click()
    page.get_by_text("Connected").wait_for()
    screenshot("email-admin-mailbox-connected")

    mail_server.deliver(
        SUPPORT,
        mail(
            sender="Nina Novak <nina@example.org>",
            to=SUPPORT,
            subject="Scanner jams on every page",
            body="It started this morning.",
        ),
    )
    assert mailbox_poll(mailbox_id=mailbox.pk).taken_in == 1
    ticket = Ticket.objects.get(subject="Scanner jams on every page")
    acknowledgement = next(m for m in mailoutbox if m.to == ["nina@example.org"])
    assert acknowledgement.subject.startswith(f"[#{ticket.number}]")

    sign_in(page, base, "tech@example.com")
    page.get_by_test_id("queue-general").click()
    page.get_by_role("link", name="Scanner jams on every page").click()
    page.get_by_label("Your answer").fill("Please clean the rollers and try again.")
    page.get_by_role("button", name="Send and set pending").click()
    page.get_by_text("Reply sent; the ticket waits for the customer.").wait_for()
    reply = next(m for m in mailoutbox if "clean the rollers" in m.body)
    assert reply.from_email == SUPPORT
    reply_id = reply.extra_headers["Message-ID"]

    mail_server.deliver(
        SUPPORT,
        mail(
            sender="nina@example.org",
            to=SUPPORT,
            subject=f"Re: {reply.subject}",
            in_reply_to=reply_id,
            body="That fixed it, thank you!\n\n> Please clean the rollers",
        ),
    )
    assert mailbox_poll(mailbox_id=mailbox.pk).taken_in == 1
    ticket.refresh_from_db()
    assert ticket.status_type == "open"
    page.goto(f"{base}/desk/t/{ticket.number}/")
    page.get_by_text("That fixed it, thank you!").wait_for()
    screenshot("email-thread-with-mail-reply")
    assert ticket.messages.filter(kind=Message.Kind.CUSTOMER).count() == 2
