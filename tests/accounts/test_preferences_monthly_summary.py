"""The monthly summary choice on the preferences page: offered to managers and admins only (they
are the ones who may read reports), saved through the preferences service, off by default."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.preferences import tech_preferences_update
from tests.factories import DepartmentFactory, MembershipFactory, TechFactory

pytestmark = pytest.mark.django_db

PREFERENCES = reverse("accounts:preferences")
CHECKBOX = re.compile(r'<input type="checkbox"[^>]*name="monthly_summary"[^>]*>')


def summary_box(html: str) -> str | None:
    found = CHECKBOX.search(html)
    return found.group(0) if found else None


def save(client, **fields):
    return client.post(PREFERENCES, {"signature_text": "", **fields}, follow=True)


def test_a_manager_is_offered_the_summary_off_by_default_with_a_label(client, manager):
    client.force_login(manager)

    html = client.get(PREFERENCES).content.decode()

    assert '<fieldset class="mt-2" id="monthly-summary">' in html
    box = summary_box(html)
    assert box is not None and "checked" not in box
    assert '<label class="form-check-label" for="id_monthly_summary">' in html
    assert "Send me a monthly summary by email" in html
    assert "On the first day of each month (in your time zone)" in html


def test_a_manager_turns_the_summary_on_and_off_again(client, manager):
    client.force_login(manager)

    response = save(client, monthly_summary="on")

    assert "Your preferences are saved." in response.content.decode()
    manager.refresh_from_db()
    assert manager.monthly_summary
    assert "checked" in summary_box(client.get(PREFERENCES).content.decode())

    save(client)

    manager.refresh_from_db()
    assert not manager.monthly_summary


def test_an_admin_is_offered_the_summary_too(client, admin_user):
    client.force_login(admin_user)

    assert summary_box(client.get(PREFERENCES).content.decode()) is not None
    save(client, monthly_summary="on")

    admin_user.refresh_from_db()
    assert admin_user.monthly_summary


def test_a_tech_who_manages_nothing_is_not_offered_it_and_cannot_post_it(client, tech):
    client.force_login(tech)

    html = client.get(PREFERENCES).content.decode()
    assert summary_box(html) is None
    assert 'id="monthly-summary"' not in html

    response = save(client, monthly_summary="on", reply_as_note_by_default="on")

    assert "Your preferences are saved." in response.content.decode()
    tech.refresh_from_db()
    assert tech.reply_as_note_by_default  # the rest is saved
    assert not tech.monthly_summary


def test_the_manager_of_a_closed_department_is_not_offered_it(client):
    closed = DepartmentFactory(name="Closed", slug="closed", is_active=False)
    former = TechFactory(full_name="Former Manager")
    MembershipFactory(user=former, department=closed, is_manager=True)
    client.force_login(former)

    assert summary_box(client.get(PREFERENCES).content.decode()) is None


def test_saving_other_preferences_as_a_tech_keeps_a_summary_chosen_while_managing(client, manager):
    """Someone who stops managing keeps their choice (the summary stops by itself, and comes
    back when they manage again); their other saves do not clear it."""
    client.force_login(manager)
    save(client, monthly_summary="on")
    manager.memberships.update(is_manager=False)

    save(client, signature_text="Maria")

    manager.refresh_from_db()
    assert manager.monthly_summary
    assert manager.signature_text == "Maria"


def test_the_service_refuses_the_summary_to_someone_who_may_not_read_reports(tech):
    with pytest.raises(PermissionDenied):
        tech_preferences_update(
            user=tech,
            reply_as_note_by_default=False,
            signature_text="",
            signature_image=None,
            remove_image=False,
            monthly_summary=True,
        )

    tech.refresh_from_db()
    assert not tech.monthly_summary


def test_the_service_leaves_the_choice_alone_when_not_given(manager):
    manager.monthly_summary = True
    manager.save(update_fields=["monthly_summary"])

    tech_preferences_update(
        user=manager,
        reply_as_note_by_default=True,
        signature_text="",
        signature_image=None,
        remove_image=False,
    )

    manager.refresh_from_db()
    assert manager.monthly_summary and manager.reply_as_note_by_default


def test_the_managers_page_costs_no_more_queries_than_a_techs(
    client, manager, tech, django_assert_num_queries
):
    for person in (tech, manager):
        client.force_login(person)
        client.get(PREFERENCES)  # warm the session and the first activity write
    client.force_login(tech)
    client.get(PREFERENCES)
    # session, user, the notification bell's unread count, the notification choices
    with django_assert_num_queries(4):
        client.get(PREFERENCES)
    client.force_login(manager)
    client.get(PREFERENCES)
    with django_assert_num_queries(4):
        response = client.get(PREFERENCES)
    assert summary_box(response.content.decode()) is not None
