import re

import pytest
from django.core import mail
from django.core.management import call_command
from PIL import Image, ImageDraw

from tickets.models import Attachment, Message, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make_screenshot(path):
    image = Image.new("RGB", (640, 400), (245, 246, 248))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 600, 120), fill=(176, 42, 55))
    draw.text((60, 70), "Error E-042: printer offline", fill=(255, 255, 255))
    image.save(path, "PNG")
    return path


def test_visitor_submits_form_reads_confirmation_opens_secret_link_and_replies(
    live_server, page, screenshot, settings, tmp_path
):
    call_command("demo_data")
    settings.SITE_URL = live_server.url
    mail.outbox = []
    shot = make_screenshot(tmp_path / "printer-error.png")

    page.goto(f"{live_server.url}/support/")  # the only public form opens straight away
    page.get_by_role("heading", name="Contact support").wait_for()
    page.get_by_label("Your name").fill("Vera Visitor")
    page.get_by_label("Your email address").fill("vera@example.org")
    page.get_by_label("What is it about?").select_option(label="Problem with a product")
    page.get_by_label("How urgent is it?").select_option(label="High")
    page.get_by_label("Order number").fill("A-1001")
    page.get_by_label("Subject").fill("Printer stops with E-042")
    page.get_by_label("Message").fill(
        "Since the update every job stops. <b>Screenshot</b> attached."
    )
    page.get_by_label("Attachments").set_input_files(str(shot))
    screenshot("web-form-filled")
    page.get_by_role("button", name="Send request").click()

    page.wait_for_url(f"{live_server.url}/support/submitted/")
    ticket = Ticket.objects.get(subject="Printer stops with E-042")
    assert f"#{ticket.number}" in page.get_by_test_id("ticket-number").inner_text()
    screenshot("web-form-confirmation")

    confirmation = next(m for m in mail.outbox if m.to == ["vera@example.org"])
    assert confirmation.subject.startswith(f"[#{ticket.number}]")
    link = re.search(r"http://\S+/support/t/\S+/", confirmation.body).group(0)

    page.goto(link)
    assert page.get_by_role("heading", name="Printer stops with E-042").is_visible()
    assert page.get_by_text("<b>Screenshot</b> attached.", exact=False).is_visible()
    assert page.get_by_role("img", name="Image: printer-error.png").is_visible()
    page.get_by_label("Your reply").fill("Restarting did not help. Anything else I can try?")
    page.get_by_role("button", name="Send reply").click()
    page.get_by_text("Restarting did not help.").wait_for()
    screenshot("secret-link-after-reply")

    replies = ticket.messages.filter(kind=Message.Kind.CUSTOMER).order_by("id")
    assert [m.body for m in replies][-1] == "Restarting did not help. Anything else I can try?"
    assert Attachment.objects.get(message__ticket=ticket).original_name == "printer-error.png"
