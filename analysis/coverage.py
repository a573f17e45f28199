"""Coverage: how many of the citizens invited to rate a dossier did so (the response rate), and when that is
too low to trust the shares built on it.

A survey that few invited citizens answer can be far off even with many answers: those who answer may differ
from those who do not (non-response bias), which no confidence interval shows. The rate is reported with its
95 % Wilson interval; a warning is raised when the rate is below a minimum (a setting, 20 % by default).
"""

from __future__ import annotations

from typing import TypedDict

from analysis.checks import count as _count
from analysis.satisfaction import wilson_interval

DEFAULT_MIN_RESPONSE_RATE = 0.20
"""Below this share of invitations answered, shares are flagged as possibly unrepresentative. A convention, not a
law: many public-sector surveys treat a response rate under about 20 % as a warning sign."""


class Coverage(TypedDict):
    issued: int
    answered: int
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    low: bool


def response_rate(issued: int, answered: int, *, min_rate: float = DEFAULT_MIN_RESPONSE_RATE) -> Coverage:
    """answered / issued with its 95 % Wilson interval; `low` when the rate is below `min_rate`.

    With nothing issued there is no rate (None) and no warning.
    """
    issued = _count("issued", issued)
    answered = _count("answered", answered)
    if answered > issued:
        raise ValueError(f"answered ({answered}) cannot exceed issued ({issued})")
    if not 0.0 < min_rate < 1.0:
        raise ValueError(f"min_rate must be strictly between 0 and 1, got {min_rate!r}")
    if issued == 0:
        return Coverage(issued=0, answered=0, rate=None, ci_low=None, ci_high=None, low=False)
    low, high = wilson_interval(answered, issued)
    rate = answered / issued
    return Coverage(issued=issued, answered=answered, rate=rate, ci_low=low, ci_high=high, low=rate < min_rate)
