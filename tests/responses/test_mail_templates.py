"""Mail templates: which version is used, what placeholders can reach, the tag in the subject."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from departments.models import Mailbox
from responses.mail_templates import DEFAULTS, mail_render, mail_template_for, mail_values
from responses.models import MailTemplate
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

Key = MailTemplate.Key


@pytest.fixture
def mailbox(department):
    return Mailbox.objects.create(
        name="Support",
        department=department,
        email_address="support@example.test",
        host="127.0.0.1",
        username="support",
    )


def test_without_admin_versions_the_shipped_default_is_used(department):
    subject, body = mail_template_for(key=Key.AUTO_RESPONSE, department=department)

    assert (subject, body) == tuple(str(part) for part in DEFAULTS[Key.AUTO_RESPONSE])


def test_mailbox_beats_department_beats_global(department, mailbox):
    MailTemplate.objects.create(key=Key.AUTO_RESPONSE, subject="global", body="g")
    MailTemplate.objects.create(
        key=Key.AUTO_RESPONSE, department=department, subject="dept", body="d"
    )
    MailTemplate.objects.create(key=Key.AUTO_RESPONSE, mailbox=mailbox, subject="box", body="b")
    other = DepartmentFactory()

    assert mail_template_for(key=Key.AUTO_RESPONSE, department=department, mailbox=mailbox)[0] == (
        "box"
    )
    assert mail_template_for(key=Key.AUTO_RESPONSE, department=department)[0] == "dept"
    assert mail_template_for(key=Key.AUTO_RESPONSE, department=other)[0] == "global"


def test_inactive_versions_are_passed_over(department):
    MailTemplate.objects.create(key=Key.REPLY, subject="off", body="x", is_active=False)

    assert mail_template_for(key=Key.REPLY, department=department)[0] == str(DEFAULTS[Key.REPLY][0])


def test_subject_always_keeps_the_ticket_tag_on_one_line(submit):
    ticket = submit()
    values = mail_values(ticket=ticket, link="https://x.test/t/abc/")

    mail = mail_render(subject="Thanks\r\nBcc: victim@example.com", body="Hi", values=values)

    assert mail.subject == f"{ticket.tag} Thanks Bcc: victim@example.com"
    assert "\n" not in mail.subject and "\r" not in mail.subject


def test_placeholders_cannot_reach_other_data(submit):
    ticket = submit(name="<b>Vera</b>")
    values = mail_values(ticket=ticket, link="https://x.test/t/abc/")
    body = (
        "{{ customer_name }} {{ ticket.customer.user.password }} {{ settings.SECRET_KEY }} "
        "{% debug %} {0.__class__}"
    )

    mail = mail_render(subject="{{ ticket_tag }}", body=body, values=values)

    assert mail.text.startswith("<b>Vera</b> {{ ticket.customer.user.password }}")
    assert "{% debug %}" in mail.text and "{0.__class__}" in mail.text
    assert "&lt;b&gt;Vera&lt;/b&gt;" in mail.html
    assert "<b>" not in mail.html


def test_unknown_placeholders_are_refused_when_saved():
    template = MailTemplate(
        key=Key.REPLY, subject="{{ ticket_tag }}", body="{{ secret }} {{ message }}"
    )

    with pytest.raises(ValidationError) as error:
        template.full_clean()

    assert "{{ secret }}" in str(error.value.message_dict["body"])


def test_only_auto_responses_can_be_set_per_mailbox(mailbox):
    template = MailTemplate(key=Key.REPLY, mailbox=mailbox, subject="s", body="b")

    with pytest.raises(ValidationError) as error:
        template.full_clean()

    assert "mailbox" in error.value.message_dict


def test_admin_shows_a_preview_with_example_values(admin_client):
    template = MailTemplate.objects.create(
        key=Key.REPLY,
        subject="{{ ticket_tag }} Re: {{ ticket_subject }}",
        body="Dear {{ customer_first_name }},\n{{ message }}",
    )

    response = admin_client.get(reverse("admin:responses_mailtemplate_change", args=[template.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "[#1042] Re: Printer shows error E-042" in html
    assert "Dear Carla," in html
