"""Charts for the reports page, drawn on the server as SVG: no JavaScript, nothing the
Content-Security-Policy forbids, and they print.

A selector or view builds a chart from plain numbers; a template include draws it:

    chart = trend_chart(
        title=_("Cases closed by day"),
        buckets=[Bucket(label="1 Mar", start=date(2025, 3, 1)), ...],
        series=[Series(key="on_time", label=_("Closed on time"), values=[4, 7, None, ...])],
    )
    {% include "reports/includes/chart_trend.html" with chart=chart %}

    split = split_chart(title=_("Satisfaction"), parts=[(_("Answer satisfies"), 31), ...])
    {% include "reports/includes/chart_split.html" with chart=split %}

    bars = bar_chart(title=_("Tickets by channel"), rows=[(_("E-mail"), 120), ...],
                     label_heading=_("Channel"))
    {% include "reports/includes/chart_bars.html" with chart=bars %}

The contract:

- `Bucket(label, start)`: one step of the time axis (a day, a week or a month), its label as the
  page should show it (already localised by the caller) and the date it starts; buckets are in
  order and evenly spaced.
- `Series(key, label, values, unit)`: one line, a value per bucket (`None` = no data: the line
  has a gap there, never a drop to zero); `unit` is "count", "percent" (0-100) or "duration"
  (business-time seconds). Every series of one chart has the same unit; at most four series,
  each with its own colour, marker shape (circle, square, triangle, diamond) and dash pattern,
  so colour is never the only difference. Values are never negative (`ValueError`).
- `trend_chart` computes every coordinate in Python; the template only places them. The time
  axis labels as many buckets as fit without overlap (`chart_scales.labelled_indices`), the value
  axis runs from zero to a round number (`chart_scales.value_scale`), the last value of each
  line is written at its end when there is room, and each bucket carries a hover tooltip.
- `split_chart` (a share of a whole, e.g. the satisfaction marks) and `bar_chart` (values side by
  side, e.g. tickets by channel) are tables whose cells hold the bars: the label, the bar, and
  the number (and share) written beside it, so no bar is read by its colour or length alone.
- A chart with nothing to show (no buckets, no values, a total of zero) has `is_empty` and an
  `empty_text` sentence the include shows instead (each builder takes `empty_text=` to say it
  in the report's words, e.g. "No customer rated a case closed in this period.").
- Optional words: `trend_chart(period_heading=)` names the table's first column (by default
  "Day", "Week" or "Month" from the buckets' spacing); `split_chart(label_heading=)` and
  `bar_chart(label_heading=, value_heading=, unit=)` name the table's columns.
- The trend include takes `numbers_open=True` to show its table opened.

Accessibility: the trend's SVG is `role="img"` with a title and a one-sentence summary; the
numbers themselves are in the table under it ("Show the numbers as a table"), which is the
accessible source. Labels are plain strings: the templates escape them (nothing here is marked
safe). Coordinates are numbers rendered with `{% localize off %}`, so a locale with a decimal
comma never breaks the SVG.

Colours come from `.chart-series-N` in static/css/helpdesk.css: blue, purple, green and grey,
all at least 4.5:1 on white, none of them the red, orange or amber that mean priority and SLA
state elsewhere in the product."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.text import get_text_list
from django.utils.translation import gettext, ngettext

from reports.chart_bars import BarChart, SplitChart, bar_chart, split_chart
from reports.chart_lines import Line, draw_lines
from reports.chart_scales import (
    BOLD,
    Unit,
    bucket_heading,
    check_values,
    labelled_indices,
    text_width,
    tick_text,
    value_scale,
    value_text,
)

__all__ = [
    "BarChart",
    "Bucket",
    "Series",
    "SplitChart",
    "TrendChart",
    "Unit",
    "bar_chart",
    "split_chart",
    "trend_chart",
]

MOST_SERIES = 4

# The trend's drawing box in user units; the SVG scales to the page's width (CSS), the text with it.
WIDTH = 600
HEIGHT = 260
FONT_SIZE = 13
TOP = 14
BOTTOM = 34  # room for the time axis labels under the plot
LABEL_GAP = 12  # between two time axis labels
END_LABEL_ROOM = 112  # the widest end-of-line value label the chart makes room for


@dataclass(frozen=True)
class Bucket:
    label: str
    start: date


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    values: list[float | int | None]
    unit: str = Unit.COUNT


@dataclass(frozen=True)
class Tick:
    position: float  # y for the value axis, x for the time axis (the label, kept in the drawing)
    text: str
    mark: float = 0  # the time axis: x of the bucket's centre, where the tick mark goes


@dataclass(frozen=True)
class HoverBand:
    """One bucket's column of the plot, with its values as a tooltip."""

    x: float
    width: float
    tooltip: str


@dataclass(frozen=True)
class Cell:
    text: str
    missing: bool  # no data: the table shows a dash and says "no data" to screen readers


@dataclass(frozen=True)
class TableRow:
    heading: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class TrendChart:
    title: str
    dom_id: str
    summary: str
    empty_text: str
    is_empty: bool
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: float = 0
    plot_right: float = 0
    plot_top: float = TOP
    plot_bottom: float = HEIGHT - BOTTOM
    font_size: int = FONT_SIZE
    value_ticks: tuple[Tick, ...] = ()
    time_ticks: tuple[Tick, ...] = ()
    time_label_y: float = 0
    lines: tuple[Line, ...] = ()
    hover_bands: tuple[HoverBand, ...] = ()
    table_heading: str = ""
    table_rows: tuple[TableRow, ...] = ()

    @property
    def plot_width(self) -> float:
        return self.plot_right - self.plot_left

    @property
    def plot_height(self) -> float:
        return self.plot_bottom - self.plot_top

    @property
    def value_label_x(self) -> float:
        return round(self.plot_left - 8, 1)

    @property
    def tick_mark_bottom(self) -> float:
        return self.plot_bottom + 5


