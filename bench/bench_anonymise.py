"""Benchmark: a k-anonymous export of 1 M synthetic survey responses, the way the web service will do it.

Phase 1 plans from counts of quasi-identifier combinations (the database's GROUP BY; numpy stands in for it
here), phase 2 streams every row through `Plan.apply`. Prints time and peak Python memory (tracemalloc) of
each phase and what was generalised. Not part of the tests:

    .venv/bin/python bench/bench_anonymise.py [--rows 1000000] [--seed 1]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

import numpy as np

from analysis.anonymise import (
    Hierarchy,
    Plan,
    choose_generalisation,
    month_hierarchy,
    office_region_hierarchy,
    ordered_hierarchy,
)
from analysis.anonymise_hierarchy import category_hierarchy
from analysis.regions import PROVINCES

AGE_BANDS = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
QUASI = ("office", "procedure", "month", "age_band")
T = TypeVar("T")


@dataclass(frozen=True)
class Responses:
    """Columns as integer codes into label lists: the 'database' the export reads."""

    labels: dict[str, list[str]]
    codes: dict[str, np.ndarray]
    offices: list[tuple[str, str]]

    def __len__(self) -> int:
        return len(self.codes["office"])

    def rows(self, columns: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        """Stream rows as string tuples, one at a time, like a server-side cursor."""
        labels = [self.labels[c] for c in columns]
        arrays = [self.codes[c] for c in columns]
        for start in range(0, len(self), 50_000):
            chunk = [a[start : start + 50_000].tolist() for a in arrays]
            for codes in zip(*chunk, strict=True):
                yield tuple(lab[code] for lab, code in zip(labels, codes, strict=True))


def synthesise(n: int, seed: int) -> Responses:
    """Realistic skew: Hồ Chí Minh City and Hà Nội dominate, ~200 offices with a long tail of tiny ones,
    25 procedures with Zipf-like popularity, 24 months, six age bands."""
    rng = np.random.default_rng(seed)
    provinces = list(PROVINCES)
    office_counts = {"79": 30, "01": 25, "31": 8, "48": 7, "92": 6}
    offices = [
        (f"{p}.{i:02d}", p) for p in provinces for i in range(1, office_counts.get(p, 4 if int(p) % 3 else 3) + 1)
    ]
    province_weight = {"79": 25.0, "01": 18.0, "31": 5.0, "48": 4.0, "92": 3.0}
    weights = np.array(
        [province_weight.get(p, 1.3) * (1 / (int(o.split(".")[1]) ** 1.1)) for o, p in offices], dtype=float
    )
    procedures = [f"1.{100000 + 37 * i:06d}" for i in range(25)]
    months = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)]
    ratings = ["1", "2", "3", "4", "5"]

    def draw(count: int, w: np.ndarray) -> np.ndarray:
        return rng.choice(count, size=n, p=w / w.sum()).astype(np.int32)

    codes = {
        "office": draw(len(offices), weights),
        "procedure": draw(25, 1 / np.arange(1, 26) ** 1.2),
        "month": draw(24, np.linspace(0.6, 1.4, 24)),
        "age_band": draw(6, np.array([8, 20, 24, 20, 16, 12], dtype=float)),
        "rating": draw(5, np.array([3, 4, 8, 35, 50], dtype=float)),
    }
    labels = {
        "office": [o for o, _ in offices],
        "procedure": procedures,
        "month": months,
        "age_band": AGE_BANDS,
        "rating": ratings,
    }
    return Responses(labels, codes, offices)


def group_by(data: Responses, columns: tuple[str, ...]) -> dict[tuple[str, ...], int]:
    """SELECT columns, COUNT(*) … GROUP BY columns."""
    key = np.zeros(len(data), dtype=np.int64)
    for column in columns:
        key = key * len(data.labels[column]) + data.codes[column]
    uniques, counts = np.unique(key, return_counts=True)
    result = {}
    for value, count in zip(uniques.tolist(), counts.tolist(), strict=True):
        parts = []
        for column in reversed(columns):
            size = len(data.labels[column])
            parts.append(data.labels[column][value % size])
            value //= size
        result[tuple(reversed(parts))] = count
    return result


def measured(task: Callable[[], T]) -> tuple[T, float, float]:
    """Result, seconds, peak MiB of Python allocations made by the task (timed without tracemalloc)."""
    start = time.perf_counter()
    task()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    result = task()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, seconds, peak


def stream(plan: Plan, data: Responses) -> tuple[int, int]:
    """Apply the plan to every row, keeping nothing but counters (as writing to a file would)."""
    kept = dropped = 0
    for row in data.rows(QUASI):
        if plan.apply(row) is None:
            dropped += 1
        else:
            kept += 1
    return kept, dropped


def hierarchies_for(data: Responses, k: int) -> dict[str, Hierarchy]:
    procedure_counts = dict(zip(data.labels["procedure"], np.bincount(data.codes["procedure"]).tolist(), strict=True))
    return {
        "office": office_region_hierarchy(data.offices),
        "procedure": category_hierarchy(procedure_counts, (k, 10 * k, 100 * k, 1000 * k)),
        "month": month_hierarchy(),
        "age_band": ordered_hierarchy(AGE_BANDS),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    start = time.perf_counter()
    data = synthesise(args.rows, args.seed)
    print(
        f"synthesised {len(data):,} rows, {len(data.offices)} offices in 34 provinces "
        f"in {time.perf_counter() - start:.1f} s"
    )

    _, read_s, _ = measured(lambda: sum(1 for _ in data.rows(QUASI)))
    print(f"reading the rows alone (the stand-in cursor): {read_s:.2f} s")

    for k, l_div in ((5, None), (10, None), (5, 2)):
        columns = (*QUASI, "rating") if l_div else QUASI
        counts, group_s, _ = measured(partial(group_by, data, columns))
        hierarchies = hierarchies_for(data, k)
        plan, plan_s, plan_mib = measured(
            partial(choose_generalisation, counts, hierarchies, k, max_suppression=0.05, l_diversity=l_div)
        )
        (kept, dropped), stream_s, stream_mib = measured(partial(stream, plan, data))
        label = f"k={k}" + (f", l={l_div} on rating" if l_div else "")
        print(f"\n== {label}: {len(counts):,} distinct combinations (GROUP BY stand-in {group_s:.2f} s)")
        print(
            f"choose_generalisation: {plan_s:.2f} s, peak {plan_mib:.0f} MiB, "
            f"{plan.nodes_evaluated} of {plan.lattice_size} lattice nodes evaluated"
        )
        apply_s = max(stream_s - read_s, 1e-9)
        print(
            f"streaming apply: {stream_s:.2f} s incl. reading, {apply_s:.2f} s for apply alone "
            f"({len(data) / apply_s / 1e6:.1f} M rows/s); peak {stream_mib:.1f} MiB"
        )
        print("  " + "\n  ".join(plan.summary()))
        assert kept + dropped == len(data) and dropped == plan.rows_suppressed
    print(
        "\nSummary: planning works on counts, so its cost follows the number of distinct combinations, "
        "not rows; applying is a dictionary lookup per column with memory bounded by the distinct values "
        "and the suppressed groups."
    )


if __name__ == "__main__":
    main()
