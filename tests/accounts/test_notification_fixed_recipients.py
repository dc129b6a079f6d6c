"""Kinds of notification whose recipients are fixed by role (a held reply: the managers; a
decided reply: its author; a mention: the person named; a case at risk or escalated: the
department's managers and the owner, or its techs while it has none; a case's first poor
satisfaction rating: the department's managers and the owner; a call-back reminder: the tech
who set it): the preferences offer
no in-app scope for them, say who hears instead, refuse a posted scope, and the fan-out ignores
any scope."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tickets.models import Activity, NotificationPreference
from tickets.notification_preferences import (
    DEFAULTS,
    FIXED_RECIPIENTS,
    Choice,
    notification_preferences_save,
    preference_of,
    preferences_for,
)

pytestmark = pytest.mark.django_db

PAGE = reverse("accounts:preferences")
InApp = NotificationPreference.InApp
Email = NotificationPreference.Email
FIXED = [
    Activity.REPLY_HELD,
    Activity.REPLY_APPROVED,
    Activity.REPLY_REJECTED,
    Activity.MENTIONED,
    Activity.SLA_AT_RISK,
    Activity.SLA_ESCALATED,
    Activity.POOR_RATING,
    Activity.CALL_BACK_DUE,
]


def form_data(**overrides) -> dict:
    data = {"section": "notifications"}
    for activity in Activity.values:
        if activity not in FIXED:
            data[f"in_app_{activity}"] = InApp.MINE
        data[f"email_{activity}"] = Email.NEVER
    data.update(overrides)
    return data


def test_the_fixed_kinds_are_held_and_decided_replies_mentions_sla_poor_ratings_call_backs():
    assert set(FIXED_RECIPIENTS) == set(FIXED)


def test_the_page_says_who_hears_instead_of_offering_a_scope(client, tech):
    client.force_login(tech)

    response = client.get(PAGE)

    page = response.content.decode()
    for activity in FIXED:
        assert f'id="id_in_app_{activity}"' not in page
    for activity in [*FIXED[:4], Activity.POOR_RATING]:
        assert f'id="id_email_{activity}"' in page
    assert 'id="id_in_app_customer_message"' in page
    assert page.count('data-testid="fixed-recipients"') == len(FIXED)
    assert "The department&#x27;s managers, and the ticket&#x27;s owner" in page
    assert "You, as the author, and the ticket&#x27;s owner" in page
    assert "You, when mentioned, and the ticket&#x27;s owner" in page
    assert (
        "The department&#x27;s managers, and the ticket&#x27;s owner (its techs while it has none)"
        in page
    )


def test_saving_without_a_scope_for_them_saves_their_email_choice(client, tech):
    client.force_login(tech)

    response = client.post(PAGE, form_data(email_reply_held=Email.DIGEST))

    assert response.status_code == 302
    held = NotificationPreference.objects.get(user=tech, activity=Activity.REPLY_HELD)
    assert (held.in_app, held.email) == (InApp.MINE, Email.DIGEST)


@pytest.mark.parametrize("activity", FIXED)
@pytest.mark.parametrize("scope", [InApp.DEPARTMENTS, InApp.MINE])
def test_a_posted_scope_for_a_fixed_kind_is_refused_and_nothing_saved(
    client, tech, activity, scope
):
    client.force_login(tech)

    response = client.post(PAGE, form_data(**{f"in_app_{activity}": scope}))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Please correct the marked fields." in page
    assert "there is no scope to choose for it." in page
    assert not NotificationPreference.objects.filter(user=tech).exists()


def test_the_service_refuses_a_departments_scope_for_a_fixed_kind(tech):
    choices = dict(DEFAULTS)
    choices[Activity.MENTIONED] = Choice(InApp.DEPARTMENTS, Email.NEVER)

    with pytest.raises(ValidationError, match="is fixed"):
        notification_preferences_save(user=tech, choices=choices)

    assert not NotificationPreference.objects.filter(user=tech).exists()


SLA = [Activity.SLA_AT_RISK, Activity.SLA_ESCALATED]


def test_the_sla_kinds_offer_no_email_they_come_with_their_own_mail(client, tech):
    client.force_login(tech)

    page = client.get(PAGE).content.decode()

    for activity in SLA:
        assert f'id="id_email_{activity}"' not in page
    assert page.count('data-testid="own-mail"') == len(SLA)
    assert "The escalation mail itself" in page and "The warning mail itself" in page


def test_a_posted_email_choice_for_an_sla_kind_is_ignored(client, tech):
    client.force_login(tech)

    response = client.post(PAGE, form_data(email_sla_escalated=Email.IMMEDIATE))

    assert response.status_code == 302
    saved = NotificationPreference.objects.get(user=tech, activity=Activity.SLA_ESCALATED)
    assert saved.email == Email.NEVER


def test_the_service_refuses_an_email_for_an_sla_kind_and_reads_never(tech):
    choices = dict(DEFAULTS)
    choices[Activity.SLA_ESCALATED] = Choice(InApp.MINE, Email.IMMEDIATE)

    with pytest.raises(ValidationError, match="comes with its own mail"):
        notification_preferences_save(user=tech, choices=choices)

    assert not NotificationPreference.objects.filter(user=tech).exists()
    # A row written before this rule (or by hand) is read as "never" all the same.
    NotificationPreference.objects.create(
        user=tech, activity=Activity.SLA_ESCALATED, in_app=InApp.MINE, email=Email.IMMEDIATE
    )
    saved = preferences_for([tech.pk])
    assert preference_of(saved, user_id=tech.pk, activity=Activity.SLA_ESCALATED).email == (
        Email.NEVER
    )
