"""Configuration of satisfaction: admins order and retire marks in the list; a mark customers
have given cannot be deleted (they are told to retire it instead); ratings are read-only."""

import pytest
from django.urls import reverse

from tests.tickets.satisfaction_support import (
    EXCELLENT,
    NOT_COMPLETE,
    SATISFIES,
    closed,
    marks,
)
from tickets.models import SatisfactionMark, SatisfactionRating
from tickets.satisfaction import rating_record

pytestmark = pytest.mark.django_db
__all__ = ["closed", "marks"]  # fixtures

MARKS = reverse("admin:tickets_satisfactionmark_changelist")
RATINGS = reverse("admin:tickets_satisfactionrating_changelist")


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_mark_list_edits_position_and_active_in_place_and_counts_uses(signed_in, closed, marks):
    rating_record(ticket=closed, mark=marks[SATISFIES])

    html = signed_in.get(MARKS).content.decode()

    assert 'name="form-0-position"' in html
    assert 'name="form-0-is_active"' in html
    assert "Times given" in html
    assert '<td class="field-times_given">1</td>' in html
    data = {
        "form-TOTAL_FORMS": "4",
        "form-INITIAL_FORMS": "4",
        "_save": "Save",
    }
    for index, mark in enumerate(SatisfactionMark.objects.order_by("position", "-score", "id")):
        data[f"form-{index}-id"] = str(mark.pk)
        data[f"form-{index}-position"] = str(mark.position)
        if mark.label != NOT_COMPLETE:
            data[f"form-{index}-is_active"] = "on"
    response = signed_in.post(MARKS, data)
    assert response.status_code == 302
    assert not SatisfactionMark.objects.get(label=NOT_COMPLETE).is_active


def test_a_mark_that_was_given_cannot_be_deleted_and_the_admin_is_told_why(
    signed_in, closed, marks
):
    rating_record(ticket=closed, mark=marks[SATISFIES])
    delete = reverse("admin:tickets_satisfactionmark_delete", args=[marks[SATISFIES].pk])

    response = signed_in.post(delete, {"post": "yes"}, follow=True)

    assert SatisfactionMark.objects.filter(pk=marks[SATISFIES].pk).exists()
    html = response.content.decode()
    assert "has been given in customers&#x27; ratings, so it cannot be deleted" in html
    assert "Untick “active” instead" in html


def test_a_mark_never_given_can_be_deleted(signed_in, marks):
    delete = reverse("admin:tickets_satisfactionmark_delete", args=[marks[EXCELLENT].pk])

    assert signed_in.get(delete).status_code == 200
    signed_in.post(delete, {"post": "yes"})

    assert not SatisfactionMark.objects.filter(pk=marks[EXCELLENT].pk).exists()


def test_deleting_several_marks_refuses_when_one_was_given(signed_in, closed, marks):
    rating_record(ticket=closed, mark=marks[NOT_COMPLETE])
    chosen = [marks[EXCELLENT].pk, marks[NOT_COMPLETE].pk]

    response = signed_in.post(
        MARKS, {"action": "delete_unused", "_selected_action": chosen}, follow=True
    )

    assert SatisfactionMark.objects.filter(pk__in=chosen).count() == 2
    assert "“Not complete enough” has been given" in response.content.decode()


def test_deleting_marks_never_given_asks_for_confirmation_then_deletes(signed_in, marks):
    chosen = [marks[EXCELLENT].pk]

    asked = signed_in.post(MARKS, {"action": "delete_unused", "_selected_action": chosen})
    signed_in.post(MARKS, {"action": "delete_unused", "_selected_action": chosen, "post": "yes"})

    assert "Are you sure" in asked.content.decode()
    assert not SatisfactionMark.objects.filter(pk__in=chosen).exists()


def test_ratings_are_listed_and_read_only(signed_in, closed, marks):
    rating = rating_record(ticket=closed, mark=marks[SATISFIES], comment="Quick.")

    listing = signed_in.get(RATINGS).content.decode()
    change = signed_in.get(reverse("admin:tickets_satisfactionrating_change", args=[rating.pk]))

    assert "Quick." in listing
    assert reverse("admin:tickets_satisfactionrating_add") not in listing
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    delete = reverse("admin:tickets_satisfactionrating_delete", args=[rating.pk])
    assert signed_in.post(delete, {"post": "yes"}).status_code == 403
    assert SatisfactionRating.objects.filter(pk=rating.pk).exists()


def test_staff_who_are_not_admins_cannot_open_the_mark_list(client, manager):
    client.force_login(manager)

    assert client.get(MARKS).status_code in (302, 403, 404)
