"""Server-rendered SVG charts (bar and line) for DUO's figures: the one chart helper of the project.

``bar_chart`` and ``line_chart`` take points ``[(label, value), ...]`` (or several named series)
and return a ``Chart``: its ``svg`` (safe markup to put in a template) and the same numbers as
table rows, which ``templates/partials/chart.html`` shows beside the picture.

Guarantees (tests/pib/test_charts.py):

* CSP-safe: no ``style`` attribute, no ``<style>`` or ``<script>`` element, no event handler, no
  external reference; the look comes from classes styled by ``static/css/charts.css`` (include it
  on the page). Geometry is plain SVG attributes (x, y, width, height, points).
* Readable without colour: every bar and every point carries its value as text (or in the table
  when there are too many to print), series differ by a fill pattern (bars: solid, hatched,
  dotted, cross-hatched) or by line dash and marker shape (lines), and a legend names them.
* Accessible: ``role="img"``, ``<title>`` and ``<desc>`` linked by ``aria-labelledby``; the
  figure's table (``Chart.headers`` / ``Chart.rows``) holds every number.
* Every text (labels, title, series names) is escaped; a value of ``None`` is "geen gegeven"
  (no bar, "–" in the table); a value under ``suppress_below`` (small cells, DOMAIN.md "Figures
  for DUO and municipalities": "< 10") is neither drawn nor printed, only "< 10".
* Deterministic: the same input gives the same markup (ids derive from ``chart_id``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .formatting import number

Number = int | float
Point = tuple[str, Number | None]

WIDTH = 720
HEIGHT = 260
MARGIN_LEFT = 72
MARGIN_RIGHT = 16
MARGIN_TOP = 28
MARGIN_BOTTOM = 64
MAX_VALUE_LABELS = 26  # above this many bars/points per series, values are in the table only
MAX_AXIS_LABELS = 14  # category labels printed on the x axis (every n-th when there are more)
PATTERNS = ("solid", "hatch", "dots", "cross")  # fill of series 1, 2, 3, 4 (bars)
DASHES = ("", "6 3", "2 3", "8 3 2 3")  # stroke-dasharray of series 1, 2, 3, 4 (lines)
MARKERS = ("circle", "square", "triangle", "diamond")
_ID = re.compile(r"[^a-z0-9-]")


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[Point]


@dataclass
class Chart:
    chart_id: str
    title: str
    description: str
    svg: SafeString
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    caption: str = ""


def _safe_id(text: str) -> str:
    return _ID.sub("-", text.lower()) or "chart"


def _value_text(value, fmt: Callable[[Number], str], suppress_below: int | None) -> str:
    if value is None:
        return "–"
    if suppress_below is not None and value < suppress_below:
        return f"< {suppress_below}"
    return fmt(value)


def _default_format(value: Number) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}".replace(".", ",")
    return number(int(value))


def _nice_step(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^n at or above ``value``."""
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent + 1e-9:
            return step * exponent
    return 10 * exponent  # pragma: no cover - the loop ends at 10


def _scale(values: list[float]) -> tuple[float, float]:
    """(upper bound, tick step) of the value axis: about four round steps; whole steps for counts."""
    top = max(values or [0])
    if top <= 0:
        return 1.0, 1.0
    step = _nice_step(top / 4)
    if step < 1 and all(float(v).is_integer() for v in values):
        step = 1.0
    return step * math.ceil(top / step - 1e-9), step


def _drawn(value, suppress_below) -> float | None:
    if value is None or (suppress_below is not None and value < suppress_below):
        return None
    return float(value)


def _normalise(series: Sequence[Series] | Sequence[Point], name: str) -> list[Series]:
    if series and isinstance(series[0], Series):
        return list(series)
    return [Series(name, list(series))]


def _labels(all_series: list[Series]) -> list[str]:
    labels: list[str] = []
    for s in all_series:
        for label, _value in s.points:
            if label not in labels:
                labels.append(label)
    return labels


def _defs(chart_id: str) -> str:
    """Fill patterns (hatching, dots, cross) and line markers, shared by the chart's series."""
    p = chart_id
    return (
        "<defs>"
        f'<pattern id="{p}-hatch" class="chart-pattern" width="6" height="6" patternUnits="userSpaceOnUse"'
        ' patternTransform="rotate(45)"><rect class="chart-pattern-bg" width="6" height="6"/>'
        '<line class="chart-pattern-line" x1="0" y1="0" x2="0" y2="6"/></pattern>'
        f'<pattern id="{p}-dots" class="chart-pattern" width="5" height="5" patternUnits="userSpaceOnUse">'
        '<rect class="chart-pattern-bg" width="5" height="5"/>'
        '<circle class="chart-pattern-dot" cx="2.5" cy="2.5" r="1.2"/>'
        "</pattern>"
        f'<pattern id="{p}-cross" class="chart-pattern" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect class="chart-pattern-bg" width="6" height="6"/>'
        '<path class="chart-pattern-line" d="M0 0L6 6M6 0L0 6"/></pattern>'
        "</defs>"
    )


