"""Admins add mailboxes: the password is write-only and the connection can be tested."""

import pytest
from django.urls import reverse

from departments.credentials import secret_decrypt
from departments.models import Mailbox

pytestmark = pytest.mark.django_db


def form_data(department, dovecot, **overrides):
    data = {
        "name": "Support",
        "department": department.pk,
        "email_address": "support@example.test",
        "is_active": "on",
        "protocol": "imap",
        "host": "localhost",
        "port": dovecot.imaps_port,
        "security": "tls",
        "verify_certificate": "on",
        "username": "support@example.test",
        "password": dovecot.users["support@example.test"],
        "folder": "INBOX",
        "auto_response": "department",
    }
    data.update(overrides)
    return data


def test_admin_adds_a_mailbox_and_the_password_is_never_shown_back(
    admin_client, department, dovecot, settings
):
    settings.MAILBOX_CA_FILE = str(dovecot.ca_file)
    password = dovecot.users["support@example.test"]

    response = admin_client.post(
        reverse("admin:departments_mailbox_add"), form_data(department, dovecot)
    )

    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert secret_decrypt(mailbox.password_encrypted) == password
    assert password not in mailbox.password_encrypted
    page = admin_client.get(reverse("admin:departments_mailbox_change", args=[mailbox.pk]))
    assert password not in page.content.decode()


def test_save_and_test_reports_the_connection(admin_client, department, dovecot, settings):
    settings.MAILBOX_CA_FILE = str(dovecot.ca_file)
    admin_client.post(reverse("admin:departments_mailbox_add"), form_data(department, dovecot))
    mailbox = Mailbox.objects.get()
    url = reverse("admin:departments_mailbox_change", args=[mailbox.pk])

    data = form_data(department, dovecot, password="", _test_connection="1")
    response = admin_client.post(url, data, follow=True)

    assert "Connected" in response.content.decode()
    mailbox.refresh_from_db()
    assert secret_decrypt(mailbox.password_encrypted) == dovecot.users["support@example.test"]

    data = form_data(department, dovecot, password="wrong", _test_connection="1")
    response = admin_client.post(url, data, follow=True)

    assert "Could not connect" in response.content.decode()
    assert "wrong" not in response.content.decode().split("Could not connect")[1][:300]


def test_a_new_mailbox_needs_a_password(admin_client, department, dovecot):
    response = admin_client.post(
        reverse("admin:departments_mailbox_add"), form_data(department, dovecot, password="")
    )

    assert response.status_code == 200
    assert "A new mailbox needs its password." in response.content.decode()
    assert not Mailbox.objects.exists()
