"""Issue 14 in the admin, as an admin sees it: Mail templates lists every mail with its shipped
default and restores one; the sign-in events list shows the browser whole and no delete."""

import pytest

from accounts.models import LoginEvent
from responses.mail_defaults import DEFAULTS
from responses.models import MailTemplate
from tests.factories import PASSWORD, AdminFactory, TechFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86 SomeVeryLongVendorSuffix/1.2.3.4.5.6"
)


def sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")


def test_admin_restores_a_mail_template_and_reads_sign_in_events(live_server, page, screenshot):
    admin = AdminFactory(email="ada@example.com")
    tech = TechFactory(full_name="Tom Tech")
    LoginEvent.objects.create(
        kind=LoginEvent.Kind.SIGN_IN,
        user=tech,
        email=tech.email,
        user_agent=AGENT,
        session_key="s3ss10nk3ys3ss10nk3y",
    )
    sign_in(page, live_server.url, admin.email)

    page.goto(f"{live_server.url}/admin/responses/mailtemplate/")
    assert page.get_by_test_id("shipped-mails").locator("tbody tr").count() == len(
        MailTemplate.Key.choices
    )
    screenshot("admin-mail-templates")
    page.get_by_test_id("shipped-mail-confirmation").get_by_role("link", name="Edit").click()
    page.get_by_label("Subject").fill("{{ ticket_tag }} Got it")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state("load")
    page.get_by_test_id("shipped-mail-confirmation").get_by_role("link").click()
    page.get_by_test_id("restore-default").click()
    page.wait_for_load_state("load")
    assert "has its shipped default again" in page.content()
    saved = MailTemplate.objects.get(key="confirmation")
    assert saved.subject == str(DEFAULTS["confirmation"][0])

    page.goto(f"{live_server.url}/admin/accounts/loginevent/")
    cell = page.locator(".login-browser", has_text="SomeVeryLongVendorSuffix")
    assert AGENT in cell.inner_text()
    box = cell.bounding_box()
    results = page.locator("#changelist .results").bounding_box()
    assert box["width"] >= 200  # wrapped at words, not squeezed to a letter per line
    assert box["x"] + box["width"] <= results["x"] + results["width"] + 0.5  # not cut off
    assert "s3ss10nk3y" not in page.content()
    assert page.locator("select[name=action]").count() == 0
    screenshot("admin-sign-in-events")
