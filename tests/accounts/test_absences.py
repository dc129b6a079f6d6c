"""Recording absences: the rules (no overlap, who may stand in, ends after starts), the tech's own
page and the manager's per-tech page, and who may use which."""

import datetime
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.absences import absence_record, absence_stop, absent_now
from accounts.models import Absence
from tests.factories import DepartmentFactory, MembershipFactory, TechFactory

HTMX = {"HX-Request": "true"}
pytestmark = pytest.mark.django_db


@pytest.fixture
def substitute(department):
    user = TechFactory(full_name="Sam Substitute")
    MembershipFactory(user=user, department=department)
    return user


def period(start_hours=1, hours=48):
    starts_at = timezone.now() + timedelta(hours=start_hours)
    return starts_at, starts_at + timedelta(hours=hours)


def record(tech, substitute=None, *, start_hours=1, hours=48, by=None):
    starts_at, ends_at = period(start_hours, hours)
    return absence_record(
        tech=tech,
        starts_at=starts_at,
        ends_at=ends_at,
        substitute=substitute,
        created_by=by or tech,
    )


def local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


# The rules


def test_an_absence_is_recorded_with_its_substitute(tech, substitute):
    absence = record(tech, substitute)

    assert absence.substitute == substitute
    assert absence.created_by == tech
    assert absence.is_upcoming and not absence.is_current


def test_an_absence_that_ends_before_it_starts_is_refused(tech):
    starts_at, _ends_at = period()

    with pytest.raises(ValidationError, match="end after it starts"):
        absence_record(
            tech=tech,
            starts_at=starts_at,
            ends_at=starts_at - timedelta(hours=1),
            substitute=None,
            created_by=tech,
        )
    assert not Absence.objects.exists()


def test_an_absence_already_over_is_refused(tech):
    with pytest.raises(ValidationError, match="already over"):
        record(tech, start_hours=-5, hours=2)


def test_overlapping_absences_of_one_tech_are_refused(tech):
    record(tech, start_hours=1, hours=48)

    with pytest.raises(ValidationError, match="already recorded as absent"):
        record(tech, start_hours=24, hours=48)
    record(tech, start_hours=49, hours=2)  # right after: fine
    assert Absence.objects.count() == 2


def test_a_cancelled_absence_no_longer_blocks_the_period(tech):
    absence_stop(absence=record(tech))

    record(tech)

    assert Absence.objects.filter(cancelled_at__isnull=True).count() == 1


def test_a_tech_cannot_stand_in_for_themselves(tech):
    with pytest.raises(ValidationError, match="for themselves"):
        record(tech, tech)


@pytest.mark.parametrize("problem", ["other_department", "inactive", "customer"])
def test_a_substitute_must_be_an_active_tech_of_one_of_the_techs_departments(
    tech, problem, customer_user
):
    if problem == "other_department":
        other = MembershipFactory(department=DepartmentFactory()).user
    elif problem == "inactive":
        other = MembershipFactory(department=tech.memberships.get().department).user
        other.is_active = False
        other.save()
    else:
        other = customer_user

    with pytest.raises(ValidationError, match="cannot stand in"):
        record(tech, other)
    assert not Absence.objects.exists()


def test_a_substitute_who_is_away_then_is_refused_with_the_dates(tech, substitute, manager):
    record(substitute, manager, start_hours=10, hours=5)

    with pytest.raises(ValidationError) as refused:
        record(tech, substitute, start_hours=1, hours=48)

    assert "Sam Substitute is absent themselves" in refused.value.message_dict["substitute"][0]
    assert Absence.objects.filter(tech=tech).count() == 0


def test_absent_now_answers_for_many_people_in_one_query(
    tech, substitute, manager, django_assert_num_queries
):
    current = record(tech, substitute, start_hours=-1)
    record(manager, None, start_hours=5)

    with django_assert_num_queries(1):
        absent = absent_now([tech.pk, substitute.pk, manager.pk, None])
        assert absent[tech.pk].substitute.full_name == "Sam Substitute"

    assert set(absent) == {tech.pk}
    assert absent[tech.pk] == current
    assert absent_now([]) == {}


