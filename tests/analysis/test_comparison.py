"""Fair office comparisons: adjusted shares, funnel limits and overdispersion against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binom, chi2

from analysis.comparison import (
    FUNNEL_CODES,
    binomial_limit,
    classify,
    compare_offices,
    compare_within_groups,
    funnel_limits,
    overdispersion,
    pooled_reference,
    reference_from_procedures,
    references_by_group,
)
from analysis.satisfaction import wilson_interval

# A national reference: land procedures are hard (75 % satisfied), birth registration easy (95 %).
NATIONAL = reference_from_procedures({"land": (400, 300), "birth": (600, 570)}, label="national")  # P = 0.87


def hand_limit(p: float, n: int, theta: float) -> float:
    """Spiegelhalter's interpolated limit, step by step with scipy.stats.binom (the issue's formula)."""
    r_p = binom.ppf(p, n, theta)
    alpha = (binom.cdf(r_p, n, theta) - p) / (binom.cdf(r_p, n, theta) - binom.cdf(r_p - 1, n, theta))
    return float((r_p - alpha) / n)


# --- expected share, ratio and adjusted share --------------------------------------------------------------


def test_expected_share_is_the_share_at_reference_rates_for_the_office_mix() -> None:
    result = compare_offices({"A": {"land": (80, 50), "birth": (20, 19)}}, NATIONAL)
    office = result.offices[0]
    assert office.expected_share == pytest.approx((80 * 0.75 + 20 * 0.95) / 100, abs=1e-12)  # 0.79
    assert office.ratio == pytest.approx(69 / 79, abs=1e-12)
    assert office.adjusted_share == pytest.approx(69 / 79 * 0.87, abs=1e-12)


def test_same_procedure_rates_give_the_same_adjusted_share_whatever_the_mix() -> None:
    # Both offices satisfy 60 % on land and 76 % on births (0.8 × the national rates); A is mostly land.
    offices = {"A": {"land": (50, 30), "birth": (50, 38)}, "B": {"land": (25, 15), "birth": (100, 76)}}
    a, b = compare_offices(offices, NATIONAL).offices
    assert (a.share, b.share) == (0.68, 0.728)  # raw shares differ by the mix alone
    assert a.adjusted_share == pytest.approx(0.8 * 0.87, abs=1e-9)
    assert b.adjusted_share == pytest.approx(a.adjusted_share, abs=1e-9)
    assert a.ratio == pytest.approx(0.8, abs=1e-12) and b.ratio == pytest.approx(0.8, abs=1e-12)


def test_offices_of_a_reference_built_from_them_with_equal_rates_get_the_reference_share() -> None:
    offices = {"A": {"land": (80, 48), "birth": (20, 19)}, "B": {"land": (20, 12), "birth": (80, 76)}}
    reference = pooled_reference(offices, label="national")
    assert reference.share == 155 / 200
    a, b = compare_offices(offices, reference).offices
    assert (a.share, b.share) == (0.67, 0.88)
    assert a.adjusted_share == pytest.approx(0.775, abs=1e-9) and b.adjusted_share == pytest.approx(0.775, abs=1e-9)
    assert a.funnel == b.funnel == "within"


reference_counts = st.lists(
    st.integers(min_value=1, max_value=500).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))),
    min_size=1,
    max_size=6,
).filter(lambda pairs: sum(s for _, s in pairs) > 0)


@given(reference_counts, st.data())
def test_an_office_at_the_reference_rates_has_the_reference_share(
    pairs: list[tuple[int, int]], data: st.DataObject
) -> None:
    reference = reference_from_procedures({f"p{j}": pair for j, pair in enumerate(pairs)}, label="national")
    multiples = data.draw(st.lists(st.integers(0, 5), min_size=len(pairs), max_size=len(pairs)))
    if not any(m and s for m, (_, s) in zip(multiples, pairs, strict=True)):
        multiples = [1] * len(pairs)
    office = {f"p{j}": (m * n, m * s) for j, (m, (n, s)) in enumerate(zip(multiples, pairs, strict=True))}
    result = compare_offices({"X": office}, reference)
    assert result.offices[0].adjusted_share == pytest.approx(reference.share, abs=1e-9)
    assert result.offices[0].ratio == pytest.approx(1.0, abs=1e-9)


@given(reference_counts, st.data())
def test_offices_at_half_the_reference_rates_agree_whatever_their_mix(
    pairs: list[tuple[int, int]], data: st.DataObject
) -> None:
    reference = reference_from_procedures({f"p{j}": pair for j, pair in enumerate(pairs)}, label="national")
    mixes = st.lists(st.integers(1, 9), min_size=len(pairs), max_size=len(pairs))
    offices = {
        name: {f"p{j}": (2 * t * n, t * s) for j, (t, (n, s)) in enumerate(zip(data.draw(mixes), pairs, strict=True))}
        for name in ("A", "B")
    }
    a, b = compare_offices(offices, reference).offices
    assert a.adjusted_share == pytest.approx(reference.share / 2, abs=1e-9)
    assert b.adjusted_share == pytest.approx(a.adjusted_share, abs=1e-9)


def test_an_office_with_the_reference_mix_gets_its_wilson_interval() -> None:
    office = compare_offices({"A": {"land": (20, 14), "birth": (30, 27)}}, NATIONAL).offices[0]
    assert office.expected_share == pytest.approx(0.87, abs=1e-12)  # 40 % land, as nationally
    low, high = wilson_interval(41, 50)
    assert (office.adj_ci_low, office.adj_ci_high) == pytest.approx((low, high), abs=1e-12)
    assert (office.ratio_ci_low, office.ratio_ci_high) == pytest.approx((low / 0.87, high / 0.87), abs=1e-12)


@given(st.integers(1, 400).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))), st.integers(0, 400))
def test_intervals_hold_their_estimates(land: tuple[int, int], births: int) -> None:
    office = compare_offices({"A": {"land": land, "birth": (births, births)}}, NATIONAL).offices[0]
    assert office.ratio_ci_low <= office.ratio <= office.ratio_ci_high
    assert 0.0 <= office.adj_ci_low <= office.adjusted_share <= office.adj_ci_high <= 1.0
    assert office.adj_ci_low == pytest.approx(min(office.ratio_ci_low * 0.87, 1.0), abs=1e-12)


def test_adjusted_share_stays_a_share_while_the_ratio_keeps_the_full_value() -> None:
    reference = reference_from_procedures({"land": (100, 50), "birth": (100, 100)}, label="national")  # P = 0.75
    office = compare_offices({"A": {"land": (10, 8)}}, reference).offices[0]  # 80 % where 50 % is expected
    low = wilson_interval(8, 10)[0]
    assert office.ratio == pytest.approx(1.6, abs=1e-12) and office.ratio_ci_low == pytest.approx(low / 0.5)
    assert office.adjusted_share == 1.0 and office.adj_ci_high == 1.0  # 1.6 × 0.75 = 1.2 is no share
    assert office.adj_ci_low == pytest.approx(low / 0.5 * 0.75, abs=1e-12)  # 0.74, not clipped


def test_raw_shares_blame_the_land_office_adjusted_shares_the_birth_office() -> None:
    reference = reference_from_procedures({"land": (1000, 600), "birth": (1000, 950)}, label="national")
    offices = {"land office": {"land": (200, 124)}, "birth office": {"birth": (200, 180)}}
    raw = {o.office: o.funnel for o in compare_offices(offices, reference, measure="share", widen=False).offices}
    fair = compare_offices(offices, reference, widen=False)
    assert raw == {"land office": "below_998", "birth office": "above_998"}
    codes = {o.office: o.funnel for o in fair.offices}
    # Land office: 62 % against an expected 60 %. Birth office: 90 % against 95 %, P(R <= 180) = 0.0027.
    assert codes == {"land office": "within", "birth office": "below_95"}
    birth = fair.offices[1]
    assert birth.z == pytest.approx((180 - 190) / math.sqrt(200 * 0.95 * 0.05), abs=1e-12)


# --- references ---------------------------------------------------------------------------------------------


def test_province_references_pool_their_own_offices() -> None:
    offices = {"79.1": {"land": (10, 5)}, "79.2": {"land": (30, 27)}, "01.1": {"land": (20, 18), "birth": (0, 0)}}
    references = references_by_group(offices, {"79.1": "79", "79.2": "79", "01.1": "01"})
    assert references["79"].rates == {"land": 32 / 40} and references["79"].label == "79"
    assert references["01"].rates == {"land": 0.9}
    results = compare_within_groups(offices, {"79.1": "79", "79.2": "79", "01.1": "01"})
    first = results["79"].offices[0]
    assert first.expected_share == 0.8 and first.adjusted_share == pytest.approx(0.5, abs=1e-12)


def test_a_group_without_answers_gets_no_reference() -> None:
    assert references_by_group({"a": {"land": (0, 0)}}, {"a": "79"}) == {}


def test_an_office_with_no_answers_is_skipped_and_says_why() -> None:
    result = compare_offices({"A": {"land": (0, 0)}, "B": {"land": (10, 8)}}, NATIONAL)
    assert [o.office for o in result.offices] == ["B"]
    assert result.skipped == {"A": "no answers"}


@pytest.mark.parametrize(
    ("offices", "message"),
    [
        ({"A": {"marriage": (10, 9)}}, "no rate in reference national"),
        ({"A": {"land": (10, 11)}}, "cannot exceed"),
        ({"A": {"land": (10,)}}, "expected \\(n, satisfied\\)"),
    ],
)
def test_bad_counts_are_refused(offices: dict[str, dict[str, tuple[int, ...]]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compare_offices(offices, NATIONAL)  # type: ignore[arg-type]


# --- funnel limits ------------------------------------------------------------------------------------------


def test_binomial_limit_equals_a_hand_computation_with_exact_fractions() -> None:
    # Binomial(10, 1/2): F(1) = 11/1024, F(2) = 56/1024, F(7) = 968/1024, F(8) = 1013/1024.
    upper = (8 - (1013 / 1024 - 0.975) / (45 / 1024)) / 10
    lower = (2 - (56 / 1024 - 0.025) / (45 / 1024)) / 10
    assert binomial_limit(0.975, 10, 0.5) == pytest.approx(upper, abs=1e-12)  # 0.76756
    assert binomial_limit(0.025, 10, 0.5) == pytest.approx(lower, abs=1e-12)  # 0.13244


@given(
    st.integers(1, 5000),
    st.floats(0.01, 0.99),
    st.sampled_from([0.001, 0.025, 0.975, 0.999]),
)
def test_binomial_limit_equals_spiegelhalters_formula(n: int, theta: float, p: float) -> None:
    assert float(binomial_limit(p, n, theta)) == pytest.approx(hand_limit(p, n, theta), abs=1e-12)


def test_plotted_curves_are_the_binomial_limits_around_the_reference_share() -> None:
    offices = {"A": {"land": (80, 60)}, "B": {"birth": (300, 280)}}
    result = compare_offices(offices, NATIONAL)
    curves = result.limits([5, 50, 500])
    assert not result.widened
    for i, n in enumerate((5, 50, 500)):
        assert curves.lower_998[i] == pytest.approx(hand_limit(0.001, n, 0.87), abs=1e-12)
        assert curves.lower_95[i] == pytest.approx(hand_limit(0.025, n, 0.87), abs=1e-12)
        assert curves.upper_95[i] == pytest.approx(hand_limit(0.975, n, 0.87), abs=1e-12)
        assert curves.upper_998[i] == pytest.approx(hand_limit(0.999, n, 0.87), abs=1e-12)
    default = result.limits()
    assert default.n[0] == 80 and default.n[-1] == 300
    land = result.offices[0]  # its own limits: n = 80 around e = 0.75, drawn on the adjusted scale
    lower_998, *_, upper_998 = result.office_limits(land)
    assert lower_998 == pytest.approx(hand_limit(0.001, 80, 0.75) * 0.87 / 0.75, abs=1e-12)
    assert upper_998 == 1.0  # 0.8625 × 0.87 / 0.75 would pass 100 %: clipped, as adjusted shares are


def test_a_small_office_with_every_answer_satisfied_is_not_praised_by_the_interpolation() -> None:
    # 30 of 30 at θ = 0.9 has probability 0.042: above the drawn 99.8 % limit (0.9992) but no exact outlier.
    assert binomial_limit(0.999, 30, 0.9) < 1.0
    assert classify([30], [30], 0.9) == ["within"]
    # All satisfied becomes an exact outlier only when it is rare enough: 0.9^65 = 0.00106, 0.9^66 = 0.00096.
    assert classify([65, 66], [65, 66], 0.9) == ["above_95", "above_998"]


@given(st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))), st.floats(0.05, 0.98))
def test_funnel_codes_are_exact_one_sided_binomial_tests(r_n: tuple[int, int], theta: float) -> None:
    r, n = r_n
    (code,) = classify([r], [n], theta)
    below, above = binom.cdf(r, n, theta), binom.sf(r - 1, n, theta)  # P(R <= r), P(R >= r)
    expected = (
        "below_998" if below < 0.001 else
        "below_95" if below < 0.025 else
        "above_998" if above <= 0.001 else
        "above_95" if above <= 0.025 else
        "within"
    )  # fmt: skip
    assert code == expected
    share = r / n
    if code.startswith("below"):
        assert share < binomial_limit(0.025, n, theta)
    if code.startswith("above"):
        assert share > binomial_limit(0.975, n, theta)


def test_codes_are_the_five_of_the_contract() -> None:
    assert FUNNEL_CODES == ("within", "above_95", "below_95", "above_998", "below_998")


# --- overdispersion -----------------------------------------------------------------------------------------

# Ten offices of 100 answers on one procedure; the pooled share is 0.8, so every z-score is (s − 80) / 4.
SPREAD = {f"O{i}": {"p": (100, s)} for i, s in enumerate([60, 70, 75, 78, 80, 80, 82, 85, 90, 100])}


def test_overdispersion_factor_equals_a_hand_computation() -> None:
    # z = −5, −2.5, −1.25, −0.5, 0, 0, 0.5, 1.25, 2.5, 5. Linear percentiles: the 10th lies 0.9 of the way
    # from −5 to −2.5 (−2.75), the 90th 0.1 of the way from 2.5 to 5 (2.75). Winsorised squares sum to
    # 2·(2.75² + 2.5² + 1.25² + 0.5²) = 31.25, so φ = 3.125 and I·φ = 31.25 > χ²₉(0.95) = 16.92.
    result = compare_offices(SPREAD, pooled_reference(SPREAD, label="national"))
    z = [-5.0, -2.5, -1.25, -0.5, 0.0, 0.0, 0.5, 1.25, 2.5, 5.0]
    assert [o.z for o in result.offices] == pytest.approx(z, abs=1e-12)
    assert result.phi == pytest.approx(3.125, abs=1e-12)
    assert result.dispersion_statistic == pytest.approx(31.25, abs=1e-12)
    assert result.dispersion.threshold == pytest.approx(chi2.ppf(0.95, 9), abs=1e-12)
    assert result.widened
    curves = result.limits([100])
    for p, curve in ((0.001, curves.lower_998), (0.025, curves.lower_95), (0.975, curves.upper_95)):
        assert curve[0] == pytest.approx(0.8 + math.sqrt(3.125) * (hand_limit(p, 100, 0.8) - 0.8), abs=1e-12)


def test_widening_turns_chance_extremes_back_into_ordinary_offices() -> None:
    reference = pooled_reference(SPREAD, label="national")
    strict = [o.funnel for o in compare_offices(SPREAD, reference, widen=False).offices]
    wide = [o.funnel for o in compare_offices(SPREAD, reference).offices]
    assert strict == ["below_998", "below_95", *["within"] * 6, "above_95", "above_998"]
    # Widened 95 % lower limit 0.8 − 1.768·(0.8 − 0.7135) = 0.647: 60 % stays low, 70 % is ordinary.
    assert wide == ["below_95", *["within"] * 8, "above_998"]


def test_offices_that_vary_as_the_binomial_allows_keep_pure_limits() -> None:
    offices = {f"O{i}": {"p": (100, s)} for i, s in enumerate([78, 80, 82, 79, 81, 80, 76, 84, 80, 80])}
    result = compare_offices(offices, pooled_reference(offices, label="national"))
    assert result.phi is not None and result.phi < 1.0 and not result.widened
    assert result.limits([100]).upper_95[0] == pytest.approx(hand_limit(0.975, 100, 0.8), abs=1e-12)


def test_pure_chance_variation_does_not_widen_the_limits() -> None:
    draws = np.random.default_rng(7).binomial(200, 0.85, 500)
    offices = {f"O{i}": {"p": (200, int(k))} for i, k in enumerate(draws)}
    result = compare_offices(offices, pooled_reference(offices, label="national"))
    # Winsorising at 10 %/90 % leaves E[z²] = 0.8 − 2c·φ(c) + 0.2c² = 0.679 for a normal, c = 1.2816.
    assert result.phi == pytest.approx(0.679, abs=0.05) and not result.widened


def test_too_few_offices_for_a_dispersion_test() -> None:
    single = overdispersion([1.5])
    assert single.phi is None and not single.widened and single.scale == 1.0
    assert funnel_limits([10], 0.5).upper_95[0] == pytest.approx(hand_limit(0.975, 10, 0.5), abs=1e-12)


def test_curves_for_plotting_stay_within_0_1_when_widened() -> None:
    curves = funnel_limits(np.arange(1, 60), 0.9, scale=3.0)
    assert np.all(curves.upper_998 <= 1.0) and np.all(curves.lower_998 >= 0.0)
