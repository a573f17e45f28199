"""A tiny trend of monthly shares as SVG, drawn on the server (no script, fits the strict CSP).

Only months with enough answers to publish are drawn; a month without is a gap, never a zero. The target is a
dashed line. The picture has a text alternative naming each published month's share (built in the template).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 132
HEIGHT = 36
PAD = 4


@dataclass(frozen=True)
class Trend:
    width: int
    height: int
    lines: list[str]  # "x,y x,y …" for each run of consecutive published months
    dots: list[tuple[float, float]]  # every published month
    target_y: float
    low: float  # the share at the bottom edge


def trend(shares: Sequence[float | None], target: float) -> Trend:
    """Months' shares (None = not published) on a scale from a round tenth below them and the target, up to 100 %."""
    shown = [share for share in shares if share is not None]
    low = max(0.0, math.floor(min([*shown, target]) * 10) / 10 - 0.1)
    step = (WIDTH - 2 * PAD) / max(len(shares) - 1, 1)

    def y(value: float) -> float:
        return round(HEIGHT - PAD - (value - low) / (1 - low) * (HEIGHT - 2 * PAD), 1)

    lines: list[str] = []
    run: list[str] = []
    dots = []
    for index, share in enumerate(shares):
        if share is None:
            if len(run) > 1:
                lines.append(" ".join(run))
            run = []
            continue
        point = (round(PAD + index * step, 1), y(share))
        dots.append(point)
        run.append(f"{point[0]:g},{point[1]:g}")
    if len(run) > 1:
        lines.append(" ".join(run))
    return Trend(WIDTH, HEIGHT, lines, dots, y(target), low)
