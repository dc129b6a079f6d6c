"""The notification section of the Preferences page: a table of kinds × (in-app scope, email),
validated, saving only one's own choices; the defaults without any."""

import pytest
from django.urls import reverse

from tests.factories import TechFactory
from tickets.models import Activity, NotificationPreference
from tickets.notification_preferences import (
    DEFAULTS,
    Choice,
    has_email_choice,
    has_scope,
    preference_of,
    preferences_for,
)

pytestmark = pytest.mark.django_db

PAGE = reverse("accounts:preferences")
InApp = NotificationPreference.InApp
Email = NotificationPreference.Email


def everything(in_app=InApp.MINE, email=Email.NEVER, **overrides) -> dict:
    data = {"section": "notifications"}
    for activity in Activity.values:
        if has_scope(activity):  # kinds with fixed recipients have no scope to post
            data[f"in_app_{activity}"] = in_app
        data[f"email_{activity}"] = email
    data.update(overrides)
    return data


def test_the_defaults_email_what_needs_you_and_keep_the_rest_in_the_helpdesk(tech):
    saved = preferences_for([tech.pk])

    for activity in (Activity.REPLY_HELD, Activity.REPLY_REJECTED, Activity.MENTIONED):
        assert preference_of(saved, user_id=tech.pk, activity=activity) == Choice(
            InApp.MINE, Email.IMMEDIATE
        )
    assert preference_of(saved, user_id=tech.pk, activity=Activity.CUSTOMER_MESSAGE) == Choice(
        InApp.MINE, Email.NEVER
    )
    assert set(DEFAULTS) == set(Activity.values)


def test_the_page_shows_a_labelled_select_per_kind_with_the_current_choice(client, tech):
    NotificationPreference.objects.create(
        user=tech, activity=Activity.STATUS_CHANGED, in_app=InApp.DEPARTMENTS, email=Email.DIGEST
    )
    client.force_login(tech)

    page = client.get(PAGE).content.decode()

    assert 'id="notification-preferences"' in page
    for activity in Activity.values:
        if has_scope(activity):
            assert f'<label class="visually-hidden" for="id_in_app_{activity}">' in page
        if has_email_choice(activity):  # the SLA kinds come with their own mail
            assert f'<label class="visually-hidden" for="id_email_{activity}">' in page
    form = client.get(PAGE).context["notification_form"]
    assert form["in_app_status_changed"].value() == InApp.DEPARTMENTS
    assert form["email_status_changed"].value() == Email.DIGEST
    assert form["email_mentioned"].value() == Email.IMMEDIATE


def test_saving_writes_only_ones_own_rows(client, tech):
    other = TechFactory()
    NotificationPreference.objects.create(
        user=other, activity=Activity.CUSTOMER_MESSAGE, email=Email.IMMEDIATE
    )
    client.force_login(tech)

    response = client.post(
        PAGE,
        everything(in_app_customer_message=InApp.DEPARTMENTS, email_customer_message=Email.DIGEST),
    )

    assert response.status_code == 302
    assert response["Location"] == PAGE + "#notification-preferences"
    mine = NotificationPreference.objects.filter(user=tech)
    assert mine.count() == len(Activity.values)
    assert mine.get(activity=Activity.CUSTOMER_MESSAGE).in_app == InApp.DEPARTMENTS
    assert mine.get(activity=Activity.CUSTOMER_MESSAGE).email == Email.DIGEST
    assert mine.get(activity=Activity.MENTIONED).email == Email.NEVER
    assert NotificationPreference.objects.get(user=other).email == Email.IMMEDIATE
    followed = client.get(response["Location"]).content.decode()
    assert "Your notification choices are saved." in followed


def test_saving_again_updates_the_same_rows(client, tech):
    client.force_login(tech)
    client.post(PAGE, everything())

    client.post(PAGE, everything(email=Email.DIGEST))

    assert NotificationPreference.objects.filter(user=tech).count() == len(Activity.values)
    assert set(
        NotificationPreference.objects.filter(
            activity__in=[a for a in Activity.values if has_email_choice(a)]
        ).values_list("email", flat=True)
    ) == {Email.DIGEST}


@pytest.mark.parametrize(
    "bad",
    [
        {"email_mentioned": "sometimes"},
        {"in_app_ticket_created": "everyone"},
        {"email_reply_held": ""},
    ],
)
def test_bad_input_is_refused_with_the_field_marked_and_nothing_written(client, tech, bad):
    client.force_login(tech)

    response = client.post(PAGE, everything(**bad))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Please correct the marked fields." in page
    [field] = bad
    assert f'id="id_{field}_error1"' in page
    assert not NotificationPreference.objects.filter(user=tech).exists()


def test_the_other_preferences_are_left_alone(client, tech):
    tech.signature_text = "Tom"
    tech.save(update_fields=["signature_text"])
    client.force_login(tech)

    client.post(PAGE, everything())

    tech.refresh_from_db()
    assert tech.signature_text == "Tom"


def test_saving_the_reply_preferences_leaves_the_notification_choices_alone(client, tech):
    client.force_login(tech)
    client.post(PAGE, everything(email=Email.DIGEST))

    response = client.post(PAGE, {"signature_text": "Tom", "reply_as_note_by_default": "on"})

    assert response.status_code == 302
    assert set(
        NotificationPreference.objects.filter(
            activity__in=[a for a in Activity.values if has_email_choice(a)]
        ).values_list("email", flat=True)
    ) == {Email.DIGEST}


def test_customers_have_no_such_section(client, customer_user):
    client.force_login(customer_user)

    assert client.post(PAGE, everything()).status_code == 403
    assert not NotificationPreference.objects.exists()
