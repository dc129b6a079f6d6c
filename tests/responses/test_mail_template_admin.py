"""Configuration → Mail templates (issue 14): every mail the product sends is listed with its
shipped default before anyone saved a version, can be edited from there, and a saved version
can be put back to the default; a bad placeholder is refused with a clear message."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from responses.mail_defaults import DEFAULTS
from responses.models import MailTemplate

pytestmark = pytest.mark.django_db

LIST = reverse("admin:responses_mailtemplate_changelist")
ADD = reverse("admin:responses_mailtemplate_add")


def change_url(template):
    return reverse("admin:responses_mailtemplate_change", args=[template.pk])


def test_the_list_shows_every_mail_with_its_shipped_default_before_any_is_saved(
    client, admin_user, django_assert_max_num_queries
):
    client.force_login(admin_user)

    with django_assert_max_num_queries(12):
        response = client.get(LIST)

    html = response.content.decode()
    assert response.status_code == 200
    for key, label in MailTemplate.Key.choices:
        assert escape(str(label)) in html
        assert f'data-testid="shipped-mail-{key}"' in html
        assert f"{ADD}?key={key}" in html
    assert str(DEFAULTS[MailTemplate.Key.CONFIRMATION][0]).replace("{", "") in html.replace("{", "")
    assert html.count("Shipped default") == len(MailTemplate.Key.choices)


def test_edit_starts_from_the_default_and_a_saved_version_shows_as_edited(client, admin_user):
    client.force_login(admin_user)
    key = MailTemplate.Key.REPLY_NOTICE

    form = client.get(ADD, {"key": key}).context["adminform"].form
    assert form.initial["subject"] == str(DEFAULTS[key][0])
    assert form.initial["body"] == str(DEFAULTS[key][1])

    response = client.post(
        ADD,
        {
            "key": key,
            "subject": "{{ ticket_tag }} Answered",
            "body": "See {{ ticket_link }}",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    saved = MailTemplate.objects.get(key=key)
    html = client.get(LIST).content.decode()
    assert change_url(saved) in html
    assert "{{ ticket_tag }} Answered" in html


def test_restore_default_writes_the_shipped_subject_and_text(client, admin_user):
    key = MailTemplate.Key.CONFIRMATION
    template = MailTemplate.objects.create(key=key, subject="{{ ticket_tag }} Hi", body="Short")
    client.force_login(admin_user)

    page = client.get(change_url(template)).content.decode()
    assert 'name="_restore_default"' in page
    response = client.post(
        change_url(template), {"_restore_default": "1", "subject": "ignored", "body": "ignored"}
    )

    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.subject, template.body) == tuple(str(text) for text in DEFAULTS[key])
    follow = client.get(response.url)
    assert "has its shipped default again" in follow.content.decode()


def test_a_bad_placeholder_is_refused_with_a_clear_message_and_nothing_saved(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        ADD,
        {
            "key": MailTemplate.Key.REPLY,
            "subject": "{{ ticket_tag }} Re",
            "body": "Hello {{ customer_password }}",
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert (
        "Unknown placeholders: {{ customer_password }}. Only these are filled in:"
        in response.content.decode()
    )
    assert not MailTemplate.objects.exists()


def test_a_tech_may_not_restore(client, tech):
    template = MailTemplate.objects.create(key="reply", subject="{{ ticket_tag }} X", body="Y")
    client.force_login(tech)

    response = client.post(change_url(template), {"_restore_default": "1"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    template.refresh_from_db()
    assert template.body == "Y"
