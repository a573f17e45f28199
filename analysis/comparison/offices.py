"""Offices compared fairly: expected share by procedure mix, observed/expected, adjusted share, funnel code.

Indirect standardisation (as for a standardised mortality ratio): for office i with n_ij answers and O_i
satisfied, and reference rates p_j with reference share P,
    E_i = Σ_j n_ij p_j                 expected satisfied count if every procedure were handled at p_j
    e_i = E_i / n_i                    expected share
    ratio_i = O_i / E_i                observed / expected
    adjusted_i = ratio_i × P           the office's performance expressed on the reference's share scale.
The mix drops out exactly when an office's per-procedure rates are a constant multiple of the reference
rates (the model behind every observed/expected ratio); an office good at one procedure and poor at
another has its ratio weighted by its own mix, as with any SMR.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from analysis.checks import check_target
from analysis.comparison.dispersion import Dispersion, overdispersion, z_scores
from analysis.comparison.funnel import FunnelLimits, classify, funnel_limits
from analysis.comparison.reference import ProcedureCounts, Reference, checked_counts, references_by_group
from analysis.satisfaction import DEFAULT_TARGET, wilson_interval

Measure = Literal["adjusted_share", "share"]


@dataclass(frozen=True)
class OfficeComparison:
    """One office against the reference (shares are fractions 0–1; `funnel` is one of `FUNNEL_CODES`)."""

    office: str
    n: int
    satisfied: int
    share: float
    expected_share: float
    ratio: float
    ratio_ci_low: float
    ratio_ci_high: float
    adjusted_share: float
    adj_ci_low: float
    adj_ci_high: float
    z: float | None
    funnel: str


def adjusted_interval(satisfied: int, n: int, expected_share: float, reference_share: float) -> tuple[float, ...]:
    """95 % intervals for observed/expected and the adjusted share: (ratio_low, ratio_high, adj_low, adj_high).

    Why this way: the reference rates are treated as known. They pool far more answers than one office
    has, and when an office is a large part of its own reference, O and E rise and fall together, so leaving
    that out can only widen the interval. What remains uncertain is O, so the interval is the Wilson interval
    of the office's share O/n (the one the dashboard shows for raw shares) divided by e:
        ratio ∈ Wilson(O, n) / e,   adjusted ∈ Wilson(O, n) × P / e.
    O is a sum of binomials, one per procedure, whose variance Σ n_j r_j(1 − r_j) never exceeds n·s(1 − s),
    so one pooled binomial errs on the wide side; Wilson keeps its coverage at small n and at 0 or 100 %
    satisfied, where a log-ratio interval breaks down. An office with the reference mix (e = P) gets exactly
    its Wilson interval. The Poisson interval used for SMRs is not used: it treats satisfaction as a rare
    event and, at shares near 0.9, is about three times too wide (Var O = n e(1 − e), not E).
    Adjusted bounds are clipped to [0, 1] (they are shares); the ratio keeps the unclipped information.
    """
    low, high = wilson_interval(satisfied, n)
    ratio_low, ratio_high = low / expected_share, high / expected_share
    return (
        ratio_low,
        ratio_high,
        min(ratio_low * reference_share, 1.0),
        min(ratio_high * reference_share, 1.0),
    )


@dataclass(frozen=True)
class Comparison:
    """All offices against one reference, with the funnel's centre, target and overdispersion verdict.

    `measure` names the field plotted on the y axis (`adjusted_share` or `share`); x is `n`. The funnel is
    centred on the reference share: it asks which offices differ from their peers, while the target (90 %)
    is drawn as a line for context. For `adjusted_share` each office is judged against its own expected
    share e_i, since the spread of an adjusted share depends on the mix (variance P²(1 − e)/(e n)); the
    curves from `limits` are those of an office with the reference mix (e = P), so an office of unusual mix
    near a curve may carry a code from its own limits (`office_limits`).
    """

    reference: Reference
    measure: Measure
    target: float
    offices: tuple[OfficeComparison, ...]
    skipped: Mapping[str, str]
    dispersion: Dispersion

    @property
    def reference_share(self) -> float:
        return self.reference.share

    @property
    def phi(self) -> float | None:
        return self.dispersion.phi

    @property
    def dispersion_statistic(self) -> float | None:
        return self.dispersion.statistic

    @property
    def widened(self) -> bool:
        return self.dispersion.widened

    def limits(self, n: ArrayLike | None = None) -> FunnelLimits:
        """Limit curves around the reference share for whole numbers of answers `n` (default: 200 points
        from the smallest to the largest office), widened by √φ when `widened`."""
        if n is None:
            sizes = [office.n for office in self.offices] or [1]
            grid = np.geomspace(min(sizes), max(max(sizes), min(sizes) + 1), 200)
            n = np.unique(np.round(grid))
        return funnel_limits(n, self.reference_share, scale=self.dispersion.scale)

    def office_limits(self, office: OfficeComparison) -> tuple[float, float, float, float]:
        """The drawn limits for this office's own n and null share, on the plotted scale:
        (lower_998, lower_95, upper_95, upper_998)."""
        theta = office.expected_share if self.measure == "adjusted_share" else self.reference_share
        to_plot = self.reference_share / theta if self.measure == "adjusted_share" else 1.0
        curves = funnel_limits([office.n], theta, scale=self.dispersion.scale)
        lower_998, lower_95, upper_95, upper_998 = (
            min(float(curve[0]) * to_plot, 1.0)
            for curve in (curves.lower_998, curves.lower_95, curves.upper_95, curves.upper_998)
        )
        return lower_998, lower_95, upper_95, upper_998


def _totals(office: str, counts: ProcedureCounts, reference: Reference) -> tuple[int, int, float]:
    n = satisfied = 0
    terms = []
    for procedure, (k, s) in checked_counts(f"office {office}", counts).items():
        rate = reference.rates.get(procedure)
        if rate is None:
            raise ValueError(f"office {office}: procedure {procedure} has no rate in reference {reference.label}")
        n, satisfied = n + k, satisfied + s
        terms.append(k * rate)
    return n, satisfied, math.fsum(terms)


def compare_offices(
    offices: Mapping[str, ProcedureCounts],
    reference: Reference,
    *,
    measure: Measure = "adjusted_share",
    target: float = DEFAULT_TARGET,
    widen: bool = True,
) -> Comparison:
    """Compare each office (procedure → (n, satisfied)) with `reference`; see the module and `Comparison`.

    Offices with no answers, or whose procedures all have a reference rate of 0, cannot be placed on a
    funnel: they are listed in `skipped` with the reason. `widen=False` keeps pure binomial limits even when
    the offices are overdispersed (φ and the statistic are still reported).
    """
    if measure not in ("adjusted_share", "share"):
        raise ValueError(f"measure is 'adjusted_share' or 'share', got {measure!r}")
    target = check_target(target)
    share_p = reference.share
    placed: list[tuple[str, int, int, float]] = []
    skipped: dict[str, str] = {}
    for office, counts in offices.items():
        n, satisfied, expected = _totals(office, counts, reference)
        if n == 0:
            skipped[office] = "no answers"
        elif expected <= 0.0:
            skipped[office] = f"every procedure has a rate of 0 in reference {reference.label}"
        else:
            placed.append((office, n, satisfied, expected / n))
    sizes = np.array([row[1] for row in placed], dtype=np.float64)
    hits = np.array([row[2] for row in placed], dtype=np.float64)
    expected_shares = np.array([row[3] for row in placed], dtype=np.float64)
    theta = expected_shares if measure == "adjusted_share" else np.full_like(sizes, share_p)
    z = z_scores(hits, sizes, theta)
    dispersion = overdispersion(z, widen=widen)
    codes = classify(hits, sizes, theta, scale=dispersion.scale) if placed else []
    rows = []
    for (office, n, satisfied, expected_share), z_i, code in zip(placed, z, codes, strict=True):
        ratio = satisfied / n / expected_share  # as its interval is computed, so the bounds hold it exactly
        ratio_low, ratio_high, adj_low, adj_high = adjusted_interval(satisfied, n, expected_share, share_p)
        rows.append(
            OfficeComparison(
                office=office,
                n=n,
                satisfied=satisfied,
                share=satisfied / n,
                expected_share=expected_share,
                ratio=ratio,
                ratio_ci_low=ratio_low,
                ratio_ci_high=ratio_high,
                adjusted_share=min(ratio * share_p, 1.0),
                adj_ci_low=adj_low,
                adj_ci_high=adj_high,
                z=None if math.isnan(z_i) else float(z_i),
                funnel=code,
            )
        )
    return Comparison(
        reference=reference,
        measure=measure,
        target=target,
        offices=tuple(rows),
        skipped=MappingProxyType(skipped),
        dispersion=dispersion,
    )


def compare_within_groups(
    offices: Mapping[str, ProcedureCounts],
    group_of: Mapping[str, str],
    *,
    measure: Measure = "adjusted_share",
    target: float = DEFAULT_TARGET,
    widen: bool = True,
) -> dict[str, Comparison]:
    """Each group's offices (e.g. a province's communes) against that group's own pooled reference.

    Groups with no answers at all have no reference and are left out of the result.
    """
    references = references_by_group(offices, group_of)
    members: dict[str, dict[str, ProcedureCounts]] = {}
    for office, counts in offices.items():
        members.setdefault(group_of[office], {})[office] = counts
    return {
        group: compare_offices(members[group], reference, measure=measure, target=target, widen=widen)
        for group, reference in references.items()
    }
