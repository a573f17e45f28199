"""Charts as plain shapes for accessible server-side SVG (no JavaScript): the template draws them with a
<title> and <desc>, and every chart sits beside a table with the same figures.

Shares are drawn with their 95 % interval as an error bar and the target as a line, so nobody reads a dot
without its uncertainty.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from survey.formatting import percent

WIDTH = 640
PLOT_LEFT = 56
PLOT_RIGHT = 16
PLOT_TOP = 16
AXIS_SPACE = 40
RANKING_RIGHT = 30  # room for half of the "100 %" tick label at the right edge
LABEL_WIDTH = 250  # a group's name, wrapped, with its code in small print below
LABEL_LINE = 16  # px between lines of a name (14 px text)
CODE_LINE = 15  # px for the code line (12 px text)
LABEL_CHARS = 32  # characters of a name per line that fit in LABEL_WIDTH at 14 px
PHONE_WIDTH = 320  # the phone chart's drawing width: shown 1:1 or larger on a 360 px screen
PHONE_LABEL_CHARS = 42
LABEL_LINES = 3  # longer names end with "…" (the table and the tooltip have them whole)


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    css: str


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    css: str
    tooltip: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"
    css: str = "chart-label"


@dataclass(frozen=True)
class Polyline:
    """A curve through points (e.g. a funnel limit): one SVG element, so a dash pattern runs along the whole curve."""

    points: tuple[tuple[float, float], ...]
    css: str

    @property
    def svg_points(self) -> str:
        return " ".join(f"{x},{y}" for x, y in self.points)


@dataclass
class Chart:
    """Everything the SVG macro draws; `title` and `desc` become the SVG's accessible name and description."""

    title: str
    desc: str
    width: int
    height: int
    lines: list[Line] = field(default_factory=list)
    polylines: list[Polyline] = field(default_factory=list)
    dots: list[Dot] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)


@dataclass(frozen=True)
class Point:
    """One share with its interval; `css` carries the status or a significant change."""

    label: str
    share: float | None
    low: float | None
    high: float | None
    target: float
    css: str
    tooltip: str
    code: str = ""  # shown in small print under the label (a procedure's or office's code)


def share_axis(points: Sequence[Point]) -> tuple[float, float]:
    """A share range that shows the intervals and target legibly: from a round tenth below the lowest value to 1."""
    values = [v for p in points for v in (p.low, p.share, p.target) if v is not None]
    lowest = min(values, default=0.5)
    return max(0.0, min(0.5, math.floor(lowest * 10) / 10)), 1.0


def _short_month(label: str) -> str:
    """'2025-12' → '12/25', as Vietnamese readers write months, so twelve labels fit side by side."""
    if len(label) == 7 and label[4] == "-" and label[:4].isdigit() and label[5:].isdigit():
        return f"{label[5:]}/{label[2:4]}"
    return label


def trend_chart(points: Sequence[Point], *, title: str, desc: str, breaks: Sequence[tuple[str, str]] = ()) -> Chart:
    """Months left to right; share up the side; the target as a dashed line; each break (month, label) where the
    questionnaire stops being comparable as an upright line before that month."""
    height = 240
    bottom = height - AXIS_SPACE
    low, high = share_axis(points)
    plot_width = WIDTH - PLOT_LEFT - PLOT_RIGHT
    step = plot_width / max(len(points), 1)

    def y(value: float) -> float:
        return round(bottom - (value - low) / (high - low) * (bottom - PLOT_TOP), 1)

    chart = Chart(title=title, desc=desc, width=WIDTH, height=height)
    _share_gridlines(chart, low, high, y, PLOT_LEFT, WIDTH - PLOT_RIGHT)
    for index, point in enumerate(points):
        x = round(PLOT_LEFT + step * (index + 0.5), 1)
        if len(points) <= 12 or index % math.ceil(len(points) / 12) == 0:
            chart.labels.append(Label(x, bottom + 18, _short_month(point.label), "middle", "chart-axis"))
        if point.share is None or point.low is None or point.high is None:
            continue
        _error_bar(chart, x, y(point.low), y(point.high), vertical=True)
        chart.dots.append(Dot(x, y(point.share), point.css, point.tooltip))
    for month, label in breaks:
        at = next((i for i, point in enumerate(points) if point.label >= month), None)
        if at:  # never before the first point: a break needs months on both sides
            x = round(PLOT_LEFT + step * at, 1)
            chart.lines.append(Line(x, PLOT_TOP, x, bottom, "chart-break"))
            chart.labels.append(Label(x + 4, PLOT_TOP + 10, label, "start", "chart-break-label"))
    targets = {point.target for point in points}
    if len(targets) == 1:
        target = targets.pop()
        chart.lines.append(Line(PLOT_LEFT, y(target), WIDTH - PLOT_RIGHT, y(target), "chart-target"))
        chart.labels.append(Label(WIDTH - PLOT_RIGHT, y(target) - 4, percent(target, 0), "end", "chart-target-label"))
    return chart


def wrap(text: str, width: int = LABEL_CHARS, lines: int = LABEL_LINES) -> list[str]:
    """Words into lines of at most `width` characters (a longer word gets a line of its own), at most `lines`
    of them; text that does not fit ends with "…"."""
    wrapped: list[str] = []
    for word in text.split():
        if wrapped and len(wrapped[-1]) + 1 + len(word) <= width:
            wrapped[-1] += " " + word
        else:
            wrapped.append(word)
    if len(wrapped) > lines:
        last = " ".join(wrapped[lines - 1 :])
        wrapped = [*wrapped[: lines - 1], last[: width - 1].rstrip() + "…"]
    return wrapped or [""]


