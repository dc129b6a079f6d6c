import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("accounts:sign_in")
GENERIC_ERROR = "That email address and password do not match an account."


def test_sign_in_page_shows_labelled_fields(client):
    response = client.get(SIGN_IN)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<label class="form-label" for="id_username">Email address</label>' in html
    assert '<label class="form-label" for="id_password">Password</label>' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_wrong_password_and_unknown_account_get_the_same_answer(client, tech):
    wrong_password = client.post(SIGN_IN, {"username": tech.email, "password": "nope"})
    unknown_account = client.post(SIGN_IN, {"username": "ghost@example.com", "password": "nope"})

    for response in (wrong_password, unknown_account):
        assert response.status_code == 200
        assert GENERIC_ERROR in response.content.decode()
        assert "_auth_user_id" not in response.wsgi_request.session
    assert _error_block(wrong_password) == _error_block(unknown_account)


def test_disabled_account_gets_the_same_answer_as_a_wrong_password(client, tech, password):
    User.objects.filter(pk=tech.pk).update(is_active=False)

    response = client.post(SIGN_IN, {"username": tech.email, "password": password})

    assert response.status_code == 200
    assert GENERIC_ERROR in response.content.decode()


def test_missing_fields_are_reported_per_field(client):
    response = client.post(SIGN_IN, {"username": "", "password": ""})

    assert response.status_code == 200
    assert response.content.decode().count("This field is required.") == 2


def test_sign_in_sends_each_role_to_its_place(client, tech, password):
    response = client.post(SIGN_IN, {"username": tech.email, "password": password}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("tickets:desk")


def test_sign_in_honours_a_safe_next_and_ignores_an_offsite_one(client, tech, password):
    safe = client.post(
        SIGN_IN, {"username": tech.email, "password": password, "next": "/desk/?q=1"}
    )
    assert safe.url == "/desk/?q=1"

    client.logout()
    offsite = client.post(
        SIGN_IN, {"username": tech.email, "password": password, "next": "https://evil.test/"}
    )
    assert offsite.url == reverse("home")


def test_signed_in_person_visiting_sign_in_is_sent_on(client, tech):
    client.force_login(tech)

    response = client.get(SIGN_IN)

    assert response.status_code == 302


def _error_block(response):
    html = response.content.decode()
    start = html.index('id="sign-in-error"')
    return html[start : html.index("</div>", start)]
