"""A tech reads a vendor's HTML newsletter (the demo's): the mail's own layout in its sandboxed
frame, the inline logo in place, the remote tracking image held back until the tech asks for it,
and no policy violation on the page."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from helpdesk.demo import DEMO_PASSWORD
from helpdesk.demo_mail_html import NEWSLETTER_SUBJECT
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


def test_a_tech_reads_an_html_newsletter_and_asks_for_its_remote_images(
    live_server, page, screenshot
):
    call_command("demo_data")
    ticket = Ticket.objects.get(subject=NEWSLETTER_SUBJECT)
    message = ticket.messages.get()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill("tech@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{live_server.url}/desk/t/{ticket.number}/")

    frame_element = page.locator("iframe.message-html-frame")
    expect(frame_element).to_have_attribute(
        "sandbox", "allow-same-origin allow-popups allow-popups-to-escape-sandbox"
    )
    frame = page.frame_locator("iframe.message-html-frame")
    expect(frame.get_by_role("heading", name="Firmware 4.2 is out")).to_be_visible()
    logo = frame.get_by_role("img", name="Contoso Printers")
    expect(logo).to_be_visible()
    # The inline logo loaded from the message's own file (its pixels are there) ...
    assert logo.evaluate("image => image.complete && image.naturalWidth") == 360
    # ... while the tracking pixel has no source to load.
    assert frame.locator("img:not([src])").count() == 1
    # The frame took the mail's height: the whole newsletter reads without scrolling inside.
    height = frame_element.evaluate("element => element.getBoundingClientRect().height")
    inner = frame_element.evaluate(
        "element => element.contentDocument.documentElement.scrollHeight"
    )
    assert height >= inner
    # The logo is shown in place, not listed again as a file of the message.
    expect(page.locator(f"#message-{message.pk} .attachment-list")).to_have_count(0)
    expect(page.get_by_text("1 remote image is blocked")).to_be_visible()
    page.locator(f"#message-{message.pk}").scroll_into_view_if_needed()
    screenshot("html-mail-newsletter-remote-images-blocked")

    page.get_by_role("link", name="Show remote images").click()

    expect(page.get_by_text("Remote images are shown")).to_be_visible()
    assert page.url.endswith(f"/desk/t/{ticket.number}/")  # htmx swapped the block in place
    expect(frame_element).to_have_attribute(
        "src", f"/desk/t/{ticket.number}/messages/{message.pk}/html/?remote=1"
    )
    frame = page.frame_locator("iframe.message-html-frame")
    expect(frame.locator('img[src^="https://track.contoso.example/"]')).to_have_count(1)
    screenshot("html-mail-newsletter-remote-images-shown")

    page.get_by_role("link", name="Block them again").click()
    expect(page.get_by_text("1 remote image is blocked")).to_be_visible()

    violations = page.evaluate("window.__cspViolations || []")
    # The only request a policy refused, if any, is the remote image while it was blocked.
    assert [v for v in violations if "track.contoso.example" not in v] == []
    assert errors == []


def test_a_tech_reads_a_russian_mail_without_a_charset_and_a_chinese_file_name(
    live_server, page, screenshot
):
    """The demo's KOI8-R mail that declares no charset reads in Cyrillic, subject, sender and
    body; the Chinese mail's attachment keeps its name (issue 13)."""
    call_command("demo_data")
    russian = Ticket.objects.get(customer__emails__email="dmitry.orlov@example.ru")
    chinese = Ticket.objects.get(customer__emails__email="lihua@example.cn")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill("admin@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{live_server.url}/desk/t/{russian.number}/")
    expect(
        page.get_by_role("heading", name="Сканер не отправляет документы на почту")
    ).to_be_visible()
    expect(page.get_by_text("Дмитрий Орлов").first).to_be_visible()
    expect(page.get_by_text("Перезагружали", exact=False).first).to_be_visible()
    expect(page.get_by_text("Ошибка соединения с сервером", exact=False)).to_be_visible()
    assert "\ufffd" not in page.content()  # no replacement character anywhere
    screenshot("mail-russian-without-charset")

    page.goto(f"{live_server.url}/desk/t/{chinese.number}/")
    expect(page.get_by_role("link", name="报价单-打印机维修.pdf")).to_be_visible()
    expect(page.get_by_text("李华").first).to_be_visible()
    assert "\ufffd" not in page.content()
    screenshot("mail-chinese-attachment-name")
    assert errors == []
