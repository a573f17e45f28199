"""Funnel-plot control limits from the exact binomial, and the five funnel codes (Spiegelhalter 2005).

Source: D. J. Spiegelhalter, 'Funnel plots for comparing institutional performance', Statistics in Medicine
24 (2005) 1185–1202, §2–3: for an office with n answers and null share θ, the p-limit is the binomial
quantile r_p = binom.ppf(p, n, θ), interpolated so the curve is smooth in n:
    α = (F(r_p) − p) / (F(r_p) − F(r_p − 1)),   limit = (r_p − α) / n,   F the Binomial(n, θ) cdf.
95 % limits use p = 0.025 and 0.975; 99.8 % limits p = 0.001 and 0.999. With overdispersion (see
`dispersion`) each limit's distance from θ is multiplied by √φ (Spiegelhalter §5.2: variance × φ).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import binom

LOWER_95, UPPER_95, LOWER_998, UPPER_998 = 0.025, 0.975, 0.001, 0.999
"""The cumulative probabilities p of the four limits: two-sided 95 % and 99.8 %."""

Floats = NDArray[np.float64]


def binomial_limit(p: float, n: ArrayLike, theta: ArrayLike) -> Floats:
    """Spiegelhalter's interpolated exact binomial p-limit on the share scale, (r_p − α) / n (see module doc).

    Vectorised over n (>= 1, whole numbers) and θ. At θ = 0 or 1 the binomial has one value and the limit is θ.
    """
    n_ = np.asarray(n, dtype=np.float64)
    theta_ = np.asarray(theta, dtype=np.float64)
    if np.any(n_ < 1) or np.any(n_ != np.floor(n_)):
        raise ValueError("funnel limits need whole numbers of answers, at least 1")
    if np.any((theta_ < 0.0) | (theta_ > 1.0)):
        raise ValueError("a null share θ lies between 0 and 1")
    n_, theta_ = np.broadcast_arrays(n_, theta_)
    inner = (theta_ > 0.0) & (theta_ < 1.0)
    safe = np.where(inner, theta_, 0.5)
    r = binom.ppf(p, n_, safe)
    at_r = binom.cdf(r, n_, safe)
    below_r = binom.cdf(r - 1.0, n_, safe)
    # α lies in [0, 1) by the definition of r_p; the clip only absorbs rounding in cdf and ppf.
    alpha = np.clip((at_r - p) / (at_r - below_r), 0.0, 1.0)
    return np.asarray(np.where(inner, (r - alpha) / n_, theta_), dtype=np.float64)


def _widen(limit: Floats, theta: Floats, scale: float) -> Floats:
    return np.asarray(np.clip(theta + scale * (limit - theta), 0.0, 1.0), dtype=np.float64)


@dataclass(frozen=True, eq=False)
class FunnelLimits:
    """Limit curves for a plot: one value per n, on the plotted share scale, already widened if stated."""

    n: Floats
    lower_95: Floats
    upper_95: Floats
    lower_998: Floats
    upper_998: Floats


def funnel_limits(n: ArrayLike, theta: float, *, scale: float = 1.0) -> FunnelLimits:
    """The four curves around θ at each n; `scale` = √φ widens them for overdispersion (1 = pure binomial)."""
    n_ = np.asarray(n, dtype=np.float64)
    centre = np.full_like(n_, theta)
    return FunnelLimits(
        n=n_,
        **{
            name: _widen(binomial_limit(p, n_, centre), centre, scale)
            for name, p in (
                ("lower_95", LOWER_95),
                ("upper_95", UPPER_95),
                ("lower_998", LOWER_998),
                ("upper_998", UPPER_998),
            )
        },
    )


def _upper_threshold(p: float, n: Floats, theta: Floats) -> Floats:
    """Where an office starts to count as above: the quantile's own count r_p / n, not the interpolated limit.

    The interpolated upper limit lies between (r_p − 1)/n and r_p/n, so an office at exactly r_p would be
    flagged although the exact test does not reject it: with θ = 0.9 and n = 30, 30 satisfied of 30 has
    probability 0.042 yet lies above the 99.8 % limit 0.9992, and every small office with all answers
    satisfied would be praised. Counting an office as above only beyond r_p/n makes each upper code the exact
    one-sided binomial test P(R >= r) <= 1 − p. The lower limits need no such care: an office lies below the
    interpolated limit exactly when P(R <= r) < p.
    """
    inner = (theta > 0.0) & (theta < 1.0)
    r = binom.ppf(p, n, np.where(inner, theta, 0.5))
    return np.asarray(np.where(inner, r / n, theta), dtype=np.float64)


def classify(satisfied: ArrayLike, n: ArrayLike, theta: ArrayLike, *, scale: float = 1.0) -> list[str]:
    """Funnel code of each office with `satisfied` of `n` answers, judged against its null share θ.

    Below a limit: share < the (widened) interpolated lower limit. Above a limit: share > the (widened) count
    r_p / n that defines the upper limit (see `_upper_threshold`). Without widening these are the exact
    one-sided binomial tests at each level; a flagged office always lies outside the curve drawn for its θ.
    """
    n_ = np.asarray(n, dtype=np.float64)
    theta_ = np.broadcast_to(np.asarray(theta, dtype=np.float64), n_.shape)
    share = np.asarray(satisfied, dtype=np.float64) / n_
    below_998 = share < _widen(binomial_limit(LOWER_998, n_, theta_), theta_, scale)
    below_95 = share < _widen(binomial_limit(LOWER_95, n_, theta_), theta_, scale)
    above_998 = share > _widen(_upper_threshold(UPPER_998, n_, theta_), theta_, scale)
    above_95 = share > _widen(_upper_threshold(UPPER_95, n_, theta_), theta_, scale)
    codes = np.select(
        [below_998, below_95, above_998, above_95],
        ["below_998", "below_95", "above_998", "above_95"],
        default="within",
    )
    return [str(code) for code in codes]
