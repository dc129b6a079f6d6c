"""Shared by the monthly summary's tests (tests/reports/test_monthly_summary_*.py; the fixtures
are the folder's, through conftest.py): the beat's run at an instant, managers who asked for the
summary, the mail each one got and its lines, and the months of cases the numbers are read
from."""

from datetime import datetime

import pytest

from reports import tasks
from tests.reports.report_support import HOUR, UTC, at
from tickets.closures import closure_feedback
from tickets.models import InboundEmail, SatisfactionMark, SatisfactionRating

BEAT = (6, 10)  # the beat's daily run, UTC
NOVEMBER_FIRST = datetime(2026, 11, 1, *BEAT, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def opted_in(user, *, zone: str = ""):
    user.monthly_summary = True
    user.time_zone = zone
    user.save(update_fields=["monthly_summary", "time_zone"])
    return user


@pytest.fixture
def maria(support_manager):
    return opted_in(support_manager)


@pytest.fixture
def run(mailoutbox, django_capture_on_commit_callbacks):
    """The beat's run at an instant (time travel), the outbox sending after the commit; the
    number of summaries written."""

    def run(when: datetime = NOVEMBER_FIRST) -> int:
        with at(when), django_capture_on_commit_callbacks(execute=True):
            return tasks.monthly_summaries()

    return run


def mails_to(mailoutbox, user) -> list:
    return [mail for mail in mailoutbox if mail.to == [user.email]]


def body_of(mailoutbox, user) -> str:
    (mail,) = mails_to(mailoutbox, user)
    return mail.body


def line(body: str, label: str) -> str:
    """The summary's line for one figure."""
    (found,) = [text for text in body.splitlines() if text.startswith(f"- {label}: ")]
    return found


_mail_numbers = iter(range(1, 10**6))


def mail_received(case, when):
    InboundEmail.objects.create(
        channel=InboundEmail.Channel.IMAP,
        raw_sha256=f"{next(_mail_numbers):064d}",
        status=InboundEmail.Status.REPLY,
        ticket=case.ticket,
        department_id=case.ticket.department_id,  # as the intake records it
        owner_id=case.ticket.assignee_id,
        received_at=when,
    )


def rated(case, when):
    mark, _created = SatisfactionMark.objects.get_or_create(label="Answer satisfies", score=10)
    SatisfactionRating.objects.create(
        ticket=case.ticket,
        mark=mark,
        score=mark.score,
        department=case.ticket.department,
        owner=case.tech,
        rated_at=when,
        changed_at=when,
    )
    closure_feedback(ticket_id=case.ticket.pk, at=when)


@pytest.fixture
def september(opened, support, tom):
    """One Support case: answered after an hour, closed an hour past its 8 h deadline, one mail."""
    start = utc(2026, 9, 14, 9)
    case = opened(start, tech=tom, department=support).reply(start + HOUR)
    case.close(start + 9 * HOUR)
    mail_received(case, start)
    return case


@pytest.fixture
def october(opened, support, legal, tom):
    """Support: four cases opened Monday 5 October 09:00 (deadline 17:00), closed on time,
    consulted and on time, past deadline, consulted and past deadline; one rated; three mails."""
    start = utc(2026, 10, 5, 9)
    exact = opened(start, tech=tom, department=support).reply(start + HOUR)
    exact.close(utc(2026, 10, 5, 17))
    consulted = opened(start, tech=tom, department=support).consult(start + HOUR, legal)
    consulted.close(utc(2026, 10, 5, 16))
    late = opened(start, tech=tom, department=support).close(utc(2026, 10, 5, 18))
    late_consulted = opened(start, tech=tom, department=support)
    late_consulted.consult(utc(2026, 10, 5, 18), legal).close(utc(2026, 10, 5, 19))
    rated(exact, utc(2026, 10, 6, 9))
    for case in (exact, consulted, late):
        mail_received(case, start)
    return exact, consulted, late, late_consulted


@pytest.fixture
def billing_october(opened, billing, bill):
    """Billing: two cases closed in October, one mail."""
    start = utc(2026, 10, 6, 9)
    cases = [opened(start, tech=bill, department=billing).close(start + HOUR) for _ in range(2)]
    mail_received(cases[0], start)
    return cases
