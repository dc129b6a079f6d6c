"""Forgot your password?: the same page whether or not the address has an account, a link mailed
through the outbox (never lost to a broker outage), working once and for a limited time, a new
password that signs in; the throttle; staff sending a customer the link from the customer page."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from accounts.account_mail import account_mails
from accounts.models import Customer, CustomerChange, CustomerEmail
from responses.models import MailTemplate
from tests.accounts.account_mail_support import link_in
from tests.factories import PASSWORD, MembershipFactory, TechFactory, UserFactory
from tests.faults import broker_unreachable
from tests.mail.mails import mail
from tickets import tasks
from tickets.mail import outbox
from tickets.mail.intake import inbound_receive
from tickets.models import OutboundEmail

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "violet-harbour-lantern-93"
RESET = reverse("accounts:password_reset")
SENT = reverse("accounts:password_reset_done")


@pytest.fixture
def carla(db):
    return UserFactory(email="carla@example.org", full_name="Carla Customer")


def ask(client, email, capture):
    with capture(execute=True):
        return client.post(RESET, {"email": email})


def test_the_sign_in_page_offers_the_reset(client):
    page = client.get(reverse("accounts:sign_in")).content.decode()
    assert f'href="{RESET}"' in page
    assert "Forgot your password?" in page


def test_a_reset_mail_goes_through_the_outbox_and_the_link_sets_a_password_that_signs_in(
    client, carla, mailoutbox, django_capture_on_commit_callbacks
):
    response = ask(client, "Carla@Example.org", django_capture_on_commit_callbacks)

    assert response.status_code == 302 and response["Location"] == SENT
    row = OutboundEmail.objects.get(kind=outbox.PASSWORD_RESET)
    assert (row.to, row.status, row.ticket_id) == (carla.email, OutboundEmail.Status.SENT, None)
    assert len(mailoutbox) == 1
    sent = mailoutbox[0]
    assert sent.to == [carla.email]
    assert sent.subject == "Your password reset link"
    assert "Hello Carla Customer," in sent.body
    assert "works once, for 1 day" in sent.body
    assert "{{" not in sent.body

    link = link_in(sent)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]  # Django hides the token behind a session redirect
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("tickets:my_tickets")
    assert client.session[SESSION_KEY] == str(carla.pk)
    carla.refresh_from_db()
    assert carla.check_password(NEW_PASSWORD)

    client.post(reverse("accounts:sign_out"))
    assert client.login(email=carla.email, password=NEW_PASSWORD)


def test_the_link_works_once(client, carla, mailoutbox, django_capture_on_commit_callbacks):
    ask(client, carla.email, django_capture_on_commit_callbacks)
    link = link_in(mailoutbox[0])
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    client.post(reverse("accounts:sign_out"))

    again = client.get(link, follow=True)
    page = again.content.decode()
    assert 'data-testid="reset-link-invalid"' in page
    assert "Ask for a new link" in page
    refused = client.post(link, {"new_password1": "x" * 20, "new_password2": "x" * 20})
    assert 'data-testid="reset-link-invalid"' in refused.content.decode()
    carla.refresh_from_db()
    assert carla.check_password(NEW_PASSWORD)


def test_the_link_expires(client, carla, mailoutbox, django_capture_on_commit_callbacks, settings):
    settings.PASSWORD_RESET_TIMEOUT = 3600
    ask(client, carla.email, django_capture_on_commit_callbacks)
    assert "works once, for 1 hour" in mailoutbox[0].body
    link = link_in(mailoutbox[0])

    with time_machine.travel(timezone.now() + timedelta(minutes=59), tick=False):
        assert "Choose a new password" in client.get(link, follow=True).content.decode()
    with time_machine.travel(timezone.now() + timedelta(minutes=61), tick=False):
        page = client.get(link, follow=True).content.decode()
    assert 'data-testid="reset-link-invalid"' in page
    carla.refresh_from_db()
    assert carla.check_password(PASSWORD)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    client, carla, mailoutbox, django_capture_on_commit_callbacks
):
    known = ask(client, carla.email, django_capture_on_commit_callbacks)
    unknown = ask(client, "nobody@example.org", django_capture_on_commit_callbacks)

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m.to for m in mailoutbox] == [[carla.email]]
    page = client.get(SENT).content.decode()
    assert "If the address you typed has an account" in page


def test_an_inactive_account_or_one_without_a_password_gets_no_mail(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(email="gone@example.org", is_active=False)
    nopass = UserFactory(email="nopass@example.org")
    nopass.set_unusable_password()
    nopass.save()
    for address in ("gone@example.org", "nopass@example.org"):
        assert ask(client, address, django_capture_on_commit_callbacks)["Location"] == SENT
    assert mailoutbox == []
    assert not OutboundEmail.objects.filter(kind=outbox.PASSWORD_RESET).exists()


def test_staff_can_reset_too(client, tech, mailoutbox, django_capture_on_commit_callbacks):
    ask(client, tech.email, django_capture_on_commit_callbacks)
    assert [m.to for m in mailoutbox] == [[tech.email]]


def test_a_bad_address_is_refused_with_a_message(client, mailoutbox):
    response = client.post(RESET, {"email": "not an address"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert not OutboundEmail.objects.exists()


def test_a_weak_or_mismatched_new_password_is_refused(
    client, carla, mailoutbox, django_capture_on_commit_callbacks
):
    ask(client, carla.email, django_capture_on_commit_callbacks)
    set_url = client.get(link_in(mailoutbox[0]), follow=True).redirect_chain[-1][0]

    weak = client.post(set_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert "This password is too common." in weak.content.decode()
    differ = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": "other-9x"})
    assert "didn’t match" in differ.content.decode()
    carla.refresh_from_db()
    assert carla.check_password(PASSWORD)


def test_one_address_cannot_be_mailed_over_and_over(
    client, carla, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.ACCOUNT_MAIL_REQUESTS_PER_ADDRESS = "3/15m"
    answers = {
        ask(client, carla.email, django_capture_on_commit_callbacks)["Location"] for _ in range(10)
    }

    assert answers == {SENT}  # the page never changes
    assert len(mailoutbox) == 3
    assert OutboundEmail.objects.filter(kind=outbox.PASSWORD_RESET).count() == 3


def test_one_ip_address_cannot_ask_for_many_addresses(
    client, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.ACCOUNT_MAIL_REQUESTS_PER_IP = "4/h"
    for number in range(6):
        UserFactory(email=f"person{number}@example.org")
        ask(client, f"person{number}@example.org", django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 4


def test_with_the_cache_throttle_gone_the_outbox_still_limits_an_address(
    carla, mailoutbox, django_capture_on_commit_callbacks, settings
):
    from accounts.password_reset import password_reset_request

    settings.MAIL_ACCOUNT_MAILS_PER_HOUR = 2
    for _ in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            password_reset_request(email=carla.email)
    assert len(mailoutbox) == 2
    held = OutboundEmail.objects.filter(kind=outbox.PASSWORD_RESET, status="held")
    assert held.count() == 2


def test_a_broker_down_at_the_request_loses_no_mail(
    client, carla, mailoutbox, django_capture_on_commit_callbacks
):
    with broker_unreachable():
        response = ask(client, carla.email, django_capture_on_commit_callbacks)
    assert response["Location"] == SENT
    row = OutboundEmail.objects.get(kind=outbox.PASSWORD_RESET)
    assert row.status == OutboundEmail.Status.PENDING
    assert mailoutbox == []

    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
        assert tasks.outbox_sweep_due() == 1
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.SENT
    set_url = client.get(link_in(mailoutbox[0]), follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    carla.refresh_from_db()
    assert carla.check_password(NEW_PASSWORD)


def test_a_row_for_an_account_switched_off_meanwhile_is_held(carla):
    from accounts.password_reset import password_reset_request

    password_reset_request(email=carla.email)
    carla.is_active = False
    carla.save(update_fields=["is_active"])
    row = OutboundEmail.objects.get(kind=outbox.PASSWORD_RESET)
    assert "no longer active" in account_mails([row])[0].reason


def test_the_admins_version_of_the_template_is_used(
    client, carla, mailoutbox, django_capture_on_commit_callbacks
):
    MailTemplate.objects.create(
        key=MailTemplate.Key.PASSWORD_RESET,
        subject="New password for {{ customer_first_name }}",
        body="Here: {{ account_link }} ({{ link_valid_for }})",
    )
    ask(client, carla.email, django_capture_on_commit_callbacks)
    sent = mailoutbox[0]
    assert sent.subject == "New password for Carla"
    assert sent.body.startswith("Here: http")
    assert link_in(sent)


def test_the_reset_pages_answer(client):
    assert client.get(RESET).status_code == 200
    assert client.get(SENT).status_code == 200
    assert client.get(reverse("accounts:password_reset_complete")).status_code == 200


# --- Staff send a customer the link from the customer page ---------------------------------------


@pytest.fixture
def customer_page(mailbox, carla):
    """Carla's customer record, with an account and a ticket mailed to tech's department."""
    customer = Customer.objects.create(name="Carla Customer", user=carla)
    CustomerEmail.objects.create(customer=customer, email=carla.email, is_primary=True)
    inbound_receive(
        raw=mail(sender="Carla <carla@example.org>", to=mailbox.email_address),
        channel="imap",
        mailbox=mailbox,
    )
    OutboundEmail.objects.all().delete()  # the auto-response
    return customer


def reset_url(customer):
    return reverse("tickets:desk_customer_password_reset", args=[customer.pk])


def test_the_customer_page_offers_the_button_and_it_mails_the_link(
    client, tech, customer_page, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(tech)
    page = client.get(reverse("tickets:desk_customer", args=[customer_page.pk])).content.decode()
    assert 'data-testid="customer-reset-link"' in page
    assert f'action="{reset_url(customer_page)}"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reset_url(customer_page), follow=True)
    assert "A password reset link is on its way to carla@example.org." in response.content.decode()
    assert [m.to for m in mailoutbox] == [["carla@example.org"]]
    assert link_in(mailoutbox[0])


def test_the_button_answers_htmx_with_its_own_block(
    client, tech, customer_page, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(tech)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reset_url(customer_page), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith("<div") and "<html" not in body
    assert 'id="customer-reset-link"' in body
    assert "on its way to carla@example.org" in body
    assert len(mailoutbox) == 1


def test_a_sent_link_leaves_a_line_in_the_customers_history_with_who_and_when(
    client, tech, customer_page, django_capture_on_commit_callbacks
):
    client.force_login(tech)
    sent_at = timezone.now()
    with (
        time_machine.travel(sent_at, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        answer = client.post(reset_url(customer_page), headers={"HX-Request": "true"})
    # The htmx answer brings the history along (out of band) with the new line in it.
    oob = answer.content.decode().split('id="customer-history" hx-swap-oob="true"', 1)[1]
    assert "Password reset link sent to carla@example.org" in oob and tech.full_name in oob
    line = CustomerChange.objects.get(customer=customer_page)
    assert (line.actor, line.actor_name, line.at) == (tech, tech.full_name, sent_at)
    assert line.field == CustomerChange.Field.ACCOUNT
    assert line.new_value == "Password reset link sent to carla@example.org"

    page = client.get(reverse("tickets:desk_customer", args=[customer_page.pk])).content.decode()
    history = page.split('data-testid="customer-history"', 1)[1]
    assert "Password reset link sent to carla@example.org" in history
    assert tech.full_name in history


def test_sending_the_link_takes_the_same_queries_however_long_the_history(
    client, tech, customer_page, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client.force_login(tech)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reset_url(customer_page))
    for _ in range(5):
        # Session, account, the customer and its access check, the mail, the history line, and
        # the history read back for the page (one query however long).
        with django_assert_max_num_queries(8):
            response = client.post(reset_url(customer_page), headers={"HX-Request": "true"})
        assert response.status_code == 200
    assert customer_page.changes.count() == 6


def test_a_tech_who_cannot_see_the_customer_gets_a_404_and_no_mail(
    client, customer_page, mailoutbox, django_capture_on_commit_callbacks
):
    outsider = MembershipFactory(user=TechFactory()).user  # another department
    client.force_login(outsider)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reset_url(customer_page)).status_code == 404
    assert not OutboundEmail.objects.exists()
    assert not CustomerChange.objects.exists()


def test_a_customer_cannot_use_it(client, carla, customer_page):
    client.force_login(carla)
    response = client.post(reset_url(customer_page))
    assert response.status_code in (302, 403, 404)
    assert not OutboundEmail.objects.exists()


def test_a_customer_without_an_account_has_no_button_and_a_post_is_refused(
    client, tech, customer_page, carla
):
    customer_page.user = None
    customer_page.save(update_fields=["user"])
    client.force_login(tech)
    page = client.get(reverse("tickets:desk_customer", args=[customer_page.pk])).content.decode()
    assert "customer-reset-link" not in page

    response = client.post(reset_url(customer_page), follow=True)
    assert "This customer has no active account to reset." in response.content.decode()
    htmx = client.post(reset_url(customer_page), headers={"HX-Request": "true"})
    assert htmx.status_code == 400
    assert not OutboundEmail.objects.exists()
    assert not CustomerChange.objects.exists()


def test_an_inactive_account_has_no_button(client, tech, customer_page, carla):
    carla.is_active = False
    carla.save(update_fields=["is_active"])
    client.force_login(tech)
    page = client.get(reverse("tickets:desk_customer", args=[customer_page.pk])).content.decode()
    assert "customer-reset-link" not in page
    client.post(reset_url(customer_page))
    assert not OutboundEmail.objects.exists()


def test_a_get_is_not_allowed(client, tech, customer_page):
    client.force_login(tech)
    assert client.get(reset_url(customer_page)).status_code == 405


@pytest.mark.parametrize(
    "key",
    [
        MailTemplate.Key.PASSWORD_RESET,
        MailTemplate.Key.SIGNUP_VERIFICATION,
        MailTemplate.Key.SIGNUP_EXISTING,
    ],
)
def test_the_account_mails_are_editable_templates_with_known_placeholders(key):
    from responses.mail_defaults import DEFAULTS
    from responses.mail_placeholders import MAIL_PLACEHOLDERS
    from responses.mail_templates import mail_preview
    from responses.placeholders import placeholders_unknown

    subject, body = (str(part) for part in DEFAULTS[key])
    assert placeholders_unknown(subject, allowed=MAIL_PLACEHOLDERS) == []
    assert placeholders_unknown(body, allowed=MAIL_PLACEHOLDERS) == []
    preview = mail_preview(key=key, subject=subject, body=body)
    assert "{{" not in preview.text and "[#" not in preview.subject
    assert "https://helpdesk.example.com/accounts/" in preview.text


def test_asking_takes_the_same_queries_however_many_accounts_there_are(
    client, carla, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    for number in range(30):
        UserFactory(email=f"someone{number}@example.org")
    with django_assert_max_num_queries(8):
        client.post(RESET, {"email": carla.email})
    with django_assert_max_num_queries(8):
        client.post(RESET, {"email": "nobody@example.org"})


def test_with_the_cache_down_a_reset_still_goes_out(
    client, carla, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from tests.test_cache_outage import unreachable_cache

    settings.CACHES = unreachable_cache()
    response = ask(client, carla.email, django_capture_on_commit_callbacks)
    assert response["Location"] == SENT
    assert [m.to for m in mailoutbox] == [[carla.email]]
