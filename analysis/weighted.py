"""Volume-weighted satisfaction: a busy procedure counts as much as the citizens it serves.

Respondents are not spread over offices, procedures and months the way dossiers are: a commune that prints QR codes
on every receipt answers more than one that does not. Where each cell h (office × procedure × month) has a known
dossier volume N_h (imported from the one-stop system) and n_h responses with y_h satisfied, the post-stratified
share is

    p_w = Σ N_h · (y_h / n_h) / Σ N_h          (each respondent weighted w = N_h / n_h)

and Kish's effective sample size (Kish 1965, Survey Sampling, §11.7) is

    n_eff = (Σ_i w_i)² / Σ_i w_i² = (Σ N_h)² / Σ (N_h² / n_h),

the number of unweighted answers that would give the same precision. The 95 % interval is Wilson's with p_w and
n_eff in place of p and n (Kish's design-effect approach), and the status is judged on it like any share.
Cells with responses but no known volume are left out and counted in `responses_without_volume`; cells with volume
but no responses cannot be represented and are counted in `volume_without_responses`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import NormalDist

from analysis.satisfaction import DEFAULT_MIN_N, DEFAULT_TARGET, target_status


@dataclass(frozen=True)
class Cell:
    """One stratum: responses n, satisfied y, dossier volume N (None when not imported)."""

    n: int
    satisfied: int
    volume: int | None


@dataclass(frozen=True)
class WeightedShare:
    share: float | None
    effective_n: float
    ci_low: float | None
    ci_high: float | None
    status: str
    volume: int  # dossiers in the cells that were weighted
    responses_weighted: int
    responses_without_volume: int
    volume_without_responses: int


def wilson_bounds(share: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson's interval for a share observed over a (possibly fractional, effective) number of answers n > 0."""
    if not 0.0 <= share <= 1.0 or n <= 0:
        raise ValueError(f"need 0 ≤ share ≤ 1 and n > 0, got share={share!r}, n={n!r}")
    z = NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)
    z2 = z * z
    denominator = 1.0 + z2 / n
    centre = (share + z2 / (2.0 * n)) / denominator
    half_width = z * math.sqrt(share * (1.0 - share) / n + z2 / (4.0 * n * n)) / denominator
    return max(0.0, min(centre - half_width, share)), min(1.0, max(centre + half_width, share))


def weighted_share(
    cells: Iterable[Cell], *, target: float = DEFAULT_TARGET, min_n: int = DEFAULT_MIN_N
) -> WeightedShare:
    """The post-stratified share over `cells` with its Kish effective n, Wilson interval and target status."""
    total_volume = weighted_sum = squares = 0.0
    responses = without_volume = volume_alone = 0
    for cell in cells:
        if cell.n < 0 or not 0 <= cell.satisfied <= cell.n or (cell.volume is not None and cell.volume < 0):
            raise ValueError(f"a cell needs 0 ≤ satisfied ≤ n and a volume ≥ 0, got {cell!r}")
        if cell.n == 0:
            volume_alone += cell.volume or 0
            continue
        if not cell.volume:
            without_volume += cell.n
            continue
        total_volume += cell.volume
        weighted_sum += cell.volume * cell.satisfied / cell.n
        squares += cell.volume * cell.volume / cell.n
        responses += cell.n
    if not responses:
        return WeightedShare(None, 0.0, None, None, "too_few", 0, 0, without_volume, volume_alone)
    share = weighted_sum / total_volume
    effective_n = total_volume * total_volume / squares
    ci_low, ci_high = wilson_bounds(share, effective_n)
    status = target_status(math.floor(effective_n), ci_low, ci_high, target=target, min_n=min_n)
    return WeightedShare(
        share=share,
        effective_n=effective_n,
        ci_low=ci_low,
        ci_high=ci_high,
        status=status,
        volume=int(total_volume),
        responses_weighted=responses,
        responses_without_volume=without_volume,
        volume_without_responses=volume_alone,
    )
