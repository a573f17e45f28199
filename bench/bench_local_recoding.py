"""Benchmark: what a k-anonymous research export keeps, by local recoding, on service-shaped responses.

For 100,000 and 20,000 synthetic responses, a skewed set (one huge province, 40 rare procedures) and
1,000,000 responses given as counts of combinations, with procedure, office, month, age band, sex and
language as quasi-identifiers and k = 5, prints the share of rows whose procedure is kept, whose office or
province is kept, whose month is published by month or quarter, the rows dropped, the information loss,
the time and the peak Python memory (tracemalloc) of planning, and of streaming every row through the map.
Full-domain generalisation is shown beside it for comparison. Not part of the tests:

    PYTHONPATH=. .venv/bin/python bench/bench_local_recoding.py [--skip-million]
"""

from __future__ import annotations

import argparse
import re
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from analysis.anonymise import RESEARCH_WEIGHTS, Recoding, choose_generalisation, recode_locally
from tests.analysis.anonymise_fixtures import QUASI, Responses, synthesise, synthesise_skewed

T = TypeVar("T")
WEIGHTS = {name: RESEARCH_WEIGHTS[name] for name in QUASI}
QUARTER_OR_FINER = re.compile(r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$")


def measured(task: Callable[[], T]) -> tuple[T, float, float]:
    """Result, seconds (without tracing), peak MiB of Python allocations made by the task."""
    start = time.perf_counter()
    task()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    result = task()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, seconds, peak


def figures(data: Responses, publish: Callable[[tuple[str, ...]], tuple[str, ...] | None]) -> dict[str, float]:
    """Shares of all rows: procedure kept, office or its province kept, month by month or quarter, dropped."""
    total = data.total
    kept = {"procedure": 0, "office or province": 0, "month or quarter": 0, "dropped": 0}
    for key, count in data.counts.items():
        out = publish(key)
        if out is None:
            kept["dropped"] += count
            continue
        kept["procedure"] += count * (out[0] == key[0])
        kept["office or province"] += count * (out[1] in (key[1], data.office_provinces[key[1]]))
        kept["month or quarter"] += count * bool(QUARTER_OR_FINER.match(out[2]))
    return {name: n / total for name, n in kept.items()}


def line(label: str, shares: dict[str, float], loss: float, seconds: float, mib: float) -> str:
    cells = "  ".join(f"{100 * share:6.1f}" for share in shares.values())
    return f"  {label:<38}{cells}   {loss:5.3f}  {seconds:6.2f} s  {mib:6.1f} MiB"


def stream(recoding: Recoding, data: Responses) -> int:
    """Apply the map to every response, one at a time, keeping only a counter (as writing a file would)."""
    dropped = 0
    for key, count in data.counts.items():
        for _ in range(count):
            dropped += recoding.apply(key) is None
    return dropped


def compare(name: str, data: Responses) -> None:
    print(f"\n== {name}: {data.total:,} responses, {len(data.counts):,} distinct combinations")
    print(f"  {'':<38}{'proc':>6}  {'office':>6}  {'≤qtr':>6}  {'drop':>6}   {'loss':>5}  {'time':>8}  {'peak':>10}")
    hierarchies = data.hierarchies()
    variants: dict[str, dict[str, Any]] = {
        "local, research weights, month ≤ quarter": {"weights": WEIGHTS, "max_levels": {"month": "quarter"}},
        "local, research weights": {"weights": WEIGHTS},
        "local, equal weights": {},
        "local, as first row, 3-diverse ratings": {
            "weights": WEIGHTS,
            "max_levels": {"month": "quarter"},
            "sensitive": data.ratings,
            "l_diversity": 3,
        },
    }
    for label, options in variants.items():
        recoding, seconds, mib = measured(partial(recode_locally, data.counts, hierarchies, 5, **options))
        print(line(label, figures(data, recoding.apply), recoding.information_loss, seconds, mib))
    plan, seconds, mib = measured(lambda: choose_generalisation(data.counts, hierarchies, 5))
    print(line("full-domain (before)", figures(data, plan.apply), plan.information_loss, seconds, mib))
    print("  full-domain levels: " + ", ".join(f"{c} → {level}" for c, level in plan.generalised.items()))


def million() -> None:
    start = time.perf_counter()
    data = synthesise(1_000_000, seed=1)
    print(
        f"\n== 1,000,000 responses as {len(data.counts):,} combinations (drawn in {time.perf_counter() - start:.1f} s)"
    )
    hierarchies = data.hierarchies()
    task = partial(recode_locally, data.counts, hierarchies, 5, weights=WEIGHTS, max_levels={"month": 1})
    recoding, seconds, mib = measured(task)
    print(
        line(
            "local, research weights, month ≤ quarter",
            figures(data, recoding.apply),
            recoding.information_loss,
            seconds,
            mib,
        )
    )
    start = time.perf_counter()
    dropped = stream(recoding, data)
    streamed = time.perf_counter() - start
    assert dropped == recoding.rows_suppressed
    rate = data.total / streamed / 1e6
    print(f"  streaming 1,000,000 rows through Recoding.apply: {streamed:.2f} s ({rate:.1f} M rows/s)")
    print("  " + "\n  ".join(recoding.summary()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-million", action="store_true")
    args = parser.parse_args()
    print(
        f"k = 5; quasi-identifiers: {', '.join(QUASI)}; shares are % of all rows; loss = normalised certainty penalty"
    )
    compare("100,000 responses", synthesise(100_000))
    compare("20,000 responses", synthesise(20_000))
    compare("skewed, 100,000 responses", synthesise_skewed(100_000))
    compare("skewed, 20,000 responses", synthesise_skewed(20_000))
    if not args.skip_million:
        million()


if __name__ == "__main__":
    main()
