"""The lines of a trend chart: a path per series with gaps where there is no data, its markers,
and the value written at its end.

Each series has a colour (a CSS class), a marker shape and a dash pattern, in the same order, so
two lines differ in three ways and colour is never the only one:

    1 blue   circle    solid
    2 purple square    dashed
    3 green  triangle  dotted
    4 grey   diamond   dash-dot

Markers sit on every point while points are far enough apart to tell them apart; on a dense
line (a year by day) they sit on the labelled buckets only, on the last point, and on any point
with no neighbour (otherwise a value between two gaps would not be drawn at all). End-of-line
labels are pushed apart vertically so that two lines ending close together keep both labels."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

STYLES = (
    ("chart-series-1", "circle", ""),
    ("chart-series-2", "square", "7 5"),
    ("chart-series-3", "triangle", "0.5 4.5"),
    ("chart-series-4", "diamond", "10 4 0.5 4"),
)
MARKER_RADIUS = 4.0
SPARSE_BAND = 14.0  # points at least this far apart all get a marker
LEGEND_WIDTH, LEGEND_HEIGHT = 36, 14


@dataclass(frozen=True)
class EndLabel:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    css_class: str
    marker_shape: str
    dash: str
    path: str
    marker_path: str
    legend_marker_path: str
    end_label: EndLabel | None


def draw_lines(
    *,
    series: Sequence,
    centres: Sequence[float],
    y_of: Callable[[float], float],
    labelled: Sequence[int],
    end_texts: Sequence[str] | None,
    end_x: float,
    font_size: float,
    plot_top: float,
    plot_bottom: float,
) -> tuple[Line, ...]:
    sparse = len(centres) < 2 or centres[1] - centres[0] >= SPARSE_BAND
    ends = _end_label_positions(
        [y_of(s.values[-1]) if s.values[-1] is not None else None for s in series],
        font_size=font_size,
        top=plot_top,
        bottom=plot_bottom,
    )
    lines = []
    for index, one in enumerate(series):
        css_class, shape, dash = STYLES[index]
        points = [
            None if value is None else (centres[i], y_of(value))
            for i, value in enumerate(one.values)
        ]
        end_label = None
        if end_texts is not None and ends[index] is not None:
            end_label = EndLabel(
                x=round(end_x, 1), y=round(ends[index] + font_size * 0.35, 1), text=end_texts[index]
            )
        lines.append(
            Line(
                key=one.key,
                label=one.label,
                css_class=css_class,
                marker_shape=shape,
                dash=dash,
                path=_path(points),
                marker_path="".join(
                    marker_path(shape, *points[i])
                    for i in _marked(points, labelled=labelled, sparse=sparse)
                ),
                legend_marker_path=marker_path(shape, LEGEND_WIDTH / 2, LEGEND_HEIGHT / 2),
                end_label=end_label,
            )
        )
    return tuple(lines)


def _path(points: list[tuple[float, float] | None]) -> str:
    """An SVG path through the points, lifting the pen over each None (a gap, not a zero)."""
    parts, pen_down = [], False
    for point in points:
        if point is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{point[0]:.1f} {point[1]:.1f}")
        pen_down = True
    return "".join(parts)


def _marked(
    points: list[tuple[float, float] | None], *, labelled: Sequence[int], sparse: bool
) -> list[int]:
    present = [i for i, point in enumerate(points) if point is not None]
    if sparse:
        return present
    last = len(points) - 1
    chosen = set(labelled) | {last}
    chosen |= {
        i
        for i in present
        if (i == 0 or points[i - 1] is None) and (i == last or points[i + 1] is None)
    }
    return [i for i in sorted(chosen) if points[i] is not None]


def marker_path(shape: str, x: float, y: float) -> str:
    """A closed marker outline centred on (x, y), about as large whatever the shape."""
    r = MARKER_RADIUS
    if shape == "circle":
        return f"M{x - r:.1f} {y:.1f}a{r:g} {r:g} 0 1 0 {2 * r:g} 0a{r:g} {r:g} 0 1 0 {-2 * r:g} 0Z"
    if shape == "square":
        s = r * 0.85
        return f"M{x - s:.1f} {y - s:.1f}h{2 * s:.1f}v{2 * s:.1f}h{-2 * s:.1f}Z"
    if shape == "triangle":
        return (
            f"M{x:.1f} {y - r * 1.2:.1f}L{x + r * 1.15:.1f} {y + r * 0.8:.1f}"
            f"L{x - r * 1.15:.1f} {y + r * 0.8:.1f}Z"
        )
    if shape == "diamond":
        d = r * 1.25
        return f"M{x:.1f} {y - d:.1f}L{x + d:.1f} {y:.1f}L{x:.1f} {y + d:.1f}L{x - d:.1f} {y:.1f}Z"
    raise ValueError(f"Unknown marker shape {shape!r}.")


def _end_label_positions(
    ys: list[float | None], *, font_size: float, top: float, bottom: float
) -> list[float | None]:
    """Vertical centres for the end labels: at their line's end, nudged apart to a line's
    height, and kept within the plot."""
    spacing = font_size + 2
    order = sorted((y, i) for i, y in enumerate(ys) if y is not None)
    placed: list[float] = []
    for y, _ in order:
        placed.append(max(y, placed[-1] + spacing) if placed else y)
    overflow = (placed[-1] - bottom) if placed else 0
    if overflow > 0:
        placed = [y - overflow for y in placed]
        for k in range(len(placed) - 2, -1, -1):
            placed[k] = min(placed[k], placed[k + 1] - spacing)
    result: list[float | None] = [None] * len(ys)
    for (_, index), y in zip(order, placed, strict=True):
        result[index] = max(y, top)
    return result
