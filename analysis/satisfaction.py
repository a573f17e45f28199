"""Satisfaction shares with honest uncertainty, and the official Vietnamese indices built on them.

Everything here is a pure function on counts or ratings, so the web service (on its rollups), the command
line (on CSV files) and researchers (in notebooks) get the same numbers. Shares are fractions 0–1; each
formula names its source: DESIGN.md §4, DOMAIN.md §2 (SIPAS, QĐ 766/QĐ-TTg) and §3 (TT 01/2018/TT-VPCP).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from statistics import NormalDist
from typing import TypedDict

from analysis.checks import check_min_n as _check_min_n
from analysis.checks import check_target as _check_target
from analysis.checks import count as _count
from analysis.checks import known as _known
from analysis.official_indices import (  # the dossier-based indices, importable from here too
    QD766_SOURCES as QD766_SOURCES,
)
from analysis.official_indices import (
    TT01_AGENCIES_POINTS as TT01_AGENCIES_POINTS,
)
from analysis.official_indices import (
    TT01_BANDS as TT01_BANDS,
)
from analysis.official_indices import (
    TT01_CITIZEN_INDICATORS as TT01_CITIZEN_INDICATORS,
)
from analysis.official_indices import (
    TT01_MAX_POINTS as TT01_MAX_POINTS,
)
from analysis.official_indices import (
    TT01_ON_TIME_POINTS as TT01_ON_TIME_POINTS,
)
from analysis.official_indices import (
    TT01_RETURNS_POINTS as TT01_RETURNS_POINTS,
)
from analysis.official_indices import (
    TT01_STAFF_POINTS as TT01_STAFF_POINTS,
)
from analysis.official_indices import (
    TT01_SYSTEM_INDICATORS as TT01_SYSTEM_INDICATORS,
)
from analysis.official_indices import (
    Qd766Rate as Qd766Rate,
)
from analysis.official_indices import (
    Tt01Band as Tt01Band,
)
from analysis.official_indices import (
    Tt01Indicator as Tt01Indicator,
)
from analysis.official_indices import (
    qd766_rate as qd766_rate,
)
from analysis.official_indices import (
    tt01_band as tt01_band,
)
from analysis.official_indices import (
    tt01_citizen_indicators as tt01_citizen_indicators,
)
from analysis.official_indices import (
    tt01_indicator_score as tt01_indicator_score,
)
from analysis.official_indices import (
    tt01_office_band as tt01_office_band,
)
from analysis.periods import is_month

DEFAULT_TARGET = 0.90
"""National target (Thông báo 344/TB-VPCP, 2024): 90 % of citizens satisfied with how TTHC are handled."""
DEFAULT_MIN_N = 30
"""Below this many answers a share is reported as `too_few` rather than judged against the target."""
SATISFIED_RATINGS = frozenset({4, 5})
"""'Hài lòng' and 'Rất hài lòng' on the 5-point scale (DESIGN.md §4, DOMAIN.md §2A)."""
STATUSES = ("met", "not_met", "cant_tell", "too_few")


class Summary(TypedDict):
    """One share with its sample size, 95 % Wilson interval and target status (DESIGN.md §5 columns)."""

    n: int
    satisfied: int
    share: float | None
    ci_low: float | None
    ci_high: float | None
    status: str


# --- one share: rating → satisfied, Wilson interval, target status ----------------------------------------


def is_satisfied(rating: int) -> bool:
    """True for 4 or 5 ('Hài lòng', 'Rất hài lòng'); DESIGN.md §4. Ratings outside 1–5 are an error."""
    try:
        value = _count("rating", rating)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ValueError(f"a rating is a whole number from 1 to 5, got {rating!r}")
    return value in SATISFIED_RATINGS


def count_satisfied(counts_by_rating: Mapping[str, int] | Mapping[int, int]) -> tuple[int, int]:
    """(n answered, n satisfied) from counts per rating 1–5 (keys as numbers or their text, as rollups store them)."""
    n = satisfied = 0
    for rating, count in counts_by_rating.items():
        n += count
        if int(rating) in SATISFIED_RATINGS:
            satisfied += count
    return n, satisfied


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial share (Wilson 1927; DESIGN.md §4 asks for 95 %).

    With p = successes/n and z the two-sided normal quantile for `confidence`:
        centre = (p + z²/2n) / (1 + z²/n),  half-width = z·sqrt(p(1−p)/n + z²/4n²) / (1 + z²/n).
    Unlike the textbook p ± z·se it stays inside [0, 1] and behaves at p = 0 or 1 and at small n, which is
    where offices with few answers live. Equals statsmodels' `proportion_confint(method="wilson")`.
    With n = 0 nothing is known, so the interval is the whole (0.0, 1.0).
    """
    successes = _count("successes", successes)
    n = _count("n", n)
    if successes > n:
        raise ValueError(f"successes ({successes}) cannot exceed n ({n})")
    if isinstance(confidence, bool) or not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence!r}")
    if n == 0:
        return 0.0, 1.0
    z = NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)
    z2 = z * z
    p = successes / n
    denominator = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denominator
    half_width = z * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denominator
    # Clip floating-point dust so 0 <= low <= share <= high <= 1 holds exactly at the edges.
    low = 0.0 if successes == 0 else min(max(centre - half_width, 0.0), p)
    high = 1.0 if successes == n else max(min(centre + half_width, 1.0), p)
    return low, high


