"""The demo's satisfaction (helpdesk/demo_satisfaction.py): most closed cases rated with a mix
of marks, one poor rating with its comment in the manager's feed, loaded once."""

import pytest
from django.core.management import call_command

from accounts.models import User
from helpdesk.demo_satisfaction import CASES
from tickets.activity_feed import FeedFilters, feed_page
from tickets.models import Activity, Notification, SatisfactionRating, StatusType, Ticket
from tickets.queues import managed_department_ids

pytestmark = pytest.mark.django_db


def test_the_demo_rates_most_closed_cases_and_the_manager_sees_the_poor_one():
    call_command("demo_data")
    call_command("demo_data")

    # The demo's own cases (the reports' history has ratings of its own).
    ratings = SatisfactionRating.objects.select_related("mark").filter(
        ticket__subject__in=[case[0] for case in CASES]
    )
    assert ratings.count() == sum(1 for case in CASES if case[6])
    assert {rating.mark.label for rating in ratings} >= {
        "Excellent, thank you",
        "The answer satisfies",
        "Not complete enough",
    }
    assert Ticket.objects.filter(subject=CASES[-1][0], status_type=StatusType.CLOSED).exists()
    assert not ratings.filter(ticket__subject=CASES[-1][0]).exists()
    manager = User.objects.get(email="manager@example.com")
    page = feed_page(
        user=manager,
        department_ids=list(managed_department_ids(manager)),
        filters=FeedFilters(kind=Activity.POOR_RATING),
    )
    assert len(page.rows) == 1
    assert page.rows[0].is_new
    assert "You told me when it was issued" in page.rows[0].excerpt
    assert Notification.objects.filter(recipient=manager, activity=Activity.POOR_RATING).exists()