def test_stopping_cancels_an_absence_ahead_and_ends_a_current_one(tech):
    ahead = absence_stop(absence=record(tech, start_hours=50))
    current = absence_stop(absence=record(tech, start_hours=-1))

    assert ahead.cancelled_at is not None
    assert current.cancelled_at is None
    assert current.ends_at <= timezone.now()
    assert absent_now([tech.pk]) == {}


# The tech's own page


def test_preferences_link_to_the_absence_page(client, tech):
    client.force_login(tech)

    response = client.get(reverse("accounts:preferences"))

    assert reverse("accounts:absence") in response.content.decode()


def test_a_tech_records_their_absence_without_javascript(client, tech, substitute):
    client.force_login(tech)
    starts_at, ends_at = period()

    response = client.post(
        reverse("accounts:absence"),
        {
            "starts_at": local(starts_at),
            "ends_at": local(ends_at),
            "substitute": substitute.pk,
            "note": "Holiday",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("accounts:absence")
    html = response.content.decode()
    assert "Absence recorded." in html
    assert "Substitute: Sam Substitute" in html
    absence = Absence.objects.get()
    assert (absence.tech, absence.substitute, absence.note) == (tech, substitute, "Holiday")


def test_the_time_typed_is_read_in_the_techs_time_zone(client, tech):
    tech.time_zone = "Asia/Tokyo"
    tech.save()
    client.force_login(tech)
    tomorrow = (timezone.now() + timedelta(days=1)).date()

    client.post(
        reverse("accounts:absence"),
        {"starts_at": f"{tomorrow}T09:00", "ends_at": f"{tomorrow}T18:00"},
    )

    absence = Absence.objects.get()
    assert absence.starts_at.astimezone(datetime.UTC).hour == 0  # 09:00 in Tokyo
    assert absence.ends_at - absence.starts_at == timedelta(hours=9)


def test_bad_input_shows_the_form_with_the_reason_and_records_nothing(client, tech, substitute):
    record(tech, start_hours=1, hours=48)
    client.force_login(tech)
    starts_at, ends_at = period(start_hours=2, hours=5)

    backwards = client.post(
        reverse("accounts:absence"), {"starts_at": local(ends_at), "ends_at": local(starts_at)}
    )
    overlapping = client.post(
        reverse("accounts:absence"), {"starts_at": local(starts_at), "ends_at": local(ends_at)}
    )
    garbage = client.post(reverse("accounts:absence"), {"starts_at": "soon", "ends_at": ""})

    assert backwards.status_code == overlapping.status_code == garbage.status_code == 400
    assert "The absence must end after it starts." in backwards.content.decode()
    assert "already recorded as absent" in overlapping.content.decode()
    assert "Enter a valid date/time." in garbage.content.decode()
    assert Absence.objects.count() == 1


def test_bad_input_over_htmx_comes_back_as_a_panel_htmx_swaps(client, manager, tech):
    """htmx leaves a 4xx answer unswapped: the errors would never show."""
    client.force_login(manager)
    starts_at, ends_at = period()

    response = client.post(
        reverse("manage:tech_absence_add", args=[tech.pk]),
        {"starts_at": local(ends_at), "ends_at": local(starts_at), "note": "Kept"},
        headers=HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="absence-panel"' in html and "<html" not in html
    assert "The absence must end after it starts." in html
    assert 'value="Kept"' in html
    assert not Absence.objects.exists()


def test_bad_input_without_javascript_keeps_the_note_and_leads_back_to_the_techs_page(
    client, manager, tech
):
    client.force_login(manager)

    response = client.post(
        reverse("manage:tech_absence_add", args=[tech.pk]),
        {"starts_at": "", "ends_at": "", "note": "Kept"},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="Kept"' in html
    assert reverse("manage:tech_detail", args=[tech.pk]) in html
    assert "Back to Tom Tech's page" in html


def test_recording_over_htmx_answers_the_panel_alone(client, tech, substitute):
    client.force_login(tech)
    starts_at, ends_at = period()

    response = client.post(
        reverse("accounts:absence"),
        {"starts_at": local(starts_at), "ends_at": local(ends_at), "substitute": substitute.pk},
        headers=HTMX,
    )
    page = client.get(reverse("accounts:absence"), headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="absence-panel"' in html
    assert "Absence recorded." in html  # out-of-band into the page's messages
    assert 'data-testid="absence"' in page.content.decode()


def test_a_tech_cancels_their_absence_and_cannot_touch_anyone_elses(client, tech, substitute):
    mine = record(tech)
    theirs = record(substitute)
    client.force_login(tech)

    cancelled = client.post(reverse("accounts:absence_stop", args=[mine.pk]), follow=True)
    refused = client.post(reverse("accounts:absence_stop", args=[theirs.pk]))

    assert "Absence cancelled." in cancelled.content.decode()
    assert refused.status_code == 404
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.cancelled_at is not None and theirs.cancelled_at is None


def test_customers_and_visitors_cannot_record_absences(client, customer_user):
    assert client.get(reverse("accounts:absence")).status_code == 302
    client.force_login(customer_user)
    assert client.get(reverse("accounts:absence")).status_code == 403


# The manager's page


def test_a_manager_records_an_absence_for_their_tech(client, manager, tech, substitute):
    client.force_login(manager)
    url = reverse("manage:tech_absence_add", args=[tech.pk])
    starts_at, ends_at = period()

    page = client.get(url)
    response = client.post(
        url,
        {"starts_at": local(starts_at), "ends_at": local(ends_at), "substitute": substitute.pk},
        follow=True,
    )

    assert page.status_code == 200
    assert "Absences of Tom Tech" in page.content.decode()
    # Without JavaScript the form comes back to the tech's page, at the absence panel.
    tech_page = reverse("manage:tech_detail", args=[tech.pk])
    assert response.redirect_chain[-1][0] == tech_page + "#absence"
    assert "Absence recorded." in response.content.decode()
    absence = Absence.objects.get()
    assert (absence.tech, absence.created_by) == (tech, manager)


def test_a_manager_ends_their_techs_absence_early(client, manager, tech):
    absence = record(tech, start_hours=-1)
    client.force_login(manager)

    response = client.post(
        reverse("manage:tech_absence_stop", args=[tech.pk, absence.pk]), headers=HTMX
    )

    assert "Absence ended." in response.content.decode()
    assert absent_now([tech.pk]) == {}


def test_a_manager_of_another_department_gets_404(client, tech):
    other = MembershipFactory(department=DepartmentFactory(), is_manager=True).user
    absence = record(tech)
    client.force_login(other)

    page = client.get(reverse("manage:tech_absence_add", args=[tech.pk]))
    stop = client.post(reverse("manage:tech_absence_stop", args=[tech.pk, absence.pk]))

    assert page.status_code == stop.status_code == 404
    absence.refresh_from_db()
    assert absence.cancelled_at is None


def test_a_tech_who_is_no_manager_is_refused(client, tech, substitute):
    client.force_login(substitute)

    response = client.get(reverse("manage:tech_absence_add", args=[tech.pk]))

    assert response.status_code == 403


def test_the_manager_panel_substitute_list_offers_only_the_techs_colleagues(
    client, manager, tech, substitute
):
    stranger = MembershipFactory(department=DepartmentFactory()).user
    client.force_login(manager)

    html = client.get(reverse("manage:tech_absence_add", args=[tech.pk])).content.decode()

    assert "Sam Substitute" in html
    assert stranger.full_name not in html