def target_status(
    n: int,
    ci_low: float | None,
    ci_high: float | None,
    *,
    target: float = DEFAULT_TARGET,
    min_n: int = DEFAULT_MIN_N,
) -> str:
    """Judge a share against the target only as far as its interval allows (DESIGN.md §4).

    `too_few` if n < min_n; `met` if ci_low >= target; `not_met` if ci_high < target; else `cant_tell`
    (the interval straddles the target, so more answers are needed before anyone can say).
    """
    n = _count("n", n)
    target = _check_target(target)
    if n < _check_min_n(min_n):
        return "too_few"
    if ci_low is None or ci_high is None:
        raise ValueError("an interval is needed to judge a share with enough answers")
    if ci_low >= target:
        return "met"
    if ci_high < target:
        return "not_met"
    return "cant_tell"


def summarise_counts(n: int, satisfied: int, *, target: float = DEFAULT_TARGET, min_n: int = DEFAULT_MIN_N) -> Summary:
    """Share, 95 % Wilson interval and target status for `satisfied` of `n` answers (DESIGN.md §4–5).

    Returns exactly the keys `n, satisfied, share, ci_low, ci_high, status`. With n == 0 the share and
    interval are None (there is nothing to show) and the status is `too_few`.
    """
    n = _count("n", n)
    satisfied = _count("satisfied", satisfied)
    if satisfied > n:
        raise ValueError(f"satisfied ({satisfied}) cannot exceed n ({n})")
    target = _check_target(target)
    min_n = _check_min_n(min_n)
    if n == 0:
        return Summary(n=0, satisfied=0, share=None, ci_low=None, ci_high=None, status="too_few")
    ci_low, ci_high = wilson_interval(satisfied, n)
    status = target_status(n, ci_low, ci_high, target=target, min_n=min_n)
    return Summary(n=n, satisfied=satisfied, share=satisfied / n, ci_low=ci_low, ci_high=ci_high, status=status)


def summarise_ratings(ratings: Iterable[int], *, target: float = DEFAULT_TARGET, min_n: int = DEFAULT_MIN_N) -> Summary:
    """`summarise_counts` over 1–5 ratings; any other value is an error (clean the data first)."""
    n = satisfied = 0
    for rating in ratings:
        n += 1
        satisfied += is_satisfied(rating)
    return summarise_counts(n, satisfied, target=target, min_n=min_n)


