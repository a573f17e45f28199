"""Benchmark: fair office comparison for every commune-level unit (3,321 offices × 25 procedures).

Builds synthetic per-office, per-procedure counts with numpy: 34 provinces, procedures from easy (95 %) to hard
(60 %), procedure mixes tilted from birth-heavy wards to land-heavy communes, and 15 % of offices truly better
or worse than the rest. Times the national reference, the comparisons and the plot curves, then shows whom
raw and adjusted shares flag among offices that are truly ordinary (the blame the adjustment should remove).
Not part of the tests:

    .venv/bin/python bench/bench_comparison.py [--offices 3321] [--procedures 25] [--seed 1] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.comparison import ProcedureCounts, compare_offices, compare_within_groups, pooled_reference

T = TypeVar("T")


Synthetic = tuple[dict[str, ProcedureCounts], dict[str, str], np.ndarray]


def synthetic_counts(offices: int, procedures: int, seed: int) -> Synthetic:
    """Counts by office and procedure, the province of each office, and each office's true effect (logit)."""
    rng = np.random.default_rng(seed)
    procedure_logit = np.linspace(2.9, 0.4, procedures)  # 95 % … 60 % satisfied
    real = rng.random(offices) < 0.15
    office_logit = np.where(real, rng.normal(0.0, 0.8, offices), 0.0)  # most offices are ordinary
    size = rng.lognormal(4.0, 1.0, offices)  # a few very busy offices, many small ones
    tilt = rng.uniform(-1.5, 1.5, offices)[:, None] * np.linspace(-1.0, 1.0, procedures)[None, :]
    mix = rng.dirichlet(np.ones(procedures), offices) * np.exp(tilt)  # wards ↔ land-heavy communes
    n = rng.poisson(size[:, None] * mix / mix.sum(axis=1, keepdims=True))
    p = 1.0 / (1.0 + np.exp(-(procedure_logit[None, :] + office_logit[:, None])))
    satisfied = rng.binomial(n, p)
    codes = [f"{i:05d}" for i in range(offices)]
    province_of = {code: f"{i % 34:02d}" for i, code in enumerate(codes)}
    counts: dict[str, ProcedureCounts] = {
        code: {f"p{j:02d}": (int(n[i, j]), int(satisfied[i, j])) for j in range(procedures)}
        for i, code in enumerate(codes)
    }
    return counts, province_of, office_logit


def timed(label: str, repeat: int, work: Callable[[], T]) -> T:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    print(f"{label:<44} median {1000 * statistics.median(times):8.1f} ms  (best of {repeat}: {1000 * min(times):.1f})")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offices", type=int, default=3321)
    parser.add_argument("--procedures", type=int, default=25)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    counts, province_of, effect = synthetic_counts(args.offices, args.procedures, args.seed)
    answers = sum(k for office in counts.values() for k, _ in office.values())
    print(f"{args.offices} offices × {args.procedures} procedures, {answers:,} answers")
    reference = timed("national reference", args.repeat, lambda: pooled_reference(counts, label="national"))
    national = timed("compare offices (national)", args.repeat, lambda: compare_offices(counts, reference))
    raw = timed("compare offices (raw share)", args.repeat, lambda: compare_offices(counts, reference, measure="share"))
    provinces = timed("compare within 34 provinces", args.repeat, lambda: compare_within_groups(counts, province_of))
    timed("limit curves (200 points)", args.repeat, national.limits)
    print(f"reference share {reference.share:.4f}; phi {national.phi:.3f} (I·phi {national.dispersion_statistic:.0f} "
          f"vs {national.dispersion.threshold:.0f}); widened: {national.widened}")  # fmt: skip
    truth = dict(zip(counts, effect, strict=True))
    for name, result in (("adjusted share", national), ("raw share", raw)):
        ordinary = [o.funnel for o in result.offices if truth[o.office] == 0.0]
        worse = [o.funnel for o in result.offices if truth[o.office] < -0.3]
        flagged = sum(code != "within" for code in ordinary) / len(ordinary)
        found = sum(code.startswith("below") for code in worse) / len(worse)
        print(f"{name:<15} ordinary offices flagged {100 * flagged:5.1f} %; truly worse found {100 * found:5.1f} %")
    widened = sum(result.widened for result in provinces.values())
    print(f"provinces with widened limits: {widened} of {len(provinces)}")


if __name__ == "__main__":
    main()
