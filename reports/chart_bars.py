"""Bar charts of the reports page that are tables: each row a label, a bar and the number written
beside it, so the table is the chart and the accessible source at once (a screen reader reads
the label and the number; the bar is drawn for the eye and hidden from it).

- `split_chart`: how a whole splits into parts (the satisfaction marks): each part's share of
  the total (its bar as long as its share) and its count, with the total under them.
- `bar_chart`: values side by side (tickets by channel or category): the largest bar fills its
  track, the others in proportion.

A bar is a `<rect>` whose width is a percentage of its cell (a presentation attribute, allowed
by the Content-Security-Policy where an inline style is not). Nothing counted: `is_empty`, and
the include shows `empty_text` instead of an empty table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext

from reports.chart_scales import Unit, check_values, value_text


@dataclass(frozen=True)
class BarRow:
    label: str
    value_text: str
    share_text: str  # "" when the chart shows no shares
    bar_percent: float  # how much of the track the bar fills, 0-100


@dataclass(frozen=True)
class BarChart:
    """Rows of label, bar and written value; a split also has each row's share and a total."""

    title: str
    label_heading: str
    value_heading: str
    share_heading: str
    rows: tuple[BarRow, ...]
    total_text: str
    empty_text: str
    is_empty: bool


SplitChart = BarChart


def split_chart(
    *,
    title: str,
    parts: Sequence[tuple[str, int]],
    label_heading: str | None = None,
    empty_text: str | None = None,
) -> SplitChart:
    """Each part's count and share of the total (see the module docstring)."""
    counts = [count for _, count in parts]
    check_values(counts)
    total = sum(counts)
    return BarChart(
        title=title,
        label_heading=label_heading or gettext("Mark"),
        value_heading=gettext("Count"),
        share_heading=gettext("Share"),
        rows=tuple(
            BarRow(
                label=label,
                value_text=value_text(count, Unit.COUNT),
                share_text=value_text(_share(count, total), Unit.PERCENT),
                bar_percent=_share(count, total),
            )
            for label, count in parts
        ),
        total_text=value_text(total, Unit.COUNT),
        empty_text=empty_text or gettext("Nothing was counted in this period."),
        is_empty=total == 0,
    )


def bar_chart(
    *,
    title: str,
    rows: Sequence[tuple[str, float | int]],
    label_heading: str | None = None,
    value_heading: str | None = None,
    unit: str = Unit.COUNT,
    empty_text: str | None = None,
) -> BarChart:
    """Each row's value beside a bar in proportion to the largest (see the module docstring)."""
    unit = Unit(unit)
    values = [value for _, value in rows]
    check_values(values)
    largest = max(values, default=0)
    headings = {
        Unit.COUNT: gettext("Number"),
        Unit.PERCENT: gettext("Share"),
        Unit.DURATION: gettext("Time"),
    }
    return BarChart(
        title=title,
        label_heading=label_heading or gettext("Name"),
        value_heading=value_heading or headings[unit],
        share_heading="",
        rows=tuple(
            BarRow(
                label=label,
                value_text=value_text(value, unit),
                share_text="",
                bar_percent=_share(value, largest),
            )
            for label, value in rows
        ),
        total_text="",
        empty_text=empty_text or gettext("Nothing was counted in this period."),
        is_empty=largest == 0,
    )


def _share(part: float, whole: float) -> float:
    """A percentage with one decimal (a part of nothing is 0)."""
    return round(100 * part / whole, 1) if whole else 0.0