# --- SIPAS (Bộ Nội vụ): five element indices and their mean -------------------------------------------------

SIPAS_ELEMENTS = ("access", "procedure", "staff", "result", "feedback")
"""The five SIPAS elements (DOMAIN.md §2A), in the official order, under the API's codes."""


class SipasOverall(TypedDict):
    """Mean of the five element indices; no `satisfied` count, since it is not one share of one group."""

    n: int
    share: float
    ci_low: float
    ci_high: float
    status: str


class SipasIndex(TypedDict):
    """SIPAS element summaries and the overall index (None when an element has no answers)."""

    method: str
    elements: dict[str, Summary]
    overall: SipasOverall | None


def sipas_from_counts(
    element_counts: Mapping[str, tuple[int, int]],
    *,
    target: float = DEFAULT_TARGET,
    min_n: int = DEFAULT_MIN_N,
) -> SipasIndex:
    """SIPAS indices from (n answered, n satisfied) per element (DOMAIN.md §2A; QĐ 1001/QĐ-BNV 2023).

    Element index = satisfied / answered for that element, with its own n and Wilson interval.
    Overall index = mean of the five element indices. Choices made here, since the method does not say:
    - the overall index is None unless all five elements have answers (a mean of four would be a different
      index, and would silently flatter or punish an office);
    - its interval is the mean of the five element bounds. The elements are rated by the same people, so
      they are correlated in unknown ways; as sd(ΣXᵢ) <= Σ sd(Xᵢ) for any correlation, averaging the
      bounds never understates the uncertainty;
    - its n is the smallest element n (the least-answered element limits what can be said); it has no
      `satisfied` count, because a mean of five shares is not a count of people.
    Missing elements in `element_counts` count as unanswered; unknown element codes are an error.
    """
    unknown = set(element_counts) - set(SIPAS_ELEMENTS)
    if unknown:
        raise ValueError(f"unknown SIPAS element(s) {sorted(unknown)}; expected {list(SIPAS_ELEMENTS)}")
    elements = {
        name: summarise_counts(*element_counts.get(name, (0, 0)), target=target, min_n=min_n) for name in SIPAS_ELEMENTS
    }
    overall: SipasOverall | None = None
    if all(summary["n"] > 0 for summary in elements.values()):
        parts = list(elements.values())
        ci_low = math.fsum(_known(part["ci_low"]) for part in parts) / len(parts)
        ci_high = math.fsum(_known(part["ci_high"]) for part in parts) / len(parts)
        n = min(part["n"] for part in parts)
        overall = SipasOverall(
            n=n,
            share=math.fsum(_known(part["share"]) for part in parts) / len(parts),
            ci_low=ci_low,
            ci_high=ci_high,
            status=target_status(n, ci_low, ci_high, target=target, min_n=min_n),
        )
    return SipasIndex(method="sipas", elements=elements, overall=overall)


def sipas_from_responses(
    responses: Iterable[Mapping[str, int | None]],
    *,
    target: float = DEFAULT_TARGET,
    min_n: int = DEFAULT_MIN_N,
) -> SipasIndex:
    """SIPAS indices from responses shaped like the API's `elements` object (`{"access": 1-5, ...}`).

    An element that is absent or None in a response was not answered and is left out of that element's n
    (DOMAIN.md §2A: the share is among those who answered). See `sipas_from_counts` for the overall index.
    """
    counts = dict.fromkeys(SIPAS_ELEMENTS, (0, 0))
    for response in responses:
        for name, rating in response.items():
            if name not in counts:
                raise ValueError(f"unknown SIPAS element {name!r}; expected {list(SIPAS_ELEMENTS)}")
            if rating is not None:
                n, satisfied = counts[name]
                counts[name] = (n + 1, satisfied + is_satisfied(rating))
    return sipas_from_counts(counts, target=target, min_n=min_n)


# --- differences between two shares, and monthly trends ----------------------------------------------------