def _fill(chart_id: str, index: int) -> str:
    pattern = PATTERNS[index % len(PATTERNS)]
    return "" if pattern == "solid" else f' fill="url(#{chart_id}-{pattern})"'


def _frame(chart_id, title, description, width, height, body: list[str]) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" aria-labelledby="{chart_id}-title {chart_id}-desc"'
        ' preserveAspectRatio="xMinYMin meet">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )
    return mark_safe(head + _defs(chart_id) + "".join(body) + "</svg>")  # noqa: S308 - every text escaped


def _axes(top: float, plot_h: float, left: float, plot_w: float, scale: tuple[float, float], fmt) -> list[str]:
    upper, step = scale
    parts = ['<g class="chart-axis">']
    for i in range(round(upper / step) + 1):
        value = step * i
        y = top + plot_h - plot_h * value / upper
        parts.append(f'<line class="chart-grid" x1="{left:.1f}" y1="{y:.1f}" x2="{left + plot_w:.1f}" y2="{y:.1f}"/>')
        tick = escape(fmt(value))
        parts.append(f'<text class="chart-tick" x="{left - 6:.1f}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    base = top + plot_h
    parts.append(
        f'<line class="chart-baseline" x1="{left:.1f}" y1="{base:.1f}" x2="{left + plot_w:.1f}" y2="{base:.1f}"/>'
    )
    parts.append("</g>")
    return parts


def _x_labels(labels, centre: Callable[[int], float], baseline: float) -> list[str]:
    step = max(1, math.ceil(len(labels) / MAX_AXIS_LABELS))
    parts = ['<g class="chart-labels">']
    for i, label in enumerate(labels):
        if i % step and i != len(labels) - 1:
            continue
        x = centre(i)
        parts.append(
            f'<text class="chart-label" x="{x:.1f}" y="{baseline + 14:.1f}" text-anchor="end"'
            f' transform="rotate(-40 {x:.1f} {baseline + 14:.1f})">{escape(label)}</text>'
        )
    parts.append("</g>")
    return parts


def _legend(all_series: list[Series], chart_id: str, left: float, kind: str) -> list[str]:
    if len(all_series) < 2:
        return []
    parts = ['<g class="chart-legend">']
    x = left
    for index, s in enumerate(all_series):
        if kind == "bar":
            parts.append(
                f'<rect class="chart-bar chart-series-{index + 1}" x="{x:.1f}" y="6" width="14" height="12"'
                f"{_fill(chart_id, index)}/>"
            )
        else:
            parts.append(_line_key(index, x, 12))
        parts.append(f'<text class="chart-legend-text" x="{x + 20:.1f}" y="16">{escape(s.name)}</text>')
        x += 34 + 7 * len(s.name)
    parts.append("</g>")
    return parts


def _line_key(index: int, x: float, y: float) -> str:
    dash = DASHES[index % len(DASHES)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    cls = f"chart-line chart-series-{index + 1}"
    line = f'<line class="{cls}" x1="{x:.1f}" y1="{y:.1f}" x2="{x + 14:.1f}" y2="{y:.1f}"{dash_attr}/>'
    return line + _marker(index, x + 7, y)


def _polygon(corners) -> str:
    return " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in corners)


def _marker(index: int, x: float, y: float, title: str = "") -> str:
    """A point's marker: circle, square, triangle or diamond by series (shape, not only colour)."""
    shape = MARKERS[index % len(MARKERS)]
    cls = f"chart-marker chart-series-{index + 1}"
    inner = f"<title>{escape(title)}</title>" if title else ""
    if shape == "circle":
        tag, attrs = "circle", f'cx="{x:.1f}" cy="{y:.1f}" r="3.5"'
    elif shape == "square":
        tag, attrs = "rect", f'x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7"'
    elif shape == "triangle":
        tag, attrs = "polygon", f'points="{_polygon([(x, y - 4.5), (x + 4.5, y + 3.5), (x - 4.5, y + 3.5)])}"'
    else:
        tag, attrs = "polygon", f'points="{_polygon([(x, y - 5), (x + 5, y), (x, y + 5), (x - 5, y)])}"'
    return f'<{tag} class="{cls}" {attrs}>{inner}</{tag}>' if inner else f'<{tag} class="{cls}" {attrs}/>'


def _table(all_series: list[Series], labels: list[str], label_header: str, fmt, suppress_below):
    headers = [label_header] + [s.name for s in all_series]
    by_series = [dict(s.points) for s in all_series]
    rows = [[label] + [_value_text(values.get(label), fmt, suppress_below) for values in by_series] for label in labels]
    return headers, rows


@dataclass
class _Plot:
    """What both kinds of chart share: the series, labels, value scale and plotting area."""

    chart_id: str
    series: list[Series]
    labels: list[str]
    values: list[dict]
    upper: float
    left: float
    top: float
    plot_w: float
    plot_h: float
    fmt: Callable[[Number], str]
    suppress_below: int | None

    @property
    def print_values(self) -> bool:
        return len(self.labels) <= MAX_VALUE_LABELS

    def y_of(self, value: float) -> float:
        return self.top + self.plot_h - self.plot_h * value / self.upper

    def text(self, raw) -> str:
        return _value_text(raw, self.fmt, self.suppress_below)


def _bars(plot: _Plot) -> tuple[list[str], Callable[[int], float]]:
    slot = plot.plot_w / max(len(plot.labels), 1)
    gap = min(slot * 0.2, 12)
    bar_w = (slot - gap) / max(len(plot.series), 1)
    body = ['<g class="chart-bars">']
    for si, series_values in enumerate(plot.values):
        for li, label in enumerate(plot.labels):
            raw = series_values.get(label)
            value = _drawn(raw, plot.suppress_below)
            x = plot.left + li * slot + gap / 2 + si * bar_w
            text = plot.text(raw)
            name = escape(f"{plot.series[si].name}, {label}: {text}" if len(plot.series) > 1 else f"{label}: {text}")
            y = plot.top + plot.plot_h
            if value is not None:
                y = plot.y_of(value)
                body.append(
                    f'<rect class="chart-bar chart-series-{si + 1}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}"'
                    f' height="{plot.top + plot.plot_h - y:.1f}"{_fill(plot.chart_id, si)}><title>{name}</title></rect>'
                )
            if plot.print_values:
                body.append(
                    f'<text class="chart-value" x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">'
                    f"{escape(text)}</text>"
                )
    body.append("</g>")
    return body, lambda i: plot.left + i * slot + slot / 2


def _lines(plot: _Plot) -> tuple[list[str], Callable[[int], float]]:
    step = plot.plot_w / max(len(plot.labels) - 1, 1)

    def x_of(i):
        return plot.left + (i * step if len(plot.labels) > 1 else plot.plot_w / 2)

    body = ['<g class="chart-lines">']
    for si, series_values in enumerate(plot.values):
        segments: list[list[str]] = [[]]
        marks = []
        for li, label in enumerate(plot.labels):
            raw = series_values.get(label)
            value = _drawn(raw, plot.suppress_below)
            if value is None:
                segments.append([])
                continue
            x, y = x_of(li), plot.y_of(value)
            segments[-1].append(f"{x:.1f},{y:.1f}")
            text = plot.text(raw)
            marks.append(_marker(si, x, y, f"{label}: {text}"))
            if plot.print_values:
                marks.append(
                    f'<text class="chart-value" x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle">{escape(text)}</text>'
                )
        dash = DASHES[si % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for segment in segments:
            if len(segment) > 1:
                body.append(
                    f'<polyline class="chart-line chart-series-{si + 1}" points="{" ".join(segment)}"{dash_attr}/>'
                )
        body += marks
    body.append("</g>")
    return body, x_of


def _chart(
    draw,
    kind: str,
    points: Sequence[Point] | Sequence[Series],
    *,
    title: str,
    description: str = "",
    chart_id: str = "chart",
    series_name: str = "aantal",
    label_header: str = "Categorie",
    value_format: Callable[[Number], str] = _default_format,
    suppress_below: int | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Chart:
    chart_id = _safe_id(chart_id)
    all_series = _normalise(points, series_name)
    labels = _labels(all_series)
    values = [dict(s.points) for s in all_series]
    drawn = [_drawn(v.get(label), suppress_below) for v in values for label in labels]
    scale = _scale([d for d in drawn if d is not None])
    plot = _Plot(
        chart_id, all_series, labels, values, scale[0], MARGIN_LEFT, MARGIN_TOP,
        width - MARGIN_LEFT - MARGIN_RIGHT, height - MARGIN_TOP - MARGIN_BOTTOM, value_format, suppress_below,
    )  # fmt: skip
    body = _axes(plot.top, plot.plot_h, plot.left, plot.plot_w, scale, value_format)
    marks, centre = draw(plot)
    body += marks
    body += _x_labels(labels, centre, plot.top + plot.plot_h)
    body += _legend(all_series, chart_id, plot.left, kind)
    headers, rows = _table(all_series, labels, label_header, value_format, suppress_below)
    return Chart(chart_id, title, description, _frame(chart_id, title, description, width, height, body), headers, rows)


def bar_chart(points: Sequence[Point] | Sequence[Series], **options) -> Chart:
    """Bars per label; several ``Series`` stand side by side per label, each with its own pattern.

    Options (keyword): ``title`` (required), ``description``, ``chart_id`` (unique on the page),
    ``series_name`` (the one series' name when ``points`` are pairs), ``label_header`` (the table's
    first column), ``value_format`` (number → text), ``suppress_below`` (e.g. 10: "< 10"),
    ``width``, ``height``."""
    return _chart(_bars, "bar", points, **options)


def line_chart(points: Sequence[Point] | Sequence[Series], **options) -> Chart:
    """A line per series over the labels; a missing value (None, suppressed) breaks the line.
    Options as ``bar_chart``."""
    return _chart(_lines, "line", points, **options)
