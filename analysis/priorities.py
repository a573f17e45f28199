"""Which groups need attention first: how far below target a group surely is, how many citizens that touches,
and which changes between two periods are real once many groups are tested at once.

Pure functions on `analysis.satisfaction.Summary` values and counts, so the dashboard's watch list, its rankings
and a researcher's notebook order groups the same way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from analysis.checks import check_target as _check_target
from analysis.satisfaction import Summary


def below_even_at_upper_bound(summary: Summary, target: float) -> bool:
    """True for a group with too few answers to judge (`too_few`) whose whole 95 % interval is still below the
    target: even the most favourable reading of its few answers misses the target, so it must not be hidden."""
    high = summary["ci_high"]
    return summary["status"] == "too_few" and high is not None and high < _check_target(target)


def shortfall(summary: Summary, target: float) -> float | None:
    """How far below the target a group is, as far as its interval allows (DESIGN.md §4); None when it is not
    known to be below.

    - `not_met` (the whole interval below the target): target − share;
    - `too_few` but below even at its upper bound: target − ci_high, the least it can be below, since its share
      rests on too few answers to be taken at face value;
    - anything else (met, can't tell, too few with an interval reaching the target): None.
    """
    target = _check_target(target)
    share, high = summary["share"], summary["ci_high"]
    if summary["status"] == "not_met" and share is not None:
        return target - share
    if below_even_at_upper_bound(summary, target) and high is not None:
        return target - high
    return None


def citizens_short(volume: int, gap: float) -> float:
    """Citizens short of the target: how many of `volume` (responses, or dossiers handled when the office sends
    them) would have had to be satisfied on top of those who were, for the group to reach the target."""
    if volume < 0 or gap < 0:
        raise ValueError(f"volume and gap must be >= 0, got {volume} and {gap}")
    return volume * gap


def benjamini_hochberg(p_values: Sequence[float | None], alpha: float = 0.05) -> list[bool]:
    """Which of many tests to call significant while keeping the expected share of false discoveries at or below
    `alpha` (Benjamini & Hochberg 1995, step-up): with m tests sorted by p, reject the k smallest where k is the
    largest rank with p(k) <= k/m · alpha. None (a test that could not be run) is never significant and does not
    count towards m.

    Testing a hundred office × procedure pairs at 5 % each would mark about five of them as changed by chance
    alone; this keeps such noise off the watch list.
    """
    if isinstance(alpha, bool) or not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be strictly between 0 and 1, got {alpha!r}")
    tested = sorted((p, index) for index, p in enumerate(p_values) if p is not None and not math.isnan(p))
    m = len(tested)
    cutoff = 0
    for rank, (p, _) in enumerate(tested, start=1):
        if p <= rank / m * alpha:
            cutoff = rank
    significant = [False] * len(p_values)
    for _, index in tested[:cutoff]:
        significant[index] = True
    return significant
