"""The escalation and at-risk warning mails are templates like the others: shipped defaults that
keep the ticket tag and name the clock, the due time, the department, the owner and the desk
link; placeholders admins may use (and only those); editable and previewed in the admin."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from responses.mail_defaults import DEFAULTS
from responses.mail_placeholders import MAIL_PLACEHOLDERS
from responses.mail_templates import mail_preview, mail_template_for
from responses.models import MailTemplate
from responses.placeholders import placeholders_unknown

Key = MailTemplate.Key
SLA_KEYS = [Key.ESCALATION, Key.SLA_WARNING]


@pytest.mark.parametrize("key", SLA_KEYS)
def test_the_defaults_name_the_clock_the_due_time_the_owner_and_the_desk_link(key):
    subject, body = (str(part) for part in DEFAULTS[key])

    assert "{{ ticket_tag }}" in subject
    assert "{{ sla_clock }}" in subject
    for placeholder in (
        "sla_clock",
        "due_time",
        "department",
        "owner_name",
        "desk_link",
        "ticket_number",
    ):
        assert f"{{{{ {placeholder} }}}}" in body
    assert placeholders_unknown(subject, allowed=MAIL_PLACEHOLDERS) == []
    assert placeholders_unknown(body, allowed=MAIL_PLACEHOLDERS) == []


def test_the_new_placeholders_are_described_for_admins():
    for name in ("sla_clock", "due_time", "owner_name"):
        assert str(MAIL_PLACEHOLDERS[name])
    assert "time zone" in str(MAIL_PLACEHOLDERS["due_time"])


@pytest.mark.parametrize("key", SLA_KEYS)
def test_the_preview_fills_every_placeholder(key):
    subject, body = DEFAULTS[key]

    preview = mail_preview(key=key, subject=str(subject), body=str(body))

    assert "{{" not in preview.subject and "{{" not in preview.text
    assert preview.subject.startswith("[#1042] ")
    assert "first response" in preview.subject
    assert "Tom Tech" in preview.text
    assert "https://helpdesk.example.com/desk/t/1042/" in preview.text


@pytest.mark.django_db
def test_a_departments_own_escalation_mail_wins(department):
    MailTemplate.objects.create(key=Key.ESCALATION, subject="global", body="g")
    MailTemplate.objects.create(
        key=Key.ESCALATION, department=department, subject="{{ sla_clock }} late", body="d"
    )

    assert mail_template_for(key=Key.ESCALATION, department=department)[0] == "{{ sla_clock }} late"


@pytest.mark.django_db
def test_an_escalation_template_may_use_the_sla_placeholders_and_no_others():
    MailTemplate(
        key=Key.ESCALATION,
        subject="{{ ticket_tag }} {{ sla_clock }}",
        body="{{ due_time }} {{ owner_name }} {{ desk_link }}",
    ).full_clean()

    with pytest.raises(ValidationError) as error:
        MailTemplate(key=Key.ESCALATION, subject="s", body="{{ manager_phone }}").full_clean()

    assert "{{ manager_phone }}" in str(error.value.message_dict["body"])


@pytest.mark.django_db
def test_the_admin_offers_the_sla_mails_and_previews_them(admin_client):
    add = admin_client.get(reverse("admin:responses_mailtemplate_add")).content.decode()
    assert f'<option value="{Key.ESCALATION}">' in add
    assert f'<option value="{Key.SLA_WARNING}">' in add
    assert "{{ due_time }}" in add
    subject, body = DEFAULTS[Key.ESCALATION]
    template = MailTemplate.objects.create(key=Key.ESCALATION, subject=subject, body=body)

    page = admin_client.get(reverse("admin:responses_mailtemplate_change", args=[template.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "[#1042] Escalation: first response overdue: Printer shows error E-042" in html