def ranking_chart(points: Sequence[Point], *, title: str, desc: str) -> Chart:
    """One row per group; share along the bottom; each row's own target as a short upright mark. Each row is
    labelled with the group's name (wrapped) and its code in small print."""
    names = [wrap(point.label) for point in points]
    row_height = LABEL_LINE * max((len(lines) for lines in names), default=1) + CODE_LINE + 10
    height = PLOT_TOP + row_height * max(len(points), 1) + AXIS_SPACE
    bottom = height - AXIS_SPACE + 8
    low, high = share_axis(points)
    left, right = LABEL_WIDTH, WIDTH - RANKING_RIGHT

    def x(value: float) -> float:
        return round(left + (value - low) / (high - low) * (right - left), 1)

    chart = Chart(title=title, desc=desc, width=WIDTH, height=height)
    for tick in _ticks(low, high):
        chart.lines.append(Line(x(tick), PLOT_TOP - 6, x(tick), bottom, "chart-grid"))
        chart.labels.append(Label(x(tick), bottom + 16, percent(tick, 0), "middle", "chart-axis"))
    for index, (point, lines) in enumerate(zip(points, names, strict=True)):
        y = PLOT_TOP + row_height * index + row_height / 2
        text_height = LABEL_LINE * len(lines) + (CODE_LINE if point.code else 0)
        top = y - text_height / 2 + 12
        for number, line in enumerate(lines):
            chart.labels.append(Label(left - 8, round(top + LABEL_LINE * number, 1), line, "end"))
        if point.code:
            chart.labels.append(Label(left - 8, round(top + LABEL_LINE * len(lines) - 1, 1), point.code, "end",
                                      "chart-code"))  # fmt: skip
        if index:
            divider = PLOT_TOP + row_height * index
            chart.lines.append(Line(8, divider, right, divider, "chart-row"))
        chart.lines.append(Line(x(point.target), y - 9, x(point.target), y + 9, "chart-target"))
        if point.share is None or point.low is None or point.high is None:
            continue
        _error_bar(chart, y, x(point.low), x(point.high), vertical=False)
        chart.dots.append(Dot(x(point.share), y, point.css, point.tooltip))
    return chart


def stacked_ranking_chart(points: Sequence[Point], *, title: str, desc: str) -> Chart:
    """The ranking for phones (drawn 1:1 at 360 px, so no text is under 12 px): each group's name across the
    whole width, its code in small print, and its interval on a line of its own below; the share axis above and
    below the rows."""
    width, left, right = PHONE_WIDTH, 14, PHONE_WIDTH - 24
    names = [wrap(point.label, PHONE_LABEL_CHARS) for point in points]
    axis = 22
    low, high = share_axis(points)

    def x(value: float) -> float:
        return round(left + (value - low) / (high - low) * (right - left), 1)

    chart = Chart(title=title, desc=desc, width=width, height=0)
    y = float(axis + 8)
    for point, lines in zip(points, names, strict=True):
        for line in lines:
            y += LABEL_LINE
            chart.labels.append(Label(4, y, line, "start"))
        if point.code:
            y += CODE_LINE
            chart.labels.append(Label(4, y, point.code, "start", "chart-code"))
        y += 16
        chart.lines.append(Line(x(point.target), y - 8, x(point.target), y + 8, "chart-target"))
        if point.share is not None and point.low is not None and point.high is not None:
            _error_bar(chart, y, x(point.low), x(point.high), vertical=False)
            chart.dots.append(Dot(x(point.share), y, point.css, point.tooltip))
        y += 14
        chart.lines.append(Line(0, y, width, y, "chart-row"))
    bottom = y + 4
    for tick in _ticks(low, high)[::2] if high - low > 0.5 else _ticks(low, high):
        chart.lines.insert(0, Line(x(tick), axis, x(tick), bottom, "chart-grid"))
        for at in (axis - 6, bottom + 16):
            chart.labels.append(Label(x(tick), at, percent(tick, 0), "middle", "chart-axis"))
    chart.height = round(bottom + 24)
    return chart


def _ticks(low: float, high: float) -> list[float]:
    count = round((high - low) * 10)
    return [round(low + i / 10, 1) for i in range(count + 1)]


def _share_gridlines(
    chart: Chart, low: float, high: float, y: Callable[[float], float], left: float, right: float
) -> None:
    for tick in _ticks(low, high):
        chart.lines.append(Line(left, y(tick), right, y(tick), "chart-grid"))
        chart.labels.append(Label(left - 6, y(tick) + 4, percent(tick, 0), "end", "chart-axis"))


def _error_bar(chart: Chart, at: float, start: float, end: float, *, vertical: bool) -> None:
    """The 95 % interval: a line from low to high with a short cap at each end."""
    cap = 5
    if vertical:
        chart.lines.append(Line(at, start, at, end, "chart-interval"))
        chart.lines += [Line(at - cap, v, at + cap, v, "chart-interval") for v in (start, end)]
    else:
        chart.lines.append(Line(start, at, end, at, "chart-interval"))
        chart.lines += [Line(v, at - cap, v, at + cap, "chart-interval") for v in (start, end)]
