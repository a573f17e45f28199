"""The funnel plot of offices: each office a dot at (responses, share adjusted for its procedure mix), the reference
and target lines, and the 95 % and 99.8 % control limits that narrow as responses grow (Spiegelhalter 2005).

Drawn with the same accessible SVG shapes as the other charts (`charts.Chart`); the page puts a table with the same
figures beside it. The x axis is logarithmic, so a commune with 40 responses and a province centre with 4,000 both
stay readable.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import gettext as _

from survey.dashboard.charts import Chart, Dot, Label, Line, Polyline
from survey.formatting import number, percent

if TYPE_CHECKING:  # analysis.comparison needs numpy and scipy: loaded by the page that compares offices
    from analysis.comparison import Comparison, OfficeComparison

WIDTH, HEIGHT = 640, 360
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 44

Scale = Callable[[float], float]
OUTSIDE = {"above_998": "clearly_above", "below_998": "clearly_below"}
"""Funnel codes that the page calls "clearly different"; the 95 % codes are shown as a warning only."""


@dataclass(frozen=True)
class FunnelRow:
    """One office as the table shows it: its name, figures and verdict."""

    code: str
    name: str
    office: OfficeComparison

    @property
    def verdict(self) -> str:
        return OUTSIDE.get(self.office.funnel, "warning" if self.office.funnel != "within" else "within")


def funnel_rows(comparisons: Sequence[Comparison], names: Mapping[str, str]) -> list[FunnelRow]:
    """The offices the caller may see (`names` holds only those), clearly different ones first, then by n."""
    rows = [
        FunnelRow(office.office, names[office.office], office)
        for comparison in comparisons
        for office in comparison.offices
        if office.office in names
    ]
    order = {"clearly_below": 0, "clearly_above": 1, "warning": 2, "within": 3}
    return sorted(rows, key=lambda row: (order[row.verdict], -row.office.n, row.code))


def funnel_chart(comparison: Comparison, rows: Sequence[FunnelRow], title: str) -> Chart:
    """One reference's funnel with the given offices on it."""
    offices = [row for row in rows if any(o is row.office for o in comparison.offices)]
    sizes = [row.office.n for row in offices] or [1]
    n_low, n_high = max(1, min(sizes) * 0.8), max(sizes) * 1.25
    limits = comparison.limits()
    shares = [row.office.adjusted_share for row in offices]
    lows = [float(v) for v in limits.lower_998 if not math.isnan(v)]
    y_low = math.floor(10 * min([*shares, *lows, comparison.target, comparison.reference_share], default=0.5)) / 10
    y_low = max(0.0, min(y_low, 0.9))

    def x(n: float) -> float:
        span = math.log10(n_high) - math.log10(n_low) or 1.0
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (math.log10(n) - math.log10(n_low)) / span, 1)

    def y(share: float) -> float:
        share = min(max(share, y_low), 1.0)
        return round(TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - share) / (1.0 - y_low), 1)

    chart = Chart(title=title, desc=_funnel_desc(comparison, offices), width=WIDTH, height=HEIGHT)
    _axes(chart, x, y, y_low, n_low, n_high)
    for curve, css in ((limits.lower_95, "funnel-95"), (limits.upper_95, "funnel-95"),
                       (limits.lower_998, "funnel-998"), (limits.upper_998, "funnel-998")):  # fmt: skip
        points = tuple((x(float(n)), y(float(v))) for n, v in zip(limits.n, curve, strict=True) if n_low <= n <= n_high)
        chart.polylines.append(Polyline(points, css))
    for share, css in ((comparison.reference_share, "funnel-reference"), (comparison.target, "chart-target")):
        chart.lines.append(Line(LEFT, y(share), WIDTH - RIGHT, y(share), css))
    chart.labels.append(Label(WIDTH - RIGHT, y(comparison.target) - 4, percent(comparison.target, 0), "end",
                              "chart-target-label"))  # fmt: skip
    reference = _("reference %(share)s", share=percent(comparison.reference_share))
    chart.labels.append(
        Label(LEFT + 4, y(comparison.reference_share) + 14, reference, "start", "funnel-reference-label")
    )
    for row in offices:
        office = row.office
        tooltip = _("%(name)s: %(share)s adjusted, %(raw)s as answered (n = %(n)s)", name=row.name,
                    share=percent(office.adjusted_share), raw=percent(office.share), n=number(office.n))  # fmt: skip
        chart.dots.append(Dot(x(office.n), y(office.adjusted_share), f"chart-dot funnel-{row.verdict}", tooltip))
    return chart


def _axes(chart: Chart, to_x: Scale, to_y: Scale, y_low: float, n_low: float, n_high: float) -> None:
    bottom = HEIGHT - BOTTOM
    steps = max(1, round((1.0 - y_low) / 0.1))
    for step in range(steps + 1):
        share = y_low + step * (1.0 - y_low) / steps
        chart.lines.append(Line(LEFT, to_y(share), WIDTH - RIGHT, to_y(share), "chart-grid"))
        chart.labels.append(Label(LEFT - 6, to_y(share) + 4, percent(share, 0), "end", "chart-axis"))
    ticks = [base * step for base in (10, 100, 1_000, 10_000, 100_000) for step in (1, 2, 5)]
    for tick in ticks:
        if n_low <= tick <= n_high:
            chart.labels.append(Label(to_x(tick), bottom + 16, number(tick), "middle", "chart-axis"))
    chart.labels.append(Label((LEFT + WIDTH - RIGHT) / 2, bottom + 34, _("Responses (log scale)"), "middle",
                              "chart-axis"))  # fmt: skip


def _funnel_desc(comparison: Comparison, rows: Sequence[FunnelRow]) -> str:
    outside = sum(1 for row in rows if row.verdict.startswith("clearly"))
    return _(
        "%(count)s offices plotted by number of responses and satisfied share adjusted for their procedure mix; "
        "reference %(reference)s, target %(target)s; %(outside)s outside the 99.8 %(percent)s limits.",
        count=number(len(rows)), reference=percent(comparison.reference_share), target=percent(comparison.target),
        outside=number(outside), percent="%",
    )  # fmt: skip
