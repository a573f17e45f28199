"""Which groups come first: shortfall from the interval, citizens short of the target, false discoveries
controlled among many tests, coverage and the period before."""

from __future__ import annotations

import pytest

from analysis.coverage import response_rate
from analysis.periods import previous_period
from analysis.priorities import below_even_at_upper_bound, benjamini_hochberg, citizens_short, shortfall
from analysis.satisfaction import summarise_counts, wilson_interval


def test_shortfall_uses_the_share_when_not_met_and_the_upper_bound_when_too_few():
    not_met = summarise_counts(200, 150, target=0.9)
    assert not_met["status"] == "not_met" and shortfall(not_met, 0.9) == pytest.approx(0.9 - 0.75)
    few = summarise_counts(27, 17, target=0.9)  # the "Gia hạn tạm trú": 63 %, interval 44–78 %
    assert few["status"] == "too_few" and few["ci_high"] < 0.9
    assert below_even_at_upper_bound(few, 0.9)
    assert shortfall(few, 0.9) == pytest.approx(0.9 - wilson_interval(17, 27)[1])
    reaching = summarise_counts(5, 4, target=0.9)  # too few, and its interval reaches the target
    assert not below_even_at_upper_bound(reaching, 0.9) and shortfall(reaching, 0.9) is None
    assert shortfall(summarise_counts(100, 88, target=0.9), 0.9) is None  # can't tell
    assert shortfall(summarise_counts(1000, 980, target=0.9), 0.9) is None  # met
    assert citizens_short(1000, 0.15) == 150


def test_benjamini_hochberg_by_hand():
    # m = 5 tests; sorted p: 0.001 (≤ 0.01), 0.012 (≤ 0.02), 0.03 (> 0.03? no: 0.03 ≤ 0.03), 0.2, 0.9
    p = [0.2, 0.001, 0.03, None, 0.012, 0.9]
    assert benjamini_hochberg(p, alpha=0.05) == [False, True, True, False, True, False]
    # one p below 0.05 among twenty chance results is not a discovery (0.04 > 1/20 · 0.05)
    assert benjamini_hochberg([0.04] + [0.5] * 19) == [False] * 20
    assert benjamini_hochberg([]) == []
    with pytest.raises(ValueError):
        benjamini_hochberg([0.1], alpha=1.5)


def test_response_rate_and_its_warning():
    rate = response_rate(200, 30, min_rate=0.2)
    assert rate["rate"] == 0.15 and rate["low"] and (rate["ci_low"], rate["ci_high"]) == wilson_interval(30, 200)
    assert not response_rate(10, 7)["low"]
    assert response_rate(0, 0) == {"issued": 0, "answered": 0, "rate": None, "ci_low": None, "ci_high": None,
                                   "low": False}  # fmt: skip
    with pytest.raises(ValueError):
        response_rate(3, 4)


def test_the_period_before_has_the_same_length():
    assert previous_period("2025-04", "2025-06") == ("2025-01", "2025-03")
    assert previous_period("2025-01", "2025-01") == ("2024-12", "2024-12")
    assert previous_period("2025-02", "2026-01") == ("2024-02", "2025-01")
    with pytest.raises(ValueError):
        previous_period("2025-05", "2025-04")
