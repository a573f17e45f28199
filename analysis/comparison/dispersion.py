"""Do offices vary more than the binomial allows? Spiegelhalter's multiplicative overdispersion factor φ.

Source: Spiegelhalter, 'Funnel plots for comparing institutional performance', Statistics in Medicine 24
(2005) §5.2: z_i = (y_i − θ_i) / √(θ_i(1 − θ_i)/n_i); winsorise the z-scores at their 10th and 90th
percentiles (so a few true outliers do not inflate φ); φ = mean of the squared winsorised z; the
dispersion statistic I·φ is compared with the 95 % quantile of χ² on I − 1 degrees of freedom, and only
above it are the limits widened, by √φ on their distance from θ.

The rule is conservative on purpose: under pure binomial variation the winsorised φ averages about 0.68
(the 10 %/90 % winsorised second moment of a standard normal), and the binomial null of an adjusted share
overstates the spread of a mix of procedures, so limits widen only for clear overdispersion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import chi2

WINSOR = 0.10
"""Share of z-scores pulled in at each end before φ is estimated (Spiegelhalter 2005: 10 % / 90 %)."""
TEST_LEVEL = 0.95
"""Quantile of χ²(I − 1) that I·φ must exceed before limits are widened."""


@dataclass(frozen=True)
class Dispersion:
    """Outcome of the overdispersion test; `scale` = √φ when widened, else 1."""

    offices: int
    phi: float | None
    statistic: float | None
    threshold: float | None
    widened: bool

    @property
    def scale(self) -> float:
        return math.sqrt(self.phi) if self.widened and self.phi is not None else 1.0


def z_scores(satisfied: ArrayLike, n: ArrayLike, theta: ArrayLike) -> np.ndarray:
    """Spiegelhalter's z for proportions, (y − θ)/√(θ(1−θ)/n); NaN where θ is 0 or 1 (no binomial spread)."""
    n_ = np.asarray(n, dtype=np.float64)
    theta_ = np.broadcast_to(np.asarray(theta, dtype=np.float64), n_.shape)
    variance = theta_ * (1.0 - theta_) / n_
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (np.asarray(satisfied, dtype=np.float64) / n_ - theta_) / np.sqrt(variance)
    return np.where(variance > 0.0, z, np.nan)


def overdispersion(z: ArrayLike, *, widen: bool = True) -> Dispersion:
    """φ from winsorised z-scores and whether I·φ calls for wider limits (NaN z-scores are left out).

    Percentiles are numpy's linear interpolation (R's type 7). With fewer than two z-scores there is no test.
    `widen=False` still reports φ and the statistic but keeps the pure binomial limits.
    """
    values = np.asarray(z, dtype=np.float64)
    values = values[~np.isnan(values)]
    offices = int(values.size)
    if offices < 2:
        return Dispersion(offices=offices, phi=None, statistic=None, threshold=None, widened=False)
    low, high = np.percentile(values, [100 * WINSOR, 100 * (1 - WINSOR)])
    phi = float(np.mean(np.clip(values, low, high) ** 2))
    statistic = offices * phi
    threshold = float(chi2.ppf(TEST_LEVEL, offices - 1))
    return Dispersion(
        offices=offices,
        phi=phi,
        statistic=statistic,
        threshold=threshold,
        widened=widen and statistic > threshold and phi > 1.0,
    )
