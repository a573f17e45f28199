"""A tiny trend line of monthly counts as SVG coordinates, drawn server-side (no script, fits a strict CSP)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 120
HEIGHT = 32
PAD = 3


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    points: str  # "x,y x,y …" for <polyline>
    last_x: float
    last_y: float
    peak: int


def sparkline(counts: Sequence[int], width: int = WIDTH, height: int = HEIGHT) -> Sparkline:
    """Counts scaled so the highest month touches the top and zero sits on the baseline."""
    values = list(counts) or [0]
    peak = max(values)
    step = (width - 2 * PAD) / (len(values) - 1) if len(values) > 1 else 0.0
    coordinates = []
    for index, value in enumerate(values):
        x = PAD + index * step if len(values) > 1 else width / 2
        y = height - PAD - (value / peak * (height - 2 * PAD) if peak else 0.0)
        coordinates.append((round(x, 1), round(y, 1)))
    if len(coordinates) == 1:  # one month: a short flat line so there is something to see
        x, y = coordinates[0]
        coordinates = [(PAD, y), (width - PAD, y)]
    points = " ".join(f"{x:g},{y:g}" for x, y in coordinates)
    return Sparkline(width, height, points, coordinates[-1][0], coordinates[-1][1], peak)
