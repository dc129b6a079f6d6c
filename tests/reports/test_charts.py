"""The report charts' geometry and words, computed in Python without a database: the value axis
(round ticks, four to six gridlines, 0-100 for shares, minutes and hours for times), the time
axis (labels thinned so none touch, a year by day labelled by month), gaps for missing data,
the nearly empty cases (one bucket, all zeros, nothing at all) and bad input refused."""

import itertools
import math
import re
from datetime import date, timedelta

import pytest
from django.utils import translation

from reports.chart_lines import SPARSE_BAND
from reports.chart_scales import labelled_indices, text_width, tick_text, value_scale, value_text
from reports.charts import FONT_SIZE, LABEL_GAP, Bucket, Series, trend_chart


def days(count: int, first: date = date(2024, 1, 1)) -> list[Bucket]:
    return [
        Bucket(label=(first + timedelta(days=i)).strftime("%-d %b"), start=first + timedelta(i))
        for i in range(count)
    ]


def weeks(count: int) -> list[Bucket]:
    first = date(2024, 1, 1)
    return [
        Bucket(
            label=(first + timedelta(weeks=i)).strftime("%-d %b"), start=first + timedelta(weeks=i)
        )
        for i in range(count)
    ]


def months(count: int) -> list[Bucket]:
    return [
        Bucket(label=date(2024, m, 1).strftime("%b %Y"), start=date(2024, m, 1))
        for m in range(1, count + 1)
    ]


def one_line(buckets, values, unit="count", label="Received"):
    return trend_chart(
        title="Cases",
        buckets=buckets,
        series=[Series(key="received", label=label, values=values, unit=unit)],
    )


def marker_count(line) -> int:
    return line.marker_path.count("M")


def moves(path: str) -> list[tuple[float, float]]:
    """The points a path's pen moves to ("M x y")."""
    return [tuple(float(n) for n in m.split()[:2]) for m in re.findall(r"M([\d. -]+)", path)]


# --- The value axis -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("largest", "ticks"),
    [
        (7, (0, 2, 4, 6, 8)),
        (10, (0, 2, 4, 6, 8, 10)),
        (13, (0, 5, 10, 15)),
        (80, (0, 20, 40, 60, 80)),
        (1234, (0, 500, 1000, 1500)),
        (2391, (0, 500, 1000, 1500, 2000, 2500)),
    ],
)
def test_count_axis_ends_at_a_round_number_above_the_largest_value(largest, ticks):
    assert value_scale(largest, "count").ticks == ticks


def test_count_axis_has_four_to_six_gridlines_whatever_the_largest_value():
    for largest in [*range(3, 2000), 12_480, 99_999, 1_000_001, 7.5e9]:
        scale = value_scale(largest, "count")
        assert 4 <= len(scale.ticks) <= 6, largest
        assert scale.top >= largest
        step = scale.ticks[1]
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert mantissa in (1, 2, 5), (largest, step)


def test_small_counts_keep_whole_number_ticks():
    assert value_scale(1, "count").ticks == (0, 1, 2, 3, 4)
    assert value_scale(2, "count").ticks == (0, 1, 2, 3, 4)


def test_all_zeros_still_get_an_axis():
    assert value_scale(0, "count").ticks == (0, 1, 2, 3, 4)
    assert value_scale(0, "duration").top == 4 * 60


def test_percent_axis_is_always_zero_to_a_hundred():
    for largest in (0, 4.6, 42, 99.9, 100):
        assert value_scale(largest, "percent").ticks == (0, 20, 40, 60, 80, 100)


def test_duration_axis_steps_in_minutes_hours_and_days():
    assert value_scale(12 * 60, "duration").ticks == (0, 300, 600, 900)  # 0, 5, 10, 15 min
    assert [
        tick_text(t, "duration") for t in value_scale(3 * 3600 + 20 * 60, "duration").ticks
    ] == [
        "0",
        "1 h",
        "2 h",
        "3 h",
        "4 h",
    ]
    assert [tick_text(t, "duration") for t in value_scale(29 * 3600, "duration").ticks] == [
        "0",
        "6 h",
        "12 h",
        "18 h",
        "1 day",
        "1 day 6 h",
    ]
    assert value_scale(9 * 86400, "duration").ticks[1] == 2 * 86400


# --- Words ----------------------------------------------------------------------------------------


def test_counts_are_written_with_the_locales_thousands_separator():
    assert value_text(12480, "count") == "12,480"
    assert value_text(1_234_567, "count") == "1,234,567"
    assert value_text(2.5, "count") == "2.5"
    assert tick_text(2500, "count") == "2,500"
    with translation.override("ru"):
        assert value_text(12480, "count") == "12\xa0480"
        assert value_text(2.5, "count") == "2,5"


def test_shares_are_written_as_percentages():
    assert value_text(42, "percent") == "42%"
    assert value_text(42.5, "percent") == "42.5%"
    assert tick_text(0, "percent") == "0"


