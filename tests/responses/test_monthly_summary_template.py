"""The monthly summary to managers is a mail template like the others: a shipped default that
names the month, the departments, the numbers, the report's link and where to stop it; the
placeholders admins may use; editable and previewed in the admin."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from responses.mail_defaults import DEFAULTS
from responses.mail_placeholders import MAIL_PLACEHOLDERS
from responses.mail_templates import mail_preview
from responses.models import MailTemplate
from responses.placeholders import placeholders_unknown

Key = MailTemplate.Key
SUMMARY_PLACEHOLDERS = (
    "recipient_name",
    "summary_month",
    "summary_departments",
    "summary_numbers",
    "report_link",
    "preferences_link",
)


def test_the_default_names_the_month_the_departments_the_numbers_and_the_links():
    subject, body = (str(part) for part in DEFAULTS[Key.MONTHLY_SUMMARY])

    assert "{{ summary_month }}" in subject
    for placeholder in SUMMARY_PLACEHOLDERS:
        assert f"{{{{ {placeholder} }}}}" in body
    assert "ticket_tag" not in subject  # about no ticket
    assert placeholders_unknown(subject, allowed=MAIL_PLACEHOLDERS) == []
    assert placeholders_unknown(body, allowed=MAIL_PLACEHOLDERS) == []


def test_the_new_placeholders_are_described_for_admins():
    for name in SUMMARY_PLACEHOLDERS:
        assert str(MAIL_PLACEHOLDERS[name])
    assert "Monthly summary" in str(MAIL_PLACEHOLDERS["summary_numbers"])
    assert "monthly summary" in str(MAIL_PLACEHOLDERS["recipient_name"])


def test_the_preview_fills_every_placeholder_and_adds_no_ticket_tag():
    subject, body = DEFAULTS[Key.MONTHLY_SUMMARY]

    preview = mail_preview(key=Key.MONTHLY_SUMMARY, subject=str(subject), body=str(body))

    assert "{{" not in preview.subject and "{{" not in preview.text
    assert preview.subject == "Helpdesk summary for October 2026: Technical support"
    assert "- Cases closed: 96 — ↓ 4 fewer (September 2026: 100)" in preview.text
    assert "https://helpdesk.example.com/reports/?period=last_month" in preview.text


@pytest.mark.django_db
def test_a_summary_template_may_use_its_placeholders_and_no_others():
    MailTemplate(
        key=Key.MONTHLY_SUMMARY,
        subject="{{ summary_month }}",
        body="{{ recipient_name }} {{ summary_numbers }} {{ report_link }}",
    ).full_clean()

    with pytest.raises(ValidationError) as error:
        MailTemplate(key=Key.MONTHLY_SUMMARY, subject="s", body="{{ revenue }}").full_clean()

    assert "{{ revenue }}" in str(error.value.message_dict["body"])


@pytest.mark.django_db
def test_the_admin_offers_the_summary_and_previews_it(admin_client):
    add = admin_client.get(reverse("admin:responses_mailtemplate_add")).content.decode()
    assert f'<option value="{Key.MONTHLY_SUMMARY}">' in add
    assert "{{ summary_numbers }}" in add
    subject, body = DEFAULTS[Key.MONTHLY_SUMMARY]
    template = MailTemplate.objects.create(key=Key.MONTHLY_SUMMARY, subject=subject, body=body)

    page = admin_client.get(reverse("admin:responses_mailtemplate_change", args=[template.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Helpdesk summary for October 2026: Technical support" in html
    assert "↑ 20 more (September 2026: 100)" in html
