"""Sign-in history in the admin (issue 14): read-only for everyone, admins included — no add,
change, delete or bulk delete; the session key never shown; the browser shown whole."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import LoginEvent
from tests.factories import TechFactory

pytestmark = pytest.mark.django_db

LIST = reverse("admin:accounts_loginevent_changelist")
CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 ExtraVendorToken/9.9"
)
SESSION_KEY = "k3y0fas1gn3ds3ss10nn0b0dysh0uldr34d"


@pytest.fixture
def event(tech):
    return LoginEvent.objects.create(
        kind=LoginEvent.Kind.SIGN_IN,
        user=tech,
        email=tech.email,
        ip_address="203.0.113.9",
        user_agent=CHROME,
        session_key=SESSION_KEY,
    )


def test_the_list_shows_the_whole_browser_and_no_session_key(client, admin_user, event):
    client.force_login(admin_user)

    html = client.get(LIST).content.decode()

    assert CHROME in html
    assert "Chrome 131 on macOS" in html
    assert 'class="login-browser"' in html
    assert "css/admin-login-history.css" in html
    assert SESSION_KEY not in html
    assert 'name="action"' not in html  # no "delete selected"


def test_the_detail_page_is_read_only_without_the_session_key(client, admin_user, event):
    client.force_login(admin_user)
    url = reverse("admin:accounts_loginevent_change", args=[event.pk])

    html = client.get(url).content.decode()

    assert CHROME in html
    assert SESSION_KEY not in html
    assert 'name="_save"' not in html
    assert reverse("admin:accounts_loginevent_delete", args=[event.pk]) not in html


def test_admins_may_not_add_change_or_delete_history(client, admin_user, event):
    client.force_login(admin_user)
    change = reverse("admin:accounts_loginevent_change", args=[event.pk])
    delete = reverse("admin:accounts_loginevent_delete", args=[event.pk])

    assert client.get(reverse("admin:accounts_loginevent_add")).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    client.post(change, {"email": "someone@else.example", "kind": "sign_out"})
    client.post(LIST, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})

    event.refresh_from_db()
    assert (event.email, event.kind) == (event.user.email, LoginEvent.Kind.SIGN_IN)


def test_even_a_granted_delete_permission_does_not_delete_history(client, admin_user, event):
    admin_user.user_permissions.add(Permission.objects.get(codename="delete_loginevent"))
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:accounts_loginevent_delete", args=[event.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert LoginEvent.objects.filter(pk=event.pk).exists()


def test_staff_who_are_not_admins_do_not_reach_it(client, event):
    client.force_login(TechFactory())

    response = client.get(LIST)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_a_user_with_history_cannot_be_deleted_through_the_admin(client, admin_user, event):
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_delete", args=[event.user.pk])

    response = client.post(url, {"post": "yes"})

    assert response.status_code in (200, 403)
    assert LoginEvent.objects.filter(pk=event.pk).exists()
    assert type(event.user).objects.filter(pk=event.user.pk).exists()
