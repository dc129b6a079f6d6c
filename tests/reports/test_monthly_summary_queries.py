"""What the monthly summary costs: the run and the rendering take a fixed number of queries,
however many cases and managers.

Fixtures (run, maria, september, october, billing_october): tests/reports/summary_support.py."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.monthly_summary import (
    monthly_summaries_send,
    monthly_summary_mails,
)
from tests.factories import MembershipFactory, TechFactory
from tests.reports.report_support import HOUR, at
from tests.reports.summary_support import (
    NOVEMBER_FIRST,
    opted_in,
    utc,
)
from tickets.mail import outbox
from tickets.models import OutboundEmail

pytestmark = pytest.mark.django_db


def managers(count: int, department) -> list:
    people = [opted_in(TechFactory(full_name=f"Manager {n}")) for n in range(count)]
    for person in people:
        MembershipFactory(user=person, department=department, is_manager=True)
    return people


def closed_cases(opened, tom, support, count: int) -> None:
    start = utc(2026, 10, 12, 9)
    for n in range(count):
        opened(start, tech=tom, department=support).reply(start + HOUR).close(start + n * HOUR)


@pytest.mark.parametrize(("cases", "people"), [(2, 1), (10, 3)])
def test_the_run_costs_the_same_queries_however_many_cases_and_managers(
    opened, tom, support, django_assert_num_queries, cases, people
):
    """Who asked, which of their summaries exist, the insert (and the savepoint around it)."""
    closed_cases(opened, tom, support, cases)
    managers(people, support)

    with at(NOVEMBER_FIRST), django_assert_num_queries(5):
        assert monthly_summaries_send() == people


def test_rendering_costs_a_fixed_number_of_queries_per_manager_never_per_case(
    opened, tom, support, maria
):
    """Sending reads each summary's numbers for its manager: a fixed number of queries per
    manager, the same for 2 and 10 cases. The manager (1), their departments (1), for each of
    the two months the report's five sums and the ratings by mark and the marks (7), the
    template (1); a month with ratings adds their average."""
    with at(NOVEMBER_FIRST):
        monthly_summaries_send()
    rows = list(OutboundEmail.objects.filter(kind=outbox.MONTHLY_SUMMARY))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            monthly_summary_mails(rows)
        return len(captured)

    closed_cases(opened, tom, support, 2)
    with_two = queries()
    closed_cases(opened, tom, support, 8)
    assert queries() == with_two
    assert with_two == 19  # two periods, each: its daily counts read in one statement
