"""The chart includes as the reports page renders them: the SVG is one labelled image whose
summary points to the table of the same numbers; labels from outside (mark names, channel names,
series labels) are escaped wherever they land, in the SVG as in the table; a decimal-comma
locale never reaches an SVG coordinate; the split and the bars are tables with the number
written beside each bar; nothing counted shows a sentence instead of a chart."""

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from reports.charts import Bucket, Series, bar_chart, split_chart, trend_chart

HOSTILE = '<script>alert("x")</script>" onload="alert(1)'
SVG = "{http://www.w3.org/2000/svg}"


def days(count: int, label=None) -> list[Bucket]:
    first = date(2025, 3, 1)
    return [
        Bucket(label=label or f"{i + 1} Mar", start=first + timedelta(days=i)) for i in range(count)
    ]


def render_trend(chart, **extra) -> str:
    return render_to_string("reports/includes/chart_trend.html", {"chart": chart, **extra})


def svg_elements(html: str) -> list[ET.Element]:
    """Every SVG of the page, parsed as XML: escaping that broke the markup fails here."""
    found = re.findall(r"<svg .*?</svg>", html, flags=re.DOTALL)
    assert found
    return [
        ET.fromstring(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))
        for svg in found
    ]


def test_the_trend_is_a_labelled_image_followed_by_its_table():
    chart = trend_chart(
        title="Cases by day",
        buckets=days(3),
        series=[
            Series(key="in", label="Received", values=[4, None, 6]),
            Series(key="out", label="Closed", values=[3, 2, 5]),
        ],
    )
    html = render_trend(chart)
    main = next(svg for svg in svg_elements(html) if "chart-svg" in svg.get("class"))
    assert main.get("role") == "img"
    title_id, desc_id = main.get("aria-labelledby").split()
    assert main.find(f"{SVG}title").get("id") == title_id
    assert main.find(f"{SVG}title").text == "Cases by day"
    desc = main.find(f"{SVG}desc")
    assert desc.get("id") == desc_id
    assert "Received and Closed" in desc.text and "table below" in desc.text
    assert main.get("viewBox") == f"0 0 {chart.width} {chart.height}"
    assert 'class="chart-legend" aria-hidden="true"' in html
    # The table: a caption, column and row headers, "no data" said for the gap.
    assert '<caption class="visually-hidden">Cases by day</caption>' in html
    assert re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', html) == ["Day", "Received", "Closed"]
    assert re.findall(r'<th scope="row">([^<]*)</th>', html) == ["1 Mar", "2 Mar", "3 Mar"]
    assert '<span aria-hidden="true">–</span><span class="visually-hidden">no data</span>' in html
    assert "<summary>Show the numbers as a table</summary>" in html
    assert '<details class="chart-numbers">' in html
    assert '<details class="chart-numbers" open>' in render_trend(chart, numbers_open=True)
    assert "style=" not in html and "<script" not in html


def test_hostile_labels_are_escaped_in_the_svg_and_in_the_table():
    chart = trend_chart(
        title=HOSTILE,
        buckets=days(2, label=HOSTILE),
        series=[Series(key="bad", label=HOSTILE, values=[1, 2])],
    )
    html = render_trend(chart)
    assert "<script>" not in html
    assert '" onload="' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&quot; onload=&quot;alert(1)" in html
    for svg in svg_elements(html):  # still well-formed, the label still text
        for element in svg.iter():
            assert not any(name.startswith("on") for name in element.attrib)
    main = svg_elements(html)[-1]
    assert main.find(f"{SVG}title").text == HOSTILE
    assert HOSTILE in [t.text for t in main.iter(f"{SVG}text")]
    split = render_to_string(
        "reports/includes/chart_split.html",
        {"chart": split_chart(title=HOSTILE, parts=[(HOSTILE, 3)])},
    )
    bars = render_to_string(
        "reports/includes/chart_bars.html",
        {"chart": bar_chart(title=HOSTILE, rows=[(HOSTILE, 3)], label_heading=HOSTILE)},
    )
    for html in (split, bars):
        assert "<script>" not in html and '" onload="' not in html
        assert "&lt;script&gt;" in html


