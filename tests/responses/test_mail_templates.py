"""Mail templates: which version is used, what placeholders can reach, the tag in the subject."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from responses.mail_defaults import DEFAULTS
from responses.mail_templates import mail_render, mail_template_for, mail_values
from responses.models import MailTemplate
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

Key = MailTemplate.Key


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


# Visitor values are never links in the mails the helpdesk sends from its own address.

HOSTILE_NAMES = [
    "Visit http://evil.example",
    '<a href="https://evil.example/login">Your account</a>',
    "evil.example/login",
    "www.evil.example",
    "support@evil.example",
    "evil。example/login",
]


def _hrefs(html: str) -> list[str]:
    return re.findall(r'<a\s[^>]*href="([^"]*)"', html)


def _confirmation(values: dict[str, str]):
    subject, body = mail_template_for(key=Key.CONFIRMATION)
    return mail_render(subject=subject, body=body, values=values)


@pytest.mark.parametrize("hostile", HOSTILE_NAMES)
def test_a_visitors_name_and_subject_never_become_links(submit, hostile):
    ticket = submit(name=hostile, subject=f"Re: {hostile}")
    link = f"https://help.example.com/support/t/{ticket.access_token}/"

    mail = _confirmation(mail_values(ticket=ticket, link=link))

    assert _hrefs(mail.html) == [link]
    assert mail.html.count("<a ") == 1
    # Shown as written (escaped in HTML), but with no address a mail client could link.
    assert escape(hostile) in mail.html.replace("\u200b", "")
    assert hostile in mail.text.replace("\u200b", "")
    for text in (mail.html.replace(link, ""), mail.text.replace(link, "")):
        for linkable in ("evil.example", "evil。example", "http:", "www.", "@evil"):
            assert linkable not in text


def test_plain_text_part_reads_the_same_once_invisible_breaks_are_removed(submit):
    ticket = submit(name="Visit http://evil.example", subject="Order 12.5 at shop.example")

    mail = _confirmation(mail_values(ticket=ticket, link="https://help.example.com/t/x/"))

    assert "Hello Visit http://evil.example," in mail.text.replace("\u200b", "")
    assert "Subject: Order 12.5 at shop.example" in mail.text.replace("\u200b", "")
    assert "http://evil.example" not in mail.text


def test_the_ticket_link_department_and_a_techs_reply_stay_links(submit):
    ticket = submit(name="Vera evil.example")
    link = "https://help.example.com/support/t/abc/"
    values = mail_values(ticket=ticket, link=link, message="Get the driver at www.vendor.example")
    body = (
        "Hello {{ customer_name }},\n\n{{ message }}\n\n"
        "See https://status.example.com\n{{ ticket_link }}"
    )

    mail = mail_render(subject="{{ ticket_tag }}", body=body, values=values)

    assert _hrefs(mail.html) == [
        "http://www.vendor.example",
        "https://status.example.com",
        link,
    ]
    assert mail.html.startswith("<p>Hello Vera evil\u200b.\u200bexample,</p>")


def test_a_link_in_the_template_stops_where_a_visitor_value_starts(submit):
    ticket = submit(name="evil.example/steal")
    values = mail_values(ticket=ticket, link="https://help.example.com/t/x/")

    mail = mail_render(subject="s", body="https://shop.example/{{ customer_name }}", values=values)

    assert _hrefs(mail.html) == ["https://shop.example/"]
    assert "evil" not in _hrefs(mail.html)[0]


def test_a_visitor_value_that_looks_like_a_mark_or_placeholder_stays_text(submit):
    ticket = submit(name="{{ ticket_link }}", subject="{{ customer_name }}")
    values = mail_values(ticket=ticket, link="https://help.example.com/t/x/")
    values["customer_first_name"] = "\x000\x00"  # what the HTML part uses as its marks

    mail = mail_render(
        subject="s", body="{{ customer_first_name }} {{ customer_name }}", values=values
    )

    assert mail.html == "<p>0 {{ ticket_link }}</p>"
    assert _hrefs(mail.html) == []


def test_the_confirmation_mail_sent_to_a_visitor_links_only_the_ticket(
    submit, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://help.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        ticket = submit(
            name='Visit http://evil.example <a href="http://evil.example">here</a>',
            subject="Reset at evil.example/login",
        )

    [mail] = mailoutbox
    html = next(content for content, kind in mail.alternatives if kind == "text/html")
    assert _hrefs(html) == [f"https://help.example.com/support/t/{ticket.access_token}/"]
    assert "evil.example" not in html and "evil.example" not in mail.body
    assert '<a href="http://evil' not in html
