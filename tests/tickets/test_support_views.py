"""The help centre, web forms, the confirmation and the secret link, as visitors use them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Customer
from tests.factories import WebFormFactory
from tests.tickets.conftest import png_upload
from tickets import services
from tickets.models import Attachment, BlockedSender, Message, RefusedAttempt, Ticket

pytestmark = pytest.mark.django_db

FORM_URL = "/support/contact/"


@pytest.fixture(autouse=True)
def contact_form(public_form):
    return public_form


def form_data(topic, **overrides):
    data = {
        "name": "Vera Visitor",
        "email": "vera@example.org",
        "category": str(topic.pk),
        "priority": "3",
        "subject": "Printer shows E-042",
        "message": "It stopped after the update.",
        "order_number": "A-1001",
        "answer_preference": "answer_by_email",
    }
    data.update(overrides)
    return data


def assert_nothing_written():
    assert Ticket.objects.count() == 0
    assert Message.objects.count() == 0
    assert Customer.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_help_centre_lists_public_forms_only_for_visitors(client, public_form, department):
    WebFormFactory(title="Billing questions", default_department=department)
    WebFormFactory(title="Members only", audience="member", default_department=department)
    WebFormFactory(title="Old form", is_active=False, default_department=department)

    html = client.get(reverse("tickets:support")).content.decode()

    assert "Contact support" in html
    assert "Billing questions" in html
    assert "Members only" not in html
    assert "Old form" not in html


def test_help_centre_with_one_form_goes_straight_to_it(client, public_form):
    response = client.get(reverse("tickets:support"))

    assert response.status_code == 302
    assert response.url == FORM_URL


def test_form_page_shows_the_fields_the_form_asks_for(client, public_form):
    html = client.get(FORM_URL).content.decode()

    for label in (
        "Your name",
        "Your email address",
        "What is it about?",
        "How urgent is it?",
        "Subject",
        "Message",
        "Attachments",
        "Order number",
        "How would you like the answer?",
    ):
        assert label in html
    assert 'enctype="multipart/form-data"' in html


def test_form_without_optional_fields_hides_them(client, public_form):
    public_form.show_order_number = False
    public_form.show_answer_preference = False
    public_form.save()

    html = client.get(FORM_URL).content.decode()

    assert "Order number" not in html
    assert "How would you like the answer?" not in html


def test_submission_confirms_with_the_number_and_emails_the_secret_link(
    client, category, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FORM_URL, form_data(category, message="Help <b>me</b>"))

    assert response.status_code == 302
    assert response.url == reverse("tickets:submitted")
    ticket = Ticket.objects.get()
    assert ticket.order_number == "A-1001"
    page = client.get(response.url).content.decode()
    assert f"#{ticket.number}" in page
    assert ticket.access_token not in page
    assert len(mailoutbox) == 1
    assert f"/support/t/{ticket.access_token}/" in mailoutbox[0].body


def test_submitted_page_without_a_submission_goes_to_the_help_centre(client, public_form):
    response = client.get(reverse("tickets:submitted"))

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "", "subject": "", "message": ""}, "This field is required."),
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"subject": "x" * 201}, "Ensure this value has at most 200 characters"),
        ({"message": "x" * 50_001}, "Ensure this value has at most 50000 characters"),
        ({"category": "999999"}, "Choose one of the topics in the list."),
        ({"priority": "9"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_explained_and_nothing_is_written(client, category, overrides, message):
    response = client.post(FORM_URL, form_data(category, **overrides))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Please correct the marked fields." in html
    assert message in html
    assert 'aria-invalid="true"' in html
    assert_nothing_written()


def test_file_over_the_limit_is_refused_and_nothing_is_written(
    client, category, settings, media_root
):
    settings.ATTACHMENT_MAX_FILE_SIZE = 100
    data = form_data(category)
    data["attachments"] = SimpleUploadedFile("big.txt", b"x" * 101, content_type="text/plain")

    response = client.post(FORM_URL, data)

    assert response.status_code == 200
    assert "big.txt" in response.content.decode()
    assert_nothing_written()
    assert not [path for path in media_root.rglob("*") if path.is_file()]


def test_executable_renamed_png_is_refused(client, category):
    data = form_data(category)
    data["attachments"] = SimpleUploadedFile(
        "holiday.png", b"MZ\x90\x00\x03" + b"\x00" * 200, content_type="image/png"
    )

    response = client.post(FORM_URL, data)

    assert response.status_code == 200
    assert "holiday.png" in response.content.decode()
    assert_nothing_written()


def test_truncated_image_is_refused(client, category):
    data = form_data(category)
    whole = png_upload().read()
    data["attachments"] = SimpleUploadedFile("cut.png", whole[: len(whole) // 2], "image/png")

    response = client.post(FORM_URL, data)

    assert response.status_code == 200
    assert "cut.png" in response.content.decode()
    assert_nothing_written()


def test_decompression_bomb_image_is_refused(client, category, settings):
    settings.ATTACHMENT_MAX_IMAGE_PIXELS = 100
    data = form_data(category)
    data["attachments"] = SimpleUploadedFile("huge.png", png_upload().read(), "image/png")

    response = client.post(FORM_URL, data)

    assert response.status_code == 200
    assert "huge.png" in response.content.decode()
    assert_nothing_written()


def test_screenshot_is_accepted_with_the_submission(client, category):
    data = form_data(category)
    data["attachments"] = [png_upload("one.png"), png_upload("two.png")]

    response = client.post(FORM_URL, data)

    assert response.status_code == 302
    names = set(Attachment.objects.values_list("original_name", flat=True))
    assert names == {"one.png", "two.png"}


def test_blocked_sender_gets_a_neutral_refusal(client, category):
    BlockedSender.objects.create(kind=BlockedSender.Kind.DOMAIN, value="example.org")

    response = client.post(FORM_URL, form_data(category))

    assert response.status_code == 403
    html = response.content.decode()
    assert "We could not accept this request" in html
    assert "block" not in html.lower()
    assert RefusedAttempt.objects.count() == 1
    assert_nothing_written()


def test_blocked_ip_address_is_refused(client, category):
    BlockedSender.objects.create(kind=BlockedSender.Kind.IP, value="203.0.113.0/24")

    response = client.post(FORM_URL, form_data(category), REMOTE_ADDR="203.0.113.50")

    assert response.status_code == 403
    assert RefusedAttempt.objects.get().ip_address == "203.0.113.50"


def test_too_many_submissions_from_one_address_get_429(client, category, settings):
    settings.INTAKE_RATE_LIMIT = "2/m"
    for index in range(2):
        response = client.post(FORM_URL, form_data(category, subject=f"Try {index}"))
        assert response.status_code == 302

    response = client.post(FORM_URL, form_data(category, subject="One too many"))

    assert response.status_code == 429
    assert response["Retry-After"]
    assert "try again later" in response.content.decode()
    assert Ticket.objects.count() == 2
    other = client.post(
        FORM_URL, form_data(category, subject="Other network"), REMOTE_ADDR="198.51.100.99"
    )
    assert other.status_code == 302


def test_member_form_sends_visitors_to_sign_in(client, public_form):
    public_form.audience = "member"
    public_form.save()

    response = client.get(FORM_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign_in"))


def test_member_form_is_not_for_staff(client, public_form, tech):
    public_form.audience = "member"
    public_form.save()
    client.force_login(tech)

    assert client.get(FORM_URL).status_code == 404


def test_signed_in_customer_submits_as_themselves(client, public_form, category, customer_user):
    public_form.audience = "member"
    public_form.save()
    client.force_login(customer_user)

    page = client.get(FORM_URL).content.decode()
    assert customer_user.email in page and "disabled" in page
    client.post(FORM_URL, form_data(category, email="someone.else@example.org", name="X"))

    ticket = Ticket.objects.get()
    assert ticket.customer.user == customer_user
    assert ticket.customer.emails.get().email == customer_user.email


def test_unknown_form_is_404(client, public_form):
    assert client.get("/support/no-such-form/").status_code == 404


# --- The secret link ----------------------------------------------------------------------


@pytest.fixture
def ticket(submit, tech):
    ticket = submit(body="<script>alert('x')</script> <b>bold?</b>", files=[png_upload()])
    Message.objects.create(
        ticket=ticket,
        kind=Message.Kind.NOTE,
        author=tech,
        body="Internal: customer is on the old plan",
    )
    Message.objects.create(
        ticket=ticket, kind=Message.Kind.REPLY, author=tech, body="Please restart the printer."
    )
    return ticket


def token_url(ticket):
    return reverse("tickets:ticket_by_token", args=[ticket.access_token])


def test_secret_link_shows_the_public_thread_escaped_and_never_notes(client, ticket):
    response = client.get(token_url(ticket))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Printer shows E-042" in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert "Please restart the printer." in html
    assert "Internal: customer is on the old plan" not in html
    assert "New" in html  # the status


@pytest.mark.parametrize("mangle", [lambda t: t[:-1], lambda t: t[:-1] + "A", lambda t: "x"])
def test_wrong_or_truncated_token_is_404(client, ticket, mangle):
    token = mangle(ticket.access_token)
    if token == ticket.access_token:
        token = token[:-1] + "B"

    assert client.get(f"/support/t/{token}/").status_code == 404


def test_reply_through_the_secret_link(client, ticket):
    response = client.post(token_url(ticket), {"message": "It works now, thanks!"})

    assert response.status_code == 302
    message = ticket.messages.filter(kind=Message.Kind.CUSTOMER).last()
    assert message.body == "It works now, thanks!"
    assert message.author is None


def test_htmx_reply_returns_the_conversation_partial(client, ticket):
    response = client.post(
        token_url(ticket),
        {"message": "Adding a screenshot", "attachments": png_upload("more.png")},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="conversation">')
    assert "<html" not in html
    assert "Adding a screenshot" in html
    assert "more.png" in html


def test_empty_reply_is_explained_and_not_saved(client, ticket):
    before = ticket.messages.count()

    response = client.post(token_url(ticket), {"message": ""})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert ticket.messages.count() == before


def test_attachment_through_the_secret_link_is_served_safely(client, ticket):
    attachment = Attachment.objects.get(message__ticket=ticket)

    response = client.get(f"{token_url(ticket)}files/{attachment.pk}/")

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"


def test_attachment_of_an_internal_note_is_hidden_from_the_customer(client, ticket, tech):
    note = ticket.messages.get(kind=Message.Kind.NOTE)
    hidden = Attachment.objects.create(
        message=note,
        file="attachments/x.png",
        original_name="x.png",
        content_type="image/png",
        size=1,
    )

    assert client.get(f"{token_url(ticket)}files/{hidden.pk}/").status_code == 404


def test_another_tickets_attachment_is_404_through_this_link(client, ticket, submit):
    other = submit(email="other@example.org", files=[png_upload("theirs.png")])
    theirs = Attachment.objects.get(message__ticket=other)

    assert client.get(f"{token_url(ticket)}files/{theirs.pk}/").status_code == 404


def test_secret_link_page_queries_do_not_grow_with_the_thread(
    client, ticket, tech, django_assert_max_num_queries
):
    client.get(token_url(ticket))
    with django_assert_max_num_queries(12) as few:
        client.get(token_url(ticket))
    for index in range(6):
        message = services.ticket_reply_from_customer(
            ticket=ticket, body=f"More {index}", attachments=[]
        )
        Attachment.objects.create(
            message=message,
            file="attachments/y.txt",
            original_name="y.txt",
            content_type="text/plain",
            size=1,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(token_url(ticket))


# Issue 14: anonymous visitors pick "Emergency" only where the form allows it.


def priority_options(page):
    select = page[
        page.index('name="priority"') : page.index("</select>", page.index('name="priority"'))
    ]
    return select


def test_anonymous_visitors_are_not_offered_emergency(client, public_form):
    page = client.get(FORM_URL).content.decode()

    options = priority_options(page)
    assert ">High</option>" in options
    assert "Emergency" not in options
    assert "Signed-in customers can also mark a request as an emergency." in page


def test_a_forged_emergency_from_an_anonymous_visitor_is_refused_with_a_message(client, category):
    response = client.post(FORM_URL, form_data(category, priority="4"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "can only be chosen by signed-in customers on this form" in page
    # What the visitor typed comes back with the message.
    assert "It stopped after the update." in page
    assert_nothing_written()


def test_a_form_that_allows_emergency_offers_it_to_anonymous_visitors(
    client, public_form, category
):
    public_form.allow_emergency = True
    public_form.save()

    assert ">Emergency</option>" in priority_options(client.get(FORM_URL).content.decode())
    response = client.post(FORM_URL, form_data(category, priority="4"))

    assert response.status_code == 302
    assert Ticket.objects.get().priority == 4


def test_signed_in_customers_may_pick_emergency_on_a_public_form(
    client, public_form, category, customer_user
):
    client.force_login(customer_user)

    assert ">Emergency</option>" in priority_options(client.get(FORM_URL).content.decode())
    response = client.post(FORM_URL, form_data(category, priority="4"))

    assert response.status_code == 302
    assert Ticket.objects.get().priority == 4


def test_a_priority_outside_the_list_is_still_refused(client, category):
    response = client.post(FORM_URL, form_data(category, priority="9"))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert_nothing_written()
