"""Volume-weighted shares against a hand computation and statsmodels' weighted statistics."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from analysis.weighted import Cell, weighted_share, wilson_bounds


def respondents(cells: list[Cell]) -> tuple[np.ndarray, np.ndarray]:
    """One row per respondent: satisfied (0/1) and weight N_h / n_h, for statsmodels."""
    values, weights = [], []
    for cell in cells:
        if cell.n and cell.volume:
            values += [1.0] * cell.satisfied + [0.0] * (cell.n - cell.satisfied)
            weights += [cell.volume / cell.n] * cell.n
    return np.array(values), np.array(weights)


def test_a_busy_procedure_counts_as_much_as_its_citizens():
    """Births: 1,000 dossiers, 50 answers, 45 satisfied (90 %). Land: 3,000 dossiers, 50 answers, 25 satisfied
    (50 %). Unweighted the share is 70 %; weighted by dossiers it is (1000·0.9 + 3000·0.5) / 4000 = 60 %, and
    n_eff = 4000² / (1000²/50 + 3000²/50) = 80."""
    cells = [Cell(50, 45, 1000), Cell(50, 25, 3000)]
    result = weighted_share(cells, min_n=30)
    assert result.share == pytest.approx(0.60)
    assert result.effective_n == pytest.approx(80.0)
    assert (result.ci_low, result.ci_high) == pytest.approx(wilson_bounds(0.60, 80.0))
    assert result.status == "not_met" and result.volume == 4000 and result.responses_weighted == 100


def test_the_same_as_statsmodels_weighted_mean_and_kish_effective_n():
    rng = np.random.default_rng(3)
    cells = [
        Cell(int(n), int(rng.binomial(n, p)), int(v))
        for n, p, v in zip(rng.integers(5, 80, 40), rng.uniform(0.5, 0.98, 40), rng.integers(20, 5000, 40), strict=True)
    ]
    values, weights = respondents(cells)
    stats = DescrStatsW(values, weights=weights)
    result = weighted_share(cells)
    assert result.share == pytest.approx(stats.mean)
    assert result.effective_n == pytest.approx(weights.sum() ** 2 / (weights**2).sum())
    low, high = proportion_confint(result.share * result.effective_n, result.effective_n, method="wilson")
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high))


def test_cells_without_volume_or_without_answers_are_counted_apart():
    result = weighted_share([Cell(40, 36, 400), Cell(10, 2, None), Cell(0, 0, 900)], min_n=1)
    assert result.share == pytest.approx(0.9)
    assert result.responses_without_volume == 10 and result.volume_without_responses == 900
    assert weighted_share([Cell(10, 2, None)]).share is None


def test_bad_cells_are_refused():
    with pytest.raises(ValueError):
        weighted_share([Cell(5, 6, 10)])
    with pytest.raises(ValueError):
        weighted_share([Cell(5, 1, -1)])


@given(st.lists(st.tuples(st.integers(1, 200), st.floats(0, 1), st.integers(1, 10_000)), min_size=1, max_size=30))
def test_equal_weights_give_the_plain_share(rows):
    """When every cell's volume is proportional to its answers, weighting changes nothing and n_eff = n."""
    cells = [Cell(n, round(p * n), 7 * n) for n, p, _ in rows]
    result = weighted_share(cells, min_n=1)
    n = sum(cell.n for cell in cells)
    assert result.share == pytest.approx(sum(cell.satisfied for cell in cells) / n)
    assert result.effective_n == pytest.approx(n)