class ProportionTest(TypedDict):
    difference: float | None
    z: float | None
    p_value: float | None
    significant: bool


def two_proportion_test(s1: int, n1: int, s2: int, n2: int, *, alpha: float = 0.05) -> ProportionTest:
    """Two-sided pooled z-test that shares s1/n1 and s2/n2 differ (DESIGN.md §4: colour only real changes).

    p = (s1 + s2) / (n1 + n2);  z = (s1/n1 − s2/n2) / sqrt(p(1−p)(1/n1 + 1/n2));  p-value = 2·(1 − Φ(|z|)).
    Same as statsmodels' `proportions_ztest([s1, s2], [n1, n2])`. `difference` is s1/n1 − s2/n2.
    With n1 or n2 = 0 there is nothing to compare (all None, not significant); when both shares are 0 or
    both are 1 the pooled variance is 0 but the shares are equal: z = 0, p-value = 1, not significant.
    """
    s1, n1, s2, n2 = (_count(name, value) for name, value in (("s1", s1), ("n1", n1), ("s2", s2), ("n2", n2)))
    if s1 > n1 or s2 > n2:
        raise ValueError(f"successes cannot exceed n: {s1}/{n1}, {s2}/{n2}")
    if isinstance(alpha, bool) or not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be strictly between 0 and 1, got {alpha!r}")
    if n1 == 0 or n2 == 0:
        return ProportionTest(difference=None, z=None, p_value=None, significant=False)
    difference = s1 / n1 - s2 / n2
    pooled = (s1 + s2) / (n1 + n2)
    variance = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)
    if variance == 0.0:
        return ProportionTest(difference=difference, z=0.0, p_value=1.0, significant=False)
    z = difference / math.sqrt(variance)
    p_value = math.erfc(abs(z) / math.sqrt(2.0))
    return ProportionTest(difference=difference, z=z, p_value=p_value, significant=p_value < alpha)


class MonthSummary(Summary):
    month: str
    previous_month: str | None
    change: float | None
    change_p_value: float | None
    change_significant: bool


def monthly_trend(
    rows: Iterable[tuple[str, int, int]],
    *,
    target: float = DEFAULT_TARGET,
    min_n: int = DEFAULT_MIN_N,
    alpha: float = 0.05,
) -> list[MonthSummary]:
    """Per-month summaries in month order, each with its change from the month before and whether that
    change is significant (two-sided pooled z-test, `two_proportion_test`), so the dashboard never colours
    a change that is noise (DESIGN.md §4).

    `rows` are (month `YYYY-MM`, n, satisfied). The comparison is with the previous row given, named in
    `previous_month`: a month with no answers has nothing to compare with, so pass it with n = 0 if the
    chart should show the gap. `change` is this month's share minus the previous one's, None when either
    has no answers. A month given twice is an error.
    """
    by_month: dict[str, tuple[int, int]] = {}
    for month, n, satisfied in rows:
        if not isinstance(month, str) or not is_month(month):
            raise ValueError(f"a month is written YYYY-MM, got {month!r}")
        if month in by_month:
            raise ValueError(f"month {month} is given twice")
        by_month[month] = (n, satisfied)
    trend: list[MonthSummary] = []
    previous: tuple[str, int, int] | None = None
    for month in sorted(by_month):
        n, satisfied = by_month[month]
        summary = summarise_counts(n, satisfied, target=target, min_n=min_n)
        test = (
            two_proportion_test(summary["satisfied"], summary["n"], previous[2], previous[1], alpha=alpha)
            if previous
            else ProportionTest(difference=None, z=None, p_value=None, significant=False)
        )
        trend.append(
            MonthSummary(
                month=month,
                **summary,
                previous_month=previous[0] if previous else None,
                change=test["difference"],
                change_p_value=test["p_value"],
                change_significant=test["significant"],
            )
        )
        previous = (month, summary["n"], summary["satisfied"])
    return trend
