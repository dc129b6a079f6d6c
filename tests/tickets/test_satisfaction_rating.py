"""Recording a customer's rating (tickets/satisfaction.py rating_record): one per case, a second
click changes it, a change window, the thread's staff-only line, the closing's feedback, and a
poor mark told once to the department's managers and shown once in their feed."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.concurrency import run_in_threads
from tests.factories import DepartmentFactory, MembershipFactory, TechFactory
from tests.tickets.satisfaction_support import (
    DID_NOT_HELP,
    EXCELLENT,
    NOT_COMPLETE,
    SATISFIES,
    close,
    closed,
    marks,
    rating_events,
)
from tickets import selectors, services
from tickets.activity_feed import feed_page
from tickets.models import (
    Activity,
    Closure,
    Message,
    Notification,
    SatisfactionMark,
    SatisfactionRating,
    StatusType,
    Ticket,
)
from tickets.notification_inbox import notification_summary
from tickets.satisfaction import rating_of_ticket, rating_panel, rating_record

pytestmark = pytest.mark.django_db
__all__ = ["closed", "marks"]  # fixtures


def poor_rows(ticket):
    return Message.objects.filter(ticket=ticket, activity=Activity.POOR_RATING)


# One rating per case


def test_the_first_rating_copies_the_score_the_department_and_the_owner(closed, marks, tech):
    rating = rating_record(ticket=closed, mark=marks[SATISFIES], comment="  Quick and clear. ")

    assert rating.score == 1
    assert rating.comment == "Quick and clear."
    assert (rating.department_id, rating.owner_id) == (closed.department_id, tech.pk)
    assert rating.rated_at == rating.changed_at


def test_a_second_click_changes_the_rating_and_never_adds_one(closed, marks):
    first = rating_record(ticket=closed, mark=marks[EXCELLENT])

    second = rating_record(ticket=closed, mark=marks[NOT_COMPLETE])

    assert SatisfactionRating.objects.filter(ticket=closed).count() == 1
    assert second.pk == first.pk
    assert (second.mark_id, second.score) == (marks[NOT_COMPLETE].pk, -1)
    assert second.rated_at == first.rated_at
    assert second.changed_at > first.rated_at
    lines = rating_events(closed)
    assert [line.event_data["mark"] for line in lines] == [EXCELLENT, NOT_COMPLETE]
    assert lines[1].event_data["previous"] == EXCELLENT
    assert lines[1].event_data["mark_changed"] is True


def test_the_same_click_again_changes_nothing(closed, marks):
    rating_record(ticket=closed, mark=marks[EXCELLENT], comment="Thanks")

    rating = rating_record(ticket=closed, mark=marks[EXCELLENT])

    assert rating.changed_at == rating.rated_at
    assert rating.comment == "Thanks"
    assert len(rating_events(closed)) == 1


def test_a_comment_added_later_keeps_the_mark_and_says_so_in_the_thread(closed, marks):
    rating_record(ticket=closed, mark=marks[SATISFIES])

    rating = rating_record(ticket=closed, mark=marks[SATISFIES], comment="The photo helped.")

    assert (rating.mark_id, rating.comment) == (marks[SATISFIES].pk, "The photo helped.")
    line = rating_events(closed)[-1]
    assert line.body == "The photo helped."
    assert line.event_data["mark_changed"] is False
    assert rating_record(ticket=closed, mark=marks[SATISFIES], comment="").comment == ""


def test_a_score_edited_later_on_the_mark_does_not_rewrite_the_rating(closed, marks):
    rating = rating_record(ticket=closed, mark=marks[SATISFIES])
    SatisfactionMark.objects.filter(pk=marks[SATISFIES].pk).update(score=-5)

    rating.refresh_from_db()
    assert rating.score == 1


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_the_same_moment_make_one_rating(marks, submit, tech):
    ticket = close(submit(), tech)
    chosen = [marks[EXCELLENT], marks[NOT_COMPLETE]]

    run_in_threads(2, lambda index: rating_record(ticket=ticket, mark=chosen[index]))

    assert SatisfactionRating.objects.filter(ticket=ticket).count() == 1
    assert len(rating_events(ticket)) == 2  # the first rating, and the other click's change


def test_the_line_in_the_thread_is_for_staff_and_names_the_customer(closed, marks):
    rating_record(ticket=closed, mark=marks[SATISFIES], comment="Fine")

    line = rating_events(closed)[0]
    assert (line.kind, line.author_customer_id) == (Message.Kind.EVENT, closed.customer_id)
    assert line.author_name == "Vera Visitor"
    assert line not in selectors.ticket_thread(ticket=closed, public_only=True)


def test_the_first_rating_is_the_closings_feedback(closed, marks):
    rating = rating_record(ticket=closed, mark=marks[SATISFIES])

    assert Closure.objects.get(ticket=closed).feedback_at == rating.rated_at


# Which cases, and until when


def test_an_open_case_cannot_be_rated_and_nothing_is_written(marks, submit):
    ticket = submit()

    with pytest.raises(ValidationError, match="Only a closed request can be rated"):
        rating_record(ticket=ticket, mark=marks[EXCELLENT])

    assert not SatisfactionRating.objects.exists()
    assert rating_events(ticket) == []


def test_a_rating_stays_when_the_case_reopens_and_cannot_change_while_it_is_open(closed, marks):
    rating_record(ticket=closed, mark=marks[EXCELLENT])
    services.ticket_reply_from_customer(ticket=closed, body="It is back.")

    with pytest.raises(ValidationError):
        rating_record(ticket=closed, mark=marks[DID_NOT_HELP])

    assert SatisfactionRating.objects.get(ticket=closed).mark_id == marks[EXCELLENT].pk


def test_the_rating_can_change_until_the_window_ends_then_it_is_final(closed, marks, settings):
    settings.SATISFACTION_CHANGE_DAYS = 14
    rated = rating_record(ticket=closed, mark=marks[EXCELLENT]).rated_at

    with time_machine.travel(rated + timedelta(days=14), tick=False):
        assert rating_record(ticket=closed, mark=marks[SATISFIES]).mark_id == marks[SATISFIES].pk
    with (
        time_machine.travel(rated + timedelta(days=14, seconds=1), tick=False),
        pytest.raises(ValidationError, match="can be changed for 14 days after it is given"),
    ):
        rating_record(ticket=closed, mark=marks[NOT_COMPLETE], comment="Late")

    rating = SatisfactionRating.objects.get(ticket=closed)
    assert (rating.mark_id, rating.comment) == (marks[SATISFIES].pk, "")


def test_with_no_change_days_the_first_rating_is_final(closed, marks, settings):
    settings.SATISFACTION_CHANGE_DAYS = 0
    rating_record(ticket=closed, mark=marks[EXCELLENT])

    with (
        time_machine.travel(timezone.now() + timedelta(seconds=1), tick=False),
        pytest.raises(ValidationError, match="for 0 days"),
    ):
        rating_record(ticket=closed, mark=marks[EXCELLENT], comment="More")


def test_a_retired_mark_is_not_offered_but_a_rating_with_it_keeps_it(closed, marks):
    rating_record(ticket=closed, mark=marks[SATISFIES])
    SatisfactionMark.objects.filter(pk__in=[marks[SATISFIES].pk, marks[EXCELLENT].pk]).update(
        is_active=False
    )
    for mark in marks.values():
        mark.refresh_from_db()

    with pytest.raises(ValidationError, match="no longer offered"):
        rating_record(ticket=closed, mark=marks[EXCELLENT])
    kept = rating_record(ticket=closed, mark=marks[SATISFIES], comment="Still fine")

    assert (kept.mark_id, kept.comment) == (marks[SATISFIES].pk, "Still fine")
    assert marks[SATISFIES] in rating_panel(ticket=closed).marks


@pytest.mark.parametrize("comment", ["x" * 4001, "bad\x00byte"])
def test_a_comment_too_long_or_with_a_nul_byte_is_refused(closed, marks, comment):
    with pytest.raises(ValidationError, match="4000 characters"):
        rating_record(ticket=closed, mark=marks[SATISFIES], comment=comment)

    assert not SatisfactionRating.objects.exists()


# A poor mark


@pytest.fixture
def elsewhere():
    """A manager and a tech of another department, who must hear nothing."""
    other = DepartmentFactory(name="Billing")
    return {
        "manager": MembershipFactory(department=other, is_manager=True).user,
        "tech": MembershipFactory(department=other).user,
    }


def test_a_poor_mark_notifies_the_departments_managers_only(
    closed, marks, manager, tech, elsewhere
):
    colleague = MembershipFactory(department=closed.department, user=TechFactory()).user

    rating_record(ticket=closed, mark=marks[NOT_COMPLETE], comment="You missed the point.")

    told = dict(
        Notification.objects.filter(activity=Activity.POOR_RATING).values_list(
            "recipient_id", "reason"
        )
    )
    assert told == {manager.pk: "your_department", tech.pk: "your_ticket"}  # and the owner
    assert colleague.pk not in told
    assert elsewhere["manager"].pk not in told
    notification = Notification.objects.get(recipient=manager)
    assert notification_summary(notification) == (
        "Poor rating from Vera Visitor: Not complete enough"
    )


def test_a_poor_mark_appears_once_in_the_managers_feed(closed, marks, manager):
    rating_record(ticket=closed, mark=marks[NOT_COMPLETE], comment="You missed the point.")
    rating_record(ticket=closed, mark=marks[DID_NOT_HELP])  # poor to poor: told once
    rating_record(ticket=closed, mark=marks[DID_NOT_HELP], comment="Really.")

    page = feed_page(user=manager, department_ids=[closed.department_id])

    rows = [row for row in page.rows if row.message.activity == Activity.POOR_RATING]
    assert len(rows) == 1
    assert rows[0].label == "Poor satisfaction rating"
    assert rows[0].who == "Vera Visitor"
    assert rows[0].excerpt == "Not complete enough: “You missed the point.”"
    assert rows[0].icon == "bi-emoji-frown"
    assert Notification.objects.filter(recipient=manager).count() == 1
    assert len(rating_events(closed)) == 3


def test_a_good_mark_tells_nobody(closed, marks, manager):
    rating_record(ticket=closed, mark=marks[EXCELLENT], comment="Great")

    assert not poor_rows(closed).exists()
    assert not Notification.objects.exists()


def test_a_good_mark_changed_to_a_poor_one_is_told_then(closed, marks, manager):
    rating_record(ticket=closed, mark=marks[SATISFIES])

    rating_record(ticket=closed, mark=marks[DID_NOT_HELP])

    assert poor_rows(closed).count() == 1
    assert Notification.objects.filter(recipient=manager).count() == 1


def test_the_poor_threshold_is_a_setting(closed, marks, manager, settings):
    settings.SATISFACTION_POOR_BELOW = 2

    rating_record(ticket=closed, mark=marks[SATISFIES])

    assert poor_rows(closed).count() == 1
    assert rating_events(closed)[0].event_data["poor"] is True


def test_a_closed_case_whose_status_changed_back_and_forth_keeps_its_one_rating(
    closed, marks, tech
):
    rating_record(ticket=closed, mark=marks[SATISFIES])
    services.ticket_reply_from_customer(ticket=closed, body="Another thing.")
    close(closed, tech, body="Done too.")

    rating = rating_record(ticket=closed, mark=marks[EXCELLENT])

    assert SatisfactionRating.objects.filter(ticket=closed).count() == 1
    assert rating.mark_id == marks[EXCELLENT].pk
    assert closed.status_type == StatusType.CLOSED


def _fetched_with_rating(ticket):
    return Ticket.objects.select_related("rating__mark").get(pk=ticket.pk)


def test_the_rating_fetched_with_the_ticket_is_read_without_a_query(
    closed, marks, django_assert_num_queries
):
    rating_record(ticket=closed, mark=marks[EXCELLENT])
    ticket = _fetched_with_rating(closed)
    with django_assert_num_queries(0):
        rating = rating_of_ticket(ticket=ticket)
        assert rating.mark.label == EXCELLENT


def test_no_rating_fetched_with_the_ticket_is_none_without_a_query(
    closed, django_assert_num_queries
):
    ticket = _fetched_with_rating(closed)
    with django_assert_num_queries(0):
        assert rating_of_ticket(ticket=ticket) is None


def test_a_ticket_fetched_without_its_rating_reads_it_and_its_mark_in_one_query(
    closed, marks, django_assert_num_queries
):
    rating_record(ticket=closed, mark=marks[SATISFIES])
    ticket = Ticket.objects.get(pk=closed.pk)
    with django_assert_num_queries(1):
        rating = rating_of_ticket(ticket=ticket)
        assert rating.mark.label == SATISFIES
    unrated = Ticket.objects.get(pk=closed.pk)
    SatisfactionRating.objects.filter(ticket=unrated).delete()
    with django_assert_num_queries(1):
        assert rating_of_ticket(ticket=unrated) is None
