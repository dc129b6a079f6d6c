"""The report charts in a real browser, on realistic numbers (a month by day, a year by month, by
week and by day, the satisfaction split, tickets by channel): under the Content-Security-Policy
without one violation, with no two axis labels touching in the browser's own fonts, nothing
wider than a tablet's screen, and the numbers one click away in a table. Screenshots at a
laptop's 1366 px, a tablet's 768 px and 200 % zoom."""

import pytest
from django.test import override_settings

from tests.browser.test_content_security_policy import RECORD_VIOLATIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHART_PAGE_URLS = "tests.browser.report_charts_urls"

# Every pair of text boxes in one group of an SVG that overlap, as [chart title, text, text].
OVERLAPPING_LABELS = """
() => {
  const found = [];
  for (const svg of document.querySelectorAll("svg.chart-svg")) {
    const title = svg.querySelector("title").textContent;
    const groups = [...svg.querySelectorAll("g.chart-axis-text")];
    groups.push({querySelectorAll: () => svg.querySelectorAll(".chart-end-label")});
    for (const group of groups) {
      const boxes = [...group.querySelectorAll("text")]
        .map(t => [t.textContent, t.getBoundingClientRect()]);
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const [a, b] = [boxes[i][1], boxes[j][1]];
          if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
            found.push([title, boxes[i][0], boxes[j][0]]);
          }
        }
      }
    }
  }
  return found;
}
"""

# Every text of a chart that pokes out of the SVG's box, as [chart title, text].
TEXT_OUTSIDE = """
() => {
  const found = [];
  for (const svg of document.querySelectorAll("svg.chart-svg")) {
    const box = svg.getBoundingClientRect();
    for (const text of svg.querySelectorAll("text")) {
      const r = text.getBoundingClientRect();
      if (r.left < box.left - 1 || r.right > box.right + 1
          || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
        found.push([svg.querySelector("title").textContent, text.textContent]);
      }
    }
  }
  return found;
}
"""


@pytest.fixture
def chart_page(live_server, browser):
    """Opens the chart page at a width (and zoom), collecting CSP violations and script errors."""
    contexts = []

    def open_page(width: int, zoom: float = 1):
        context = browser.new_context(
            viewport={"width": round(width / zoom), "height": 900},
            device_scale_factor=zoom,
            locale="en-GB",
        )
        contexts.append(context)
        page = context.new_page()
        problems: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on(
            "console",
            lambda m: problems.append(m.text) if m.type in ("error", "warning") else None,
        )
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        response = page.goto(f"{live_server.url}/test-charts/")
        assert response.status == 200
        assert "default-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        problems.extend(page.evaluate("window.__cspViolations"))
        return page, problems

    with override_settings(ROOT_URLCONF=CHART_PAGE_URLS):
        yield open_page
    for context in contexts:
        context.close()


def save(page, name):
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [1366, 768])
def test_charts_draw_under_the_policy_with_no_label_touching_another(chart_page, width):
    page, problems = chart_page(width)
    save(page, f"report-charts-{width}")

    assert problems == []
    assert page.locator("svg.chart-svg").count() == 6
    assert page.evaluate(OVERLAPPING_LABELS) == []
    assert page.evaluate(TEXT_OUTSIDE) == []
    # Nothing is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # A year by day labels its months, not 366 days.
    year = page.locator("svg.chart-svg").nth(3)
    assert 6 <= year.locator("g.chart-axis-text[text-anchor=middle] text").count() <= 13


def test_the_numbers_are_a_table_one_click_away(chart_page):
    page, problems = chart_page(1366)

    month = page.get_by_test_id("chart-trend").first
    # The image is named by its title and summary; the summary points to the table.
    image = month.get_by_role("img", name="Cases by day, March 2025 Line chart of E-mails received")
    assert image.count() == 1
    summary = image.locator("desc").text_content()
    assert "31 points from 1 Mar to 31 Mar" in summary and "table below" in summary
    table = month.get_by_role("table", name="Cases by day, March 2025")
    assert not table.is_visible()
    month.get_by_text("Show the numbers as a table").click()
    assert table.is_visible()
    assert table.locator("tbody tr").count() == 31
    assert table.get_by_role("columnheader").all_inner_texts() == [
        "Day",
        "E-mails received",
        "Closed on time",
        "Closed past deadline",
    ]
    # The split and the bars are tables themselves: the label, the share and the count.
    split = page.get_by_role("table", name="Satisfaction after closing", exact=True)
    first = split.locator("tbody tr").first
    assert first.inner_text().split() == ["Answer", "satisfies", "74.2%", "412"]
    assert "12,480" in page.get_by_role("table", name="Tickets by channel").inner_text()
    assert page.get_by_text("No customer rated a case closed in this period.").is_visible()
    assert page.get_by_text("No data for this period.").is_visible()
    assert problems == []
    save(page, "report-charts-table-open")


def test_charts_grow_with_the_text_at_200_percent_zoom(chart_page):
    axis_text_height = (
        "() => document.querySelector('svg.chart-svg g.chart-axis-text text')"
        ".getBoundingClientRect().height * window.devicePixelRatio"
    )
    page, _ = chart_page(1366)
    at_100 = page.evaluate(axis_text_height)
    page, problems = chart_page(1366, zoom=2)
    save(page, "report-charts-zoom-200")

    assert problems == []
    assert page.evaluate(OVERLAPPING_LABELS) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The chart's text grows with the page's (an SVG stretched to its box would not).
    assert page.evaluate(axis_text_height) >= 1.6 * at_100


def test_hovering_a_day_highlights_its_column_and_printing_drops_the_table_button(chart_page):
    page, problems = chart_page(1366)
    month = page.locator("svg.chart-svg").first
    band = month.locator("rect.chart-hover").nth(10)
    assert band.locator("title").text_content() == (
        "11 Mar: E-mails received 67; Closed on time 54; Closed past deadline 6"
    )
    band.hover()
    assert band.evaluate("r => getComputedStyle(r).fillOpacity") != "1"
    save(page, "report-charts-hover")

    page.emulate_media(media="print")
    assert not page.get_by_text("Show the numbers as a table").first.is_visible()
    save(page, "report-charts-print")
    assert problems == []