def test_a_decimal_comma_locale_never_reaches_an_svg_coordinate():
    with translation.override("ru"):
        chart = trend_chart(
            title="Доля",
            buckets=days(31),
            series=[Series(key="p", label="В срок", values=[91.5] * 31, unit="percent")],
        )
        html = render_trend(chart)
        split = render_to_string(
            "reports/includes/chart_split.html",
            {"chart": split_chart(title="Оценки", parts=[("Да", 2), ("Нет", 1)])},
        )
    geometry = {"x", "y", "x1", "x2", "y1", "y2", "width", "height", "d", "viewBox"}
    for svg in svg_elements(html) + svg_elements(split):
        for element in svg.iter():
            for name, value in element.attrib.items():
                if name in geometry:
                    assert "," not in value, (element.tag, name, value)
    assert "91,5" in html  # the words are in the reader's locale
    assert 'width="66.7%"' in split


def test_an_empty_trend_shows_its_sentence_and_no_chart():
    chart = trend_chart(
        title="Yesterday", buckets=days(1), series=[Series(key="a", label="A", values=[None])]
    )
    html = render_trend(chart)
    assert "No data for this period." in html
    assert "<svg" not in html and "<table" not in html


def test_the_split_writes_each_share_and_count_beside_its_bar():
    chart = split_chart(
        title="Satisfaction",
        parts=[("Answer satisfies", 412), ("Not complete enough", 38), ("Did not help", 0)],
    )
    assert [(r.label, r.value_text, r.share_text, r.bar_percent) for r in chart.rows] == [
        ("Answer satisfies", "412", "91.6%", 91.6),
        ("Not complete enough", "38", "8.4%", 8.4),
        ("Did not help", "0", "0%", 0.0),
    ]
    assert chart.total_text == "450"
    html = render_to_string("reports/includes/chart_split.html", {"chart": chart})
    assert '<caption class="chart-title">Satisfaction</caption>' in html
    assert re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', html) == ["Mark", "Share", "Count"]
    assert re.findall(r'<th scope="row"[^>]*>([^<]*)</th>', html) == [
        "Answer satisfies",
        "Not complete enough",
        "Did not help",
        "Total",
    ]
    assert '<span class="chart-bar-text">91.6%</span>' in html
    assert 'width="91.6%"' in html
    assert html.count('<svg class="chart-bar" aria-hidden="true"') == 3


def test_a_split_with_nothing_counted_says_so_instead():
    chart = split_chart(
        title="Satisfaction",
        parts=[("Answer satisfies", 0)],
        empty_text="No customer rated a case closed in this period.",
    )
    assert chart.is_empty
    html = render_to_string("reports/includes/chart_split.html", {"chart": chart})
    assert "No customer rated a case closed in this period." in html
    assert "<table" not in html
    assert split_chart(title="Nothing", parts=[]).is_empty


def test_bars_are_in_proportion_to_the_largest_with_their_value_written():
    chart = bar_chart(
        title="Tickets by channel",
        rows=[("E-mail", 12480), ("Web form", 3120), ("API", 0)],
        label_heading="Channel",
    )
    assert [(r.value_text, r.bar_percent) for r in chart.rows] == [
        ("12,480", 100.0),
        ("3,120", 25.0),
        ("0", 0.0),
    ]
    assert chart.value_heading == "Number"
    html = render_to_string("reports/includes/chart_bars.html", {"chart": chart})
    assert re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', html) == ["Channel", "Number"]
    assert '<span class="chart-bar-text">12,480</span>' in html
    times = bar_chart(title="Median", rows=[("Tom", 12000), ("Ann", 1800)], unit="duration")
    assert [r.value_text for r in times.rows] == ["3 h 20 min", "30 min"]
    assert times.value_heading == "Time"


def test_bars_with_nothing_to_show_say_so_instead():
    chart = bar_chart(title="Tickets by channel", rows=[("E-mail", 0)])
    assert chart.is_empty
    html = render_to_string("reports/includes/chart_bars.html", {"chart": chart})
    assert "Nothing was counted in this period." in html
    assert "<table" not in html


@pytest.mark.parametrize("bad", [-3, float("nan")])
def test_split_and_bars_refuse_negative_and_non_finite_values(bad):
    with pytest.raises(ValueError, match="never negative"):
        split_chart(title="Bad", parts=[("A", bad)])
    with pytest.raises(ValueError, match="never negative"):
        bar_chart(title="Bad", rows=[("A", bad)])
