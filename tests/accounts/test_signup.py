"""Sign-up from the help centre (CUSTOMER_SIGNUP): off by default (404, no link); on, an inactive
account and a confirmation link through the outbox that opens it once and expires; an address
with an account is never revealed on the page but mailed a note; the account joins the customer
record of its address; weak passwords are refused with Django's messages."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from accounts.models import Customer, CustomerEmail, User
from tests.accounts.account_mail_support import link_in
from tests.factories import PASSWORD, UserFactory
from tests.faults import broker_unreachable
from tickets import tasks
from tickets.mail import outbox
from tickets.models import OutboundEmail

pytestmark = pytest.mark.django_db

SIGNUP = reverse("accounts:signup")
SENT = reverse("accounts:signup_done")
GOOD = "violet-harbour-lantern-93"


@pytest.fixture
def signup_on(settings):
    settings.CUSTOMER_SIGNUP = True


def sign_up(
    client, capture, *, email="nina@example.org", name="Nina New", password=GOOD, again=None
):
    data = {
        "full_name": name,
        "email": email,
        "password1": password,
        "password2": password if again is None else again,
    }
    with capture(execute=True):
        return client.post(SIGNUP, data)


def test_off_the_pages_are_404_and_no_link_shows(client, settings):
    settings.CUSTOMER_SIGNUP = False
    assert client.get(SIGNUP).status_code == 404
    assert client.post(SIGNUP, {"email": "x@example.org"}).status_code == 404
    assert client.get(SENT).status_code == 404
    confirm = reverse("accounts:signup_confirm", args=["MQ", "abc-def"])
    assert client.get(confirm).status_code == 404
    assert SIGNUP not in client.get(reverse("accounts:sign_in")).content.decode()
    assert SIGNUP not in client.get(reverse("tickets:support")).content.decode()
    assert not User.objects.exists()


def test_on_the_sign_in_page_and_the_help_centre_link_to_it(client, signup_on):
    assert SIGNUP in client.get(reverse("accounts:sign_in")).content.decode()
    assert 'data-testid="sign-up-link"' in client.get(reverse("tickets:support")).content.decode()
    assert client.get(SIGNUP).status_code == 200


def test_signing_up_mails_a_link_that_opens_the_account_once(
    client, signup_on, mailoutbox, django_capture_on_commit_callbacks
):
    response = sign_up(client, django_capture_on_commit_callbacks, email="Nina@Example.org")
    assert response.status_code == 302 and response["Location"] == SENT

    user = User.objects.get(email="nina@example.org")
    assert (user.is_active, user.kind, user.full_name) == (False, User.Kind.CUSTOMER, "Nina New")
    assert not client.login(email="nina@example.org", password=GOOD)  # not before the link
    row = OutboundEmail.objects.get(kind=outbox.SIGNUP_VERIFICATION)
    assert row.status == OutboundEmail.Status.SENT
    assert [m.to for m in mailoutbox] == [["nina@example.org"]]
    assert mailoutbox[0].subject == "Confirm your address to open your account"
    link = link_in(mailoutbox[0])

    asked = client.get(link)  # a mail scanner following the link opens nothing
    assert "Open my account" in asked.content.decode()
    user.refresh_from_db()
    assert not user.is_active

    opened = client.post(link)
    assert opened.status_code == 302 and opened["Location"] == reverse("tickets:my_tickets")
    assert client.session[SESSION_KEY] == str(user.pk)
    user.refresh_from_db()
    assert user.is_active
    customer = Customer.objects.get(user=user)
    assert customer.name == "Nina New"
    assert list(customer.emails.values_list("email", flat=True)) == ["nina@example.org"]

    client.post(reverse("accounts:sign_out"))
    again = client.post(link)
    assert 'data-testid="signup-link-invalid"' in again.content.decode()
    assert client.login(email="nina@example.org", password=GOOD)


def test_the_account_joins_the_customer_record_of_its_address(
    client, signup_on, mailoutbox, django_capture_on_commit_callbacks
):
    known = Customer.objects.create(name="Nina from the phone", phone="+49 30 1234")
    CustomerEmail.objects.create(customer=known, email="nina@example.org", is_primary=True)
    sign_up(client, django_capture_on_commit_callbacks)
    client.post(link_in(mailoutbox[0]))

    known.refresh_from_db()
    assert known.user == User.objects.get(email="nina@example.org")
    assert Customer.objects.count() == 1


def test_the_link_expires(
    client, signup_on, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.PASSWORD_RESET_TIMEOUT = 3600
    sign_up(client, django_capture_on_commit_callbacks)
    link = link_in(mailoutbox[0])
    with time_machine.travel(timezone.now() + timedelta(minutes=61), tick=False):
        page = client.post(link).content.decode()
    assert 'data-testid="signup-link-invalid"' in page
    assert not User.objects.get(email="nina@example.org").is_active


def test_a_forged_or_broken_link_opens_nothing(
    client, signup_on, mailoutbox, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    link = link_in(mailoutbox[0])
    broken = link.rstrip("/")[:-3] + "xyz/"
    assert 'data-testid="signup-link-invalid"' in client.post(broken).content.decode()
    bad_uid = reverse("accounts:signup_confirm", args=["!!", "abc-def"])
    assert 'data-testid="signup-link-invalid"' in client.post(bad_uid).content.decode()
    assert not User.objects.get(email="nina@example.org").is_active


def test_an_address_with_an_account_is_not_revealed_but_mailed_a_note(
    client, signup_on, mailoutbox, django_capture_on_commit_callbacks
):
    carla = UserFactory(email="carla@example.org", full_name="Carla Customer")
    new = sign_up(client, django_capture_on_commit_callbacks)
    known = sign_up(
        client, django_capture_on_commit_callbacks, email="carla@example.org", name="Mallory"
    )

    assert (new.status_code, new["Location"]) == (known.status_code, known["Location"])
    note = next(m for m in mailoutbox if m.to == ["carla@example.org"])
    assert note.subject == "You already have an account"
    assert reverse("accounts:password_reset") in note.body
    carla.refresh_from_db()
    assert (carla.full_name, carla.check_password(PASSWORD)) == ("Carla Customer", True)


def test_an_address_of_a_customer_who_signs_in_with_another_is_mailed_a_note(
    client, signup_on, mailoutbox, django_capture_on_commit_callbacks
):
    carla = UserFactory(email="carla@example.org")
    customer = Customer.objects.create(name="Carla", user=carla)
    CustomerEmail.objects.create(customer=customer, email="carla@example.org", is_primary=True)
    CustomerEmail.objects.create(customer=customer, email="carla@work.example", is_primary=False)
    sign_up(client, django_capture_on_commit_callbacks, email="carla@work.example")

    assert not User.objects.filter(email="carla@work.example").exists()
    assert [m.subject for m in mailoutbox] == ["You already have an account"]


def test_signing_up_again_before_confirming_sends_a_fresh_link(
    client, signup_on, mailoutbox, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    sign_up(
        client,
        django_capture_on_commit_callbacks,
        name="Nina Newer",
        password="amber-quartz-meadow-71",
    )
    assert User.objects.filter(email="nina@example.org").count() == 1
    client.post(link_in(mailoutbox[1]))
    user = User.objects.get(email="nina@example.org")
    assert (user.is_active, user.full_name) == (True, "Nina Newer")
    assert user.check_password("amber-quartz-meadow-71")


def test_an_account_an_admin_switched_off_is_left_alone(
    client, signup_on, mailoutbox, django_capture_on_commit_callbacks
):
    gone = UserFactory(email="gone@example.org", is_active=False, last_login=timezone.now())
    response = sign_up(client, django_capture_on_commit_callbacks, email="gone@example.org")
    assert response["Location"] == SENT
    assert mailoutbox == []
    gone.refresh_from_db()
    assert not gone.is_active


@pytest.mark.parametrize(
    ("password", "again", "message"),
    [
        ("12345678", None, "This password is too common."),
        ("short1", None, "This password is too short."),
        ("83920571946", None, "This password is entirely numeric."),
        ("NinaNew2026", None, "The password is too similar to the full name."),
        (GOOD, "something-else-42", "The two passwords differ."),
    ],
)
def test_weak_or_mismatched_passwords_are_refused_with_a_message(
    client, signup_on, mailoutbox, password, again, message
):
    response = client.post(
        SIGNUP,
        {
            "full_name": "Nina New",
            "email": "nina@example.org",
            "password1": password,
            "password2": password if again is None else again,
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_missing_name_and_bad_address_are_refused(client, signup_on):
    response = client.post(
        SIGNUP, {"full_name": "  ", "email": "nope", "password1": GOOD, "password2": GOOD}
    )
    page = response.content.decode()
    assert "This field is required." in page or "Enter your name." in page
    assert "Enter a valid email address." in page
    assert not User.objects.exists()


def test_one_address_cannot_be_mailed_over_and_over(
    client, signup_on, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.ACCOUNT_MAIL_REQUESTS_PER_ADDRESS = "2/15m"
    for _ in range(6):
        assert sign_up(client, django_capture_on_commit_callbacks)["Location"] == SENT
    assert len(mailoutbox) == 2


def test_a_broker_down_at_sign_up_loses_no_mail(
    client, signup_on, mailoutbox, django_capture_on_commit_callbacks
):
    with broker_unreachable():
        assert sign_up(client, django_capture_on_commit_callbacks)["Location"] == SENT
    assert mailoutbox == []
    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
        assert tasks.outbox_sweep_due() == 1
    client.post(link_in(mailoutbox[0]))
    assert User.objects.get(email="nina@example.org").is_active


def test_a_signed_in_person_is_sent_to_their_page(client, signup_on, customer_user):
    client.force_login(customer_user)
    response = client.get(SIGNUP)
    assert response.status_code == 302 and response["Location"] == reverse("tickets:my_tickets")