def test_durations_are_business_time_as_the_ticket_pages_write_it():
    assert value_text(3 * 3600 + 20 * 60, "duration") == "3 h 20 min"
    assert value_text(45 * 60, "duration") == "45 min"
    assert value_text(2 * 3600, "duration") == "2 h"
    assert value_text(25 * 3600, "duration") == "1 day 1 h"
    assert value_text(20, "duration") == "less than a minute"
    assert value_text(0, "duration") == "0 min"
    assert value_text(None, "duration") == "no data"


# --- The time axis --------------------------------------------------------------------------------


def assert_labels_do_not_touch(chart):
    ticks = chart.time_ticks
    for a, b in itertools.pairwise(ticks):
        room = (text_width(a.text, FONT_SIZE) + text_width(b.text, FONT_SIZE)) / 2 + LABEL_GAP
        assert b.position - a.position >= room, (a, b)
    for tick in ticks:
        half = text_width(tick.text, FONT_SIZE) / 2
        assert half <= tick.position <= chart.width - half, tick


def test_a_week_by_day_labels_every_day():
    chart = one_line(days(7), [3, 5, 4, 6, 2, 0, 1])
    assert [t.text for t in chart.time_ticks] == [b.label for b in days(7)]
    assert_labels_do_not_touch(chart)


def test_a_month_by_day_labels_every_week():
    chart = one_line(days(31, date(2025, 3, 1)), list(range(31)))
    assert [t.text for t in chart.time_ticks] == ["1 Mar", "8 Mar", "15 Mar", "22 Mar", "29 Mar"]
    assert_labels_do_not_touch(chart)


def test_a_year_by_day_labels_the_first_days_of_months():
    buckets = days(366)
    chart = one_line(buckets, [i % 50 for i in range(366)])
    labelled = [t.text for t in chart.time_ticks]
    assert 6 <= len(labelled) <= 12
    assert all(text.startswith("1 ") for text in labelled), labelled
    assert_labels_do_not_touch(chart)


def test_a_year_by_week_and_by_month_thin_their_labels_evenly():
    by_week = one_line(weeks(53), [5] * 53)
    positions = [t.position for t in by_week.time_ticks]
    assert 3 <= len(positions) < 53
    assert_labels_do_not_touch(by_week)
    by_month = one_line(months(12), [5] * 12)
    assert 4 <= len(by_month.time_ticks) <= 12
    assert_labels_do_not_touch(by_month)


def test_long_bucket_labels_are_thinned_rather_than_overlapped():
    buckets = [Bucket(label=f"Week of {b.label} 2024", start=b.start) for b in weeks(12)]
    chart = one_line(buckets, [1] * 12)
    assert len(chart.time_ticks) < 12
    assert_labels_do_not_touch(chart)


def test_thinning_falls_back_to_the_first_label_when_nothing_else_fits():
    starts = [date(2024, 1, 1) + timedelta(days=3 * i) for i in range(20)]
    indices = labelled_indices(
        starts=starts, centres=[i * 1.0 for i in range(20)], widths=[500.0] * 20, gap=10
    )
    assert indices == [0]


# --- Lines, gaps and markers ----------------------------------------------------------------------


def test_missing_values_leave_a_gap_in_the_line_not_a_drop_to_zero():
    chart = one_line(days(7), [3, 5, None, None, 2, 4, 1])
    line = chart.lines[0]
    assert line.path.count("M") == 2  # the pen lifts over the gap
    assert line.path.count("L") == 3
    assert marker_count(line) == 5
    assert chart.table_rows[2].cells[0].missing
    assert chart.table_rows[2].cells[0].text == "no data"
    assert not chart.table_rows[0].cells[0].missing


def test_a_value_between_two_gaps_still_gets_a_marker_on_a_dense_line():
    values = [10] * 366
    values[99] = values[101] = None  # day 100 stands alone
    chart = one_line(days(366), values)
    centre_x = chart.plot_left + chart.plot_width * 100.5 / 366
    circle_lefts = [x for x, _ in moves(chart.lines[0].marker_path)]
    assert any(abs(x - (centre_x - 4)) < 0.11 for x in circle_lefts), circle_lefts


def test_markers_sit_on_every_point_of_a_sparse_line_and_on_the_labels_of_a_dense_one():
    month = one_line(days(31), [1] * 31)
    assert month.plot_width / 31 >= SPARSE_BAND
    assert marker_count(month.lines[0]) == 31
    year = one_line(days(366), [1] * 366)
    assert marker_count(year.lines[0]) == len(year.time_ticks) + 1  # and the last day


def test_each_series_differs_in_colour_marker_and_dash():
    series = [Series(key=f"s{i}", label=f"Series {i}", values=[i, i + 1, i + 2]) for i in range(4)]
    chart = trend_chart(title="Four", buckets=days(3), series=series)
    assert len({line.css_class for line in chart.lines}) == 4
    assert [line.marker_shape for line in chart.lines] == [
        "circle",
        "square",
        "triangle",
        "diamond",
    ]
    assert len({line.dash for line in chart.lines}) == 4


