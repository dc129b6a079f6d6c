"""The monthly summary's numbers (reports/monthly_summary.py, reports/summary_numbers.py): last
month's key numbers, read with the reports' selectors, each with its change from the month
before in words.

Fixtures (run, maria, september, october, billing_october): tests/reports/summary_support.py."""

from datetime import timedelta

import pytest

from reports.breakdowns import satisfaction_split
from reports.metrics import ALL, numbers_by
from reports.periods import period_from_query
from reports.scope import Scope
from reports.summary_numbers import COUNT, SHARE, TIME, change_text
from reports.templatetags.report_tags import business_time, percent
from tests.reports.report_support import UTC
from tests.reports.summary_support import (
    NOVEMBER_FIRST,
    body_of,
    line,
)

pytestmark = pytest.mark.django_db


def test_the_numbers_are_the_reports_numbers_for_the_month_and_departments(
    run, maria, support, september, october, billing_october, mailoutbox
):
    assert run() == 1

    body = body_of(mailoutbox, maria)
    last_month = period_from_query({"period": "last_month"}, zone=UTC, now=NOVEMBER_FIRST)
    numbers = numbers_by(last_month, Scope(department_ids=(support.pk,)))[ALL]
    ratings = satisfaction_split(last_month, Scope(department_ids=(support.pk,))).total
    assert line(body, "E-mails received").startswith(
        f"- E-mails received: {numbers.count('emails_received')} — "
    )
    assert numbers.count("emails_received") == 3
    assert line(body, "Cases closed").startswith(f"- Cases closed: {numbers.count('closed')} — ")
    on_time = numbers.count("closed_on_time") + numbers.count("closed_on_time_consulted")
    late = numbers.count("closed_late") + numbers.count("closed_late_consulted")
    assert (on_time, late) == (2, 2)
    assert line(body, "Closed on time").startswith(f"- Closed on time: {on_time} — ")
    assert line(body, "Closed past deadline").startswith(f"- Closed past deadline: {late} — ")
    within = percent(numbers.share("within_sla"))
    assert line(body, "Within SLA").startswith(f"- Within SLA: {within} — ")
    response = business_time(numbers.times["response_p50"])
    assert line(body, "First response, median").startswith(
        f"- First response, median: {response} — "
    )
    resolution = business_time(numbers.times["resolution_p50"])
    assert line(body, "Resolution, median").startswith(f"- Resolution, median: {resolution} — ")
    assert line(body, "Reopened").startswith(f"- Reopened: {numbers.count('reopened')} — ")
    feedback = percent(numbers.share("feedback"))
    assert line(body, "Share of closed cases with customer feedback").startswith(
        f"- Share of closed cases with customer feedback: {feedback} — "
    )
    assert ratings == 1
    assert line(body, "Satisfaction ratings").startswith("- Satisfaction ratings: 1 — ")


def test_each_number_says_its_change_from_the_month_before_in_words_and_an_arrow(
    run, maria, september, october, mailoutbox
):
    run()

    body = body_of(mailoutbox, maria)
    assert line(body, "E-mails received") == (
        "- E-mails received: 3 — ↑ 2 more (September 2026: 1)"
    )
    assert line(body, "Cases closed") == "- Cases closed: 4 — ↑ 3 more (September 2026: 1)"
    assert line(body, "Closed on time") == "- Closed on time: 2 — ↑ 2 more (September 2026: 0)"
    assert line(body, "Closed past deadline") == (
        "- Closed past deadline: 2 — ↑ 1 more (September 2026: 1)"
    )
    assert line(body, "Within SLA") == (
        "- Within SLA: 25.0 % — ↑ 25.0 percentage points higher (September 2026: 0.0 %)"
    )
    assert line(body, "First response, median") == (
        "- First response, median: 1 h — = no change (September 2026: 1 h)"
    )
    assert line(body, "Resolution, median") == (
        "- Resolution, median: 8 h 30 min — ↓ 30 min shorter (September 2026: 9 h)"
    )
    assert line(body, "Reopened") == "- Reopened: 0 — = no change (September 2026: 0)"
    assert line(body, "Share of closed cases with customer feedback") == (
        "- Share of closed cases with customer feedback: 25.0 % — ↑ 25.0 percentage points "
        "higher (September 2026: 0.0 %)"
    )
    assert line(body, "Satisfaction ratings") == (
        "- Satisfaction ratings: 1 — ↑ 1 more (September 2026: 0)"
    )


def test_a_month_with_nothing_before_it_says_no_earlier_data(run, maria, october, mailoutbox):
    run()

    body = body_of(mailoutbox, maria)
    numbers = [text for text in body.splitlines() if text.startswith("- ")]
    assert len(numbers) == 10
    assert all(text.endswith(" — no earlier data") for text in numbers)
    assert "- Cases closed: 4 — no earlier data" in numbers


def test_a_month_with_nothing_in_it_still_reads_against_the_month_before(
    run, maria, september, mailoutbox
):
    run()  # October: nothing; September: one case

    body = body_of(mailoutbox, maria)
    assert line(body, "Cases closed") == "- Cases closed: 0 — ↓ 1 fewer (September 2026: 1)"
    assert line(body, "Within SLA") == ("- Within SLA: none — September 2026: 0.0 %")
    assert line(body, "Resolution, median") == ("- Resolution, median: none — September 2026: 9 h")
    assert line(body, "Reopened") == "- Reopened: 0 — = no change (September 2026: 0)"


@pytest.mark.parametrize(
    ("kind", "value", "earlier", "expected"),
    [
        (COUNT, 5, 5, "= no change (May 2026: 5)"),
        (COUNT, 3, 5, "↓ 2 fewer (May 2026: 5)"),
        (COUNT, 6, 0, "↑ 6 more (May 2026: 0)"),
        (SHARE, 80.0, 75.5, "↑ 4.5 percentage points higher (May 2026: 75.5 %)"),
        (SHARE, 50.0, 75.0, "↓ 25.0 percentage points lower (May 2026: 75.0 %)"),
        (SHARE, 80.01, 80.04, "= no change (May 2026: 80.0 %)"),
        (SHARE, None, 75.0, "May 2026: 75.0 %"),
        (TIME, timedelta(hours=2), timedelta(hours=1), "↑ 1 h longer (May 2026: 1 h)"),
        (TIME, timedelta(minutes=50), timedelta(hours=1), "↓ 10 min shorter (May 2026: 1 h)"),
        (
            TIME,
            timedelta(seconds=70),
            timedelta(seconds=40),
            "= no change (May 2026: less than a minute)",
        ),
        (TIME, None, timedelta(hours=3), "May 2026: 3 h"),
    ],
)
def test_the_change_is_a_difference_in_words_never_a_ratio(kind, value, earlier, expected):
    assert change_text(kind, value, earlier, "May 2026") == expected
