"""Cases built through the product's own services at chosen instants (time travel), for the
reports' tests: opened, answered, consulted, closed, reopened by the customer, transferred."""

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.models import User
from departments.models import Department
from reports.periods import period_from_query
from reports.scope import Scope
from tests.factories import DepartmentFactory, MembershipFactory, TechFactory
from tickets import services, workflow
from tickets.models import Source, StatusType, Ticket

HOUR = timedelta(hours=1)
UTC = ZoneInfo("UTC")
KYIV = ZoneInfo("Europe/Kyiv")
EVERYTHING = Scope(department_ids=None)


def at(instant):
    return time_machine.travel(instant, tick=False)


def period(first: str, last: str, zone=UTC):
    return period_from_query({"from": first, "to": last}, zone=zone)


@dataclass
class Case:
    """One ticket and the steps of its life, each at an instant."""

    ticket: Ticket
    tech: User

    def reply(self, when, *, close=False) -> "Case":
        with at(when):
            workflow.ticket_reply(
                ticket=self._fresh(),
                tech=self.tech,
                body="Here is the answer.",
                internal=False,
                then_status=StatusType.CLOSED if close else "",
            )
        return self

    def close(self, when) -> "Case":
        with at(when):
            workflow.ticket_status_change(
                ticket=self._fresh(), author=self.tech, status_type=StatusType.CLOSED
            )
        return self

    def consult(self, when, department: Department) -> "Case":
        with at(when):
            workflow.ticket_consult(
                ticket=self._fresh(), tech=self.tech, department=department, question="Can you?"
            )
        return self

    def customer_writes(self, when) -> "Case":
        with at(when):
            services.ticket_reply_from_customer(ticket=self._fresh(), body="Still broken.")
        return self

    def transfer(self, when, to_tech: User) -> "Case":
        with at(when):
            workflow.ticket_transfer(ticket=self._fresh(), by=self.tech, to_tech=to_tech)
        self.tech = to_tech
        return self

    def _fresh(self) -> Ticket:
        self.ticket.refresh_from_db()
        return self.ticket


@pytest.fixture
def support(db):
    """Around the clock: first response within 2 h, resolution within 8 h."""
    return DepartmentFactory(
        name="Support",
        slug="support",
        response_time_limit=2 * HOUR,
        resolution_time_limit=8 * HOUR,
    )


@pytest.fixture
def billing(db):
    return DepartmentFactory(
        name="Billing", slug="billing", response_time_limit=2 * HOUR, resolution_time_limit=8 * HOUR
    )


@pytest.fixture
def billing_manager(billing):
    user = TechFactory(full_name="Bella Billing-Manager")
    MembershipFactory(user=user, department=billing, is_manager=True)
    return user


@pytest.fixture
def billing_tech(billing):
    """Works in billing only: the support manager must learn nothing of them."""
    user = TechFactory(full_name="Bob Billing", email="bob@example.com")
    MembershipFactory(user=user, department=billing)
    return user


@pytest.fixture
def legal(db):
    return DepartmentFactory(name="Legal", slug="legal", consultation_email="legal@example.test")


@pytest.fixture
def tom(support):
    user = TechFactory(full_name="Tom Tech", email="tom@example.test")
    MembershipFactory(user=user, department=support)
    return user


@pytest.fixture
def tina(support):
    user = TechFactory(full_name="Tina Tech", email="tina@example.test")
    MembershipFactory(user=user, department=support)
    return user


@pytest.fixture
def bill(billing):
    user = TechFactory(full_name="Bill Billing", email="bill@example.test")
    MembershipFactory(user=user, department=billing)
    return user


@pytest.fixture
def support_manager(support):
    user = TechFactory(full_name="Maria Manager", email="maria@example.test")
    MembershipFactory(user=user, department=support, is_manager=True)
    return user


_numbers = iter(range(10**6))


@pytest.fixture
def opened():
    """opened(when, tech=, department=): a case a tech entered at `when`, in their pool."""

    def opened(when, *, tech: User, department: Department, subject="Printer") -> Case:
        with at(when):
            ticket = services.ticket_create_for_customer(
                staff=tech,
                email=f"customer{next(_numbers)}@example.org",
                name="Carla Customer",
                phone="",
                subject=subject,
                body="It is broken.",
                category=None,
                department=department,
                priority=2,
                source=Source.PHONE,
                assign_to_me=True,
                send_confirmation=False,
            )
        return Case(ticket=ticket, tech=tech)

    return opened


def _nonzero(numbers) -> tuple[dict, dict]:
    return {key: n for key, n in numbers.counts.items() if n}, dict(numbers.times)


def _comparable(report) -> dict:
    return {
        "total": _nonzero(report.total),
        "by_tech": {key: _nonzero(line) for key, line in report.by_tech.items()},
        "by_department": {key: _nonzero(line) for key, line in report.by_department.items()},
        "by_bucket": {key: _nonzero(line) for key, line in report.by_bucket.items()},
    }


def report_numbers_both_ways(report_period, scope):
    """The report's numbers read from the rows, and again once every ended day is counted
    (reports/daily_counts.py): they must be the same. The counts are then forgotten, so the
    test goes on from the rows."""
    from reports.daily_counts import days_count, days_uncounted
    from reports.metrics import report_numbers
    from reports.models import CountedDay, DailyCount

    CountedDay.objects.all().delete()
    DailyCount.objects.all().delete()
    from_rows = report_numbers(report_period, scope)
    counted = days_count(days_uncounted(limit=100_000))
    from_counts = report_numbers(report_period, scope)
    assert _comparable(from_counts) == _comparable(from_rows), f"{counted} days counted"
    CountedDay.objects.all().delete()
    DailyCount.objects.all().delete()
    return from_rows


def numbers_by(report_period, scope, *, grouping=None):
    """reports.metrics.numbers_by, checked both ways (report_numbers_both_ways)."""
    from reports.metrics import ALL, DEPARTMENT, TECH

    numbers = report_numbers_both_ways(report_period, scope)
    if grouping == TECH:
        return numbers.by_tech
    if grouping == DEPARTMENT:
        return numbers.by_department
    return {ALL: numbers.total}