def test_end_labels_of_lines_ending_together_are_pushed_apart():
    series = [
        Series(key="a", label="A", values=[5, 10]),
        Series(key="b", label="B", values=[6, 10]),
        Series(key="c", label="C", values=[7, 10]),
    ]
    chart = trend_chart(title="Close", buckets=days(2), series=series)
    ys = sorted(line.end_label.y for line in chart.lines)
    assert all(b - a >= FONT_SIZE + 2 - 0.11 for a, b in itertools.pairwise(ys))
    assert [line.end_label.text for line in chart.lines] == ["10", "10", "10"]
    assert all(chart.plot_top <= y <= chart.plot_bottom + FONT_SIZE for y in ys)


def test_a_line_with_no_last_value_has_no_end_label():
    chart = one_line(days(3), [1, 2, None])
    assert chart.lines[0].end_label is None


def test_a_single_bucket_is_a_labelled_point_per_series():
    chart = trend_chart(
        title="Today",
        buckets=days(1, date(2025, 3, 14)),
        series=[
            Series(key="in", label="Received", values=[17]),
            Series(key="out", label="Closed", values=[12]),
        ],
    )
    assert not chart.is_empty
    assert [t.text for t in chart.time_ticks] == ["14 Mar"]
    assert [marker_count(line) for line in chart.lines] == [1, 1]
    assert [line.end_label.text for line in chart.lines] == ["17", "12"]
    assert chart.summary == "Line chart of Received and Closed for 14 Mar."


def test_all_zeros_draw_a_flat_line_on_the_axis():
    chart = one_line(days(7), [0] * 7)
    assert not chart.is_empty
    assert [t.text for t in chart.value_ticks] == ["0", "1", "2", "3", "4"]
    [(x, y)] = moves(chart.lines[0].path)
    assert x == pytest.approx(chart.plot_left + chart.plot_width / 14, abs=0.06)
    assert y == chart.plot_bottom
    assert chart.lines[0].path.count(f" {chart.plot_bottom:.1f}") == 7


def test_a_share_chart_reads_zero_to_a_hundred_percent():
    chart = one_line(months(3), [91.5, 88, 42], unit="percent")
    assert [t.text for t in chart.value_ticks] == ["0", "20%", "40%", "60%", "80%", "100%"]
    assert chart.table_rows[0].cells[0].text == "91.5%"


def test_nothing_to_draw_is_an_empty_chart_with_a_sentence():
    assert one_line([], []).is_empty
    nothing = one_line(days(3), [None, None, None])
    assert nothing.is_empty
    assert nothing.empty_text == "No data for this period."
    assert trend_chart(title="None", buckets=days(2), series=[]).is_empty


def test_summary_names_the_series_and_the_period():
    chart = trend_chart(
        title="Cases",
        buckets=days(31, date(2025, 3, 1)),
        series=[
            Series(key="a", label="Received", values=[1] * 31),
            Series(key="b", label="Closed", values=[1] * 31),
        ],
    )
    assert chart.summary == "Line chart of Received and Closed, 31 points from 1 Mar to 31 Mar."
    assert chart.table_heading == "Day"
    assert one_line(weeks(3), [1, 2, 3]).table_heading == "Week"
    assert one_line(months(3), [1, 2, 3]).table_heading == "Month"


def test_each_bucket_has_a_tooltip_with_every_value():
    chart = trend_chart(
        title="Cases",
        buckets=days(2, date(2025, 3, 1)),
        series=[
            Series(key="a", label="Received", values=[1200, None]),
            Series(key="b", label="Closed", values=[9, 3]),
        ],
    )
    assert [band.tooltip for band in chart.hover_bands] == [
        "1 Mar: Received 1,200; Closed 9",
        "2 Mar: Received no data; Closed 3",
    ]


def test_charts_with_different_titles_have_different_ids():
    first, second = (
        one_line(days(2), [1, 2]),
        trend_chart(
            title="Other",
            buckets=days(2),
            series=[Series(key="received", label="R", values=[1, 2])],
        ),
    )
    assert first.dom_id != second.dom_id
    assert first.dom_id == one_line(days(2), [3, 4]).dom_id


# --- Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf")])
def test_negative_and_non_finite_values_are_refused(bad):
    with pytest.raises(ValueError, match="never negative"):
        one_line(days(2), [1, bad])


def test_a_series_must_have_a_value_per_bucket():
    with pytest.raises(ValueError, match="has 2 values for 3"):
        one_line(days(3), [1, 2])


def test_more_than_four_series_are_refused():
    series = [Series(key=f"s{i}", label=f"S{i}", values=[1]) for i in range(5)]
    with pytest.raises(ValueError, match="at most 4"):
        trend_chart(title="Too many", buckets=days(1), series=series)


def test_series_of_one_chart_share_their_unit():
    with pytest.raises(ValueError, match="same unit"):
        trend_chart(
            title="Mixed",
            buckets=days(1),
            series=[
                Series(key="a", label="A", values=[1]),
                Series(key="b", label="B", values=[50], unit="percent"),
            ],
        )