def trend_chart(
    *,
    title: str,
    buckets: Sequence[Bucket],
    series: Sequence[Series],
    period_heading: str | None = None,
    empty_text: str | None = None,
) -> TrendChart:
    """A line per series over the buckets (see the module docstring for the contract)."""
    buckets, series = list(buckets), list(series)
    _check_series(buckets, series)
    unit = Unit(series[0].unit) if series else Unit.COUNT
    base = {
        "title": title,
        "dom_id": _dom_id(title, series),
        "empty_text": empty_text or gettext("No data for this period."),
    }
    present = [v for s in series for v in s.values if v is not None]
    if not buckets or not present:
        return TrendChart(summary="", is_empty=True, **base)

    scale = value_scale(max(present), unit)
    value_ticks_text = [tick_text(tick, unit) for tick in scale.ticks]
    left = round(max(text_width(text, FONT_SIZE) for text in value_ticks_text) + 12, 1)
    end_texts = [value_text(s.values[-1], unit) for s in series if s.values[-1] is not None]
    end_room = max((text_width(t, FONT_SIZE, weight=BOLD) for t in end_texts), default=0) + 14
    show_end_labels = bool(end_texts) and end_room <= END_LABEL_ROOM
    right = round(WIDTH - (end_room if show_end_labels else 10), 1)
    bottom = HEIGHT - BOTTOM
    band = (right - left) / len(buckets)
    centres = [left + band * (i + 0.5) for i in range(len(buckets))]

    def y_of(value: float) -> float:
        return bottom - (bottom - TOP) * value / scale.top

    labelled = _time_ticks(buckets, centres)
    lines = draw_lines(
        series=series,
        centres=centres,
        y_of=y_of,
        labelled=[i for i, _ in labelled],
        end_texts=[value_text(s.values[-1], unit) for s in series] if show_end_labels else None,
        end_x=right + 8,
        font_size=FONT_SIZE,
        plot_top=TOP,
        plot_bottom=bottom,
    )
    return TrendChart(
        **base,
        summary=_summary(buckets, series),
        is_empty=False,
        plot_left=left,
        plot_right=right,
        plot_bottom=bottom,
        value_ticks=tuple(
            Tick(position=round(y_of(tick), 1), text=text)
            for tick, text in zip(scale.ticks, value_ticks_text, strict=True)
        ),
        time_ticks=tuple(tick for _, tick in labelled),
        time_label_y=bottom + 20,
        lines=lines,
        hover_bands=tuple(
            HoverBand(
                x=round(left + band * i, 2),
                width=round(band, 2),
                tooltip=_tooltip(bucket, series, i, unit),
            )
            for i, bucket in enumerate(buckets)
        ),
        table_heading=period_heading or bucket_heading([b.start for b in buckets]),
        table_rows=tuple(
            TableRow(
                heading=bucket.label,
                cells=tuple(
                    Cell(text=value_text(s.values[i], unit), missing=s.values[i] is None)
                    for s in series
                ),
            )
            for i, bucket in enumerate(buckets)
        ),
    )


def _check_series(buckets: list[Bucket], series: list[Series]) -> None:
    if len(series) > MOST_SERIES:
        raise ValueError(f"A trend chart draws at most {MOST_SERIES} series, not {len(series)}.")
    if len({Unit(s.unit) for s in series}) > 1:
        raise ValueError("Every series of one chart has the same unit.")
    for s in series:
        if len(s.values) != len(buckets):
            raise ValueError(f"Series {s.key!r} has {len(s.values)} values for {len(buckets)}.")
        check_values(s.values)


def _dom_id(title: str, series: Sequence[Series]) -> str:
    """A stable id for the SVG's title and summary (aria-labelledby), unique per chart."""
    text = "\x00".join([str(title), *(s.key for s in series)])
    return "chart-" + hashlib.blake2s(text.encode(), digest_size=5).hexdigest()


def _time_ticks(buckets: list[Bucket], centres: list[float]) -> list[tuple[int, Tick]]:
    """The time axis labels that fit, each kept inside the drawing at the edges."""
    widths = [text_width(b.label, FONT_SIZE) for b in buckets]
    xs = [
        min(max(centre, width / 2 + 2), WIDTH - width / 2 - 2)
        for centre, width in zip(centres, widths, strict=True)
    ]
    indices = labelled_indices(
        starts=[b.start for b in buckets], centres=xs, widths=widths, gap=LABEL_GAP
    )
    return [
        (i, Tick(position=round(xs[i], 1), text=buckets[i].label, mark=round(centres[i], 1)))
        for i in indices
    ]


def _summary(buckets: list[Bucket], series: list[Series]) -> str:
    labels = get_text_list([str(s.label) for s in series], gettext("and"))
    count = len(buckets)
    if count == 1:
        return gettext("Line chart of %(series)s for %(first)s.") % {
            "series": labels,
            "first": buckets[0].label,
        }
    return ngettext(
        "Line chart of %(series)s, %(count)d point from %(first)s to %(last)s.",
        "Line chart of %(series)s, %(count)d points from %(first)s to %(last)s.",
        count,
    ) % {"series": labels, "count": count, "first": buckets[0].label, "last": buckets[-1].label}


def _tooltip(bucket: Bucket, series: list[Series], index: int, unit: Unit) -> str:
    """ "1 Mar: Received 12; Closed 9" (the browser shows it on hover)."""
    values = "; ".join(
        gettext("%(series)s %(value)s")
        % {"series": s.label, "value": value_text(s.values[index], unit)}
        for s in series
    )
    return gettext("%(bucket)s: %(values)s") % {"bucket": bucket.label, "values": values}
