"""The page's tables as CSV (reports/exports.py table_rows): every line as wide as its header,
and the business times only where there are any (the whole scope's summary, not a tech's or a
department's line, which reports/metrics.py does not work them out for)."""

from datetime import datetime

import pytest

from reports.exports import TABLES, table_rows
from tests.reports.report_support import EVERYTHING, HOUR, UTC, at, period

OCTOBER = period("2026-10-01", "2026-10-31")
NOW = datetime(2026, 11, 15, 12, tzinfo=UTC)
TIME_COLUMNS = (
    "First response, median (business hours)",
    "First response, 90th percentile (business hours)",
    "Resolution, median (business hours)",
    "Resolution, 90th percentile (business hours)",
)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def five_closed(opened, support, billing, tom, bill):
    """Answered after half the time and closed after 1, 2, 3, 4 and 10 hours (Tom in Support,
    Bill's one in Billing)."""
    start = utc(2026, 10, 19, 9)
    for hours, tech, department in (
        (1, tom, support),
        (2, tom, support),
        (3, tom, support),
        (4, bill, billing),
        (10, bill, billing),
    ):
        case = opened(start, tech=tech, department=department).reply(start + hours * HOUR / 2)
        case.close(start + hours * HOUR)


def table(name: str) -> tuple[list[str], list[list]]:
    with at(NOW):
        return table_rows(name, period=OCTOBER, scope=EVERYTHING)


def test_the_summary_has_the_business_times_in_hours(five_closed):
    header, rows = table("summary")
    assert [line[0] for line in rows] == ["All"]
    cells = dict(zip(header, rows[0], strict=True))
    assert cells["First response, median (business hours)"] == "1.50"
    assert cells["Resolution, median (business hours)"] == "3.00"
    assert cells["Resolution, 90th percentile (business hours)"] == "7.60"  # interpolated
    assert cells["Cases closed"] == 5


@pytest.mark.parametrize("name", ["techs", "departments"])
def test_tech_and_department_tables_leave_out_the_times_they_never_have(five_closed, name):
    header, rows = table(name)
    assert not set(TIME_COLUMNS) & set(header)
    assert {line[0] for line in rows} >= {"All"}
    assert len(rows) == 3  # two lines and the total
    closed = header.index("Cases closed")
    assert sum(line[closed] for line in rows[:-1]) == rows[-1][closed] == 5


def test_the_techs_table_still_ends_with_the_hours_signed_in(five_closed):
    header, rows = table("techs")
    assert header[-1] == "Signed in (hours)"
    assert rows[-1][0] == "All" and rows[-1][-1] == ""


@pytest.mark.parametrize("name", TABLES)
def test_every_line_of_every_table_is_as_wide_as_its_header(five_closed, name):
    header, rows = table(name)
    assert header
    assert all(len(line) == len(header) for line in rows), name


def test_an_empty_period_leaves_the_summarys_times_empty_not_missing(db):
    header, rows = table("summary")
    cells = dict(zip(header, rows[0], strict=True))
    assert all(cells[column] == "" for column in TIME_COLUMNS)
    assert cells["Cases closed"] == 0
