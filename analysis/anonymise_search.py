"""Lattice search for the least-loss full-domain generalisation, working on counts of combinations.

The input is what a database gives cheaply with GROUP BY: each distinct combination of quasi-identifier
values (plus the sensitive value when l-diversity is asked for) with its row count. Values are encoded as
integers once; a lattice node (one level per quasi-identifier) is then evaluated with numpy in
O(c log c) for c combinations, independent of the number of rows.

Search: best-first over the whole lattice in order of a lower bound on the loss, stopping once the bound
exceeds the best feasible loss found. The lattice of a research export is small (hundreds of nodes), so this
is exact, like an exhaustive search, but usually evaluates only a handful of nodes. Two monotonicity facts
prune it (LeFevre, DeWitt & Ramakrishnan 2005, "Incognito"; Kohlmayer et al. 2012, "Flash"): generalising
only merges equivalence classes, so the rows that must be suppressed never increase; hence a node that
suppresses too much makes every node below it (less general on every column) infeasible too.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analysis.anonymise_hierarchy import Hierarchy, HierarchyError

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

MAX_LATTICE_NODES = 200_000
_INT64_SAFE = 2**62


@dataclass(frozen=True)
class Encoded:
    """Counts of combinations as integer codes, with every QI's labels and penalties at every level."""

    codes: IntArray  # (combinations, quasi-identifiers): code of the original value
    counts: IntArray  # (combinations,): rows with that combination
    sensitive: IntArray | None  # (combinations,): code of the sensitive value, for l-diversity
    values: tuple[tuple[str, ...], ...]  # per QI: code → original value
    label_codes: tuple[tuple[IntArray, ...], ...]  # per QI, per level: original code → label code
    labels: tuple[tuple[tuple[str, ...], ...], ...]  # per QI, per level: label code → label
    penalties: tuple[tuple[FloatArray, ...], ...]  # per QI, per level: original code → penalty in [0, 1]

    @property
    def total(self) -> int:
        return int(self.counts.sum())


def _pairs(counts: Mapping[tuple[str, ...], int] | Iterable[tuple[tuple[str, ...], int]]) -> Iterable:
    return counts.items() if isinstance(counts, Mapping) else counts


def encode(
    counts: Mapping[tuple[str, ...], int] | Iterable[tuple[tuple[str, ...], int]],
    hierarchies: Sequence[Hierarchy],
    with_sensitive: bool,
    names: Sequence[str] = (),
) -> Encoded:
    """Factorise the combinations and precompute, per QI and level, label codes and penalties.

    The penalty of a label is the normalised certainty penalty for categories (Xu et al. 2006,
    "Utility-based anonymization using local recoding", in the (|u| − 1)/(|A| − 1) form of Ghinita et al.
    2007): the share of the column's distinct values it no longer tells apart, 0 for an untouched value and
    1 for `*`. Distinct values are those present in the counts, so the same measure serves dates, numbers,
    bands and codes.
    """
    width = len(hierarchies) + (1 if with_sensitive else 0)
    lookups: list[dict[str, int]] = [{} for _ in range(width)]
    rows: list[list[int]] = []
    weights: list[int] = []
    for key, count in _pairs(counts):
        if len(key) != width:
            raise ValueError(f"combination {key!r} has {len(key)} values; expected {width}")
        number = int(count)
        if number < 0 or number != count:
            raise ValueError(f"count for {key!r} must be a non-negative integer, not {count!r}")
        if number == 0:
            continue
        rows.append([lookup.setdefault(value, len(lookup)) for lookup, value in zip(lookups, key, strict=True)])
        weights.append(number)
    matrix = np.array(rows, dtype=np.int64).reshape(len(rows), width)
    values = tuple(tuple(lookup) for lookup in lookups)
    label_codes, labels, penalties = [], [], []
    for q, hierarchy in enumerate(hierarchies):
        try:
            paths = [hierarchy.path(value) for value in values[q]]
        except HierarchyError as exc:
            raise HierarchyError(f"column {names[q] if q < len(names) else q}: {exc}") from None
        per_level_codes, per_level_labels, per_level_penalties = [], [], []
        for level in range(hierarchy.height):
            label_lookup: dict[str, int] = {}
            codes = np.array([label_lookup.setdefault(p[level], len(label_lookup)) for p in paths], np.int64)
            sizes = np.bincount(codes, minlength=len(label_lookup)) if len(codes) else np.zeros(0, np.int64)
            spread = max(len(values[q]) - 1, 1)
            penalty = (sizes[codes] - 1) / spread if len(codes) else np.zeros(0)
            if level == hierarchy.height - 1:
                penalty = np.ones(len(codes))
            per_level_codes.append(codes)
            per_level_labels.append(tuple(label_lookup))
            per_level_penalties.append(penalty.astype(np.float64))
        label_codes.append(tuple(per_level_codes))
        labels.append(tuple(per_level_labels))
        penalties.append(tuple(per_level_penalties))
    q_count = len(hierarchies)
    return Encoded(
        codes=matrix[:, :q_count],
        counts=np.array(weights, dtype=np.int64),
        sensitive=matrix[:, q_count] if with_sensitive else None,
        values=values[:q_count],
        label_codes=tuple(label_codes),
        labels=tuple(labels),
        penalties=tuple(penalties),
    )


def _group(columns: Sequence[IntArray], sizes: Sequence[int]) -> tuple[IntArray, int]:
    """Equivalence-class id per combination (mixed-radix key, re-compressed before int64 overflows)."""
    n = len(columns[0]) if columns else 0
    key = np.zeros(n, dtype=np.int64)
    radix = 1
    for column, size in zip(columns, sizes, strict=True):
        if radix * max(size, 1) >= _INT64_SAFE:
            uniques, key = np.unique(key, return_inverse=True)
            radix = len(uniques)
        key = key * max(size, 1) + column
        radix *= max(size, 1)
    uniques, inverse = np.unique(key, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64), len(uniques)


@dataclass(frozen=True)
class NodeResult:
    """One lattice node evaluated: which classes are too small, rows suppressed, and the loss."""

    levels: tuple[int, ...]
    class_of: IntArray  # per combination: equivalence class id
    small: npt.NDArray[np.bool_]  # per class: suppressed (fewer than k rows or fewer than l sensitive values)
    class_sizes: IntArray
    suppressed_rows: int
    loss: float


def evaluate(
    encoded: Encoded, levels: tuple[int, ...], k: int, l_diversity: int | None, suppression_weight: float
) -> NodeResult:
    """Generalise every combination to `levels`, find classes under k (or under l), and score the node.

    A class is too small under k-anonymity (Sweeney 2002) or, with `l_diversity`, when it holds fewer than
    l distinct sensitive values (distinct l-diversity, Machanavajjhala et al. 2007, "l-diversity: privacy
    beyond k-anonymity"). Loss = mean over rows and QIs of the certainty penalty; a suppressed row counts
    `suppression_weight` per QI (1 = as if fully generalised to `*`, the usual treatment in ARX).
    """
    q_count = len(levels)
    columns = [encoded.label_codes[q][level][encoded.codes[:, q]] for q, level in enumerate(levels)]
    sizes = [len(encoded.labels[q][level]) for q, level in enumerate(levels)]
    class_of, n_classes = _group(columns, sizes)
    class_sizes = np.bincount(class_of, weights=encoded.counts, minlength=n_classes).astype(np.int64)
    small = class_sizes < k
    if l_diversity is not None and encoded.sensitive is not None:
        n_sensitive = int(encoded.sensitive.max()) + 1 if len(encoded.sensitive) else 1
        pairs = np.unique(class_of * n_sensitive + encoded.sensitive)
        distinct = np.bincount(pairs // n_sensitive, minlength=n_classes)
        small |= distinct < l_diversity
    suppressed = small[class_of]
    row_penalty = np.zeros(len(encoded.counts))
    for q, level in enumerate(levels):
        row_penalty += encoded.penalties[q][level][encoded.codes[:, q]]
    row_penalty = np.where(suppressed, suppression_weight * q_count, row_penalty)
    total = max(encoded.total, 1)
    loss = float(np.dot(row_penalty, encoded.counts) / (total * max(q_count, 1)))
    return NodeResult(
        levels=levels,
        class_of=class_of,
        small=small,
        class_sizes=class_sizes,
        suppressed_rows=int(encoded.counts[suppressed].sum()),
        loss=loss,
    )


@dataclass(frozen=True)
class SearchResult:
    best: NodeResult
    within_limit: bool
    nodes_evaluated: int
    lattice_size: int


def search(
    encoded: Encoded,
    k: int,
    max_suppressed_rows: int,
    l_diversity: int | None = None,
    suppression_weight: float = 1.0,
) -> SearchResult:
    """The node with the least loss among those suppressing at most `max_suppressed_rows` rows.

    Lower bound of a node's loss: its loss if nothing were suppressed, computed from each QI's marginal
    counts alone (a suppressed row costs at least as much as its generalised form when the weight is ≥ 1).
    Ties go to the node with fewer levels of generalisation in total. When no node keeps within the limit
    (fewer than k rows in all, or too little diversity), the most general node is returned, flagged.
    """
    heights = [len(levels) for levels in encoded.label_codes]
    lattice_size = int(np.prod(heights)) if heights else 1
    if lattice_size > MAX_LATTICE_NODES:
        raise ValueError(f"{lattice_size} generalisation combinations: use hierarchies with fewer levels")
    total = max(encoded.total, 1)
    q_count = max(len(heights), 1)
    marginal_loss = [
        [
            float(np.dot(np.bincount(encoded.codes[:, q], weights=encoded.counts, minlength=len(p)), p))
            / (total * q_count)
            for p in encoded.penalties[q]
        ]
        for q in range(len(heights))
    ]
    nodes = list(itertools.product(*(range(h) for h in heights)))
    bound = {node: sum(marginal_loss[q][level] for q, level in enumerate(node)) for node in nodes}
    nodes.sort(key=lambda node: (bound[node], sum(node), node))
    best: NodeResult | None = None
    infeasible: list[tuple[int, ...]] = []
    evaluated = 0
    for node in nodes:
        if best is not None and bound[node] >= best.loss - 1e-12:
            break
        if any(all(a <= b for a, b in zip(node, bad, strict=True)) for bad in infeasible):
            continue
        result = evaluate(encoded, node, k, l_diversity, suppression_weight)
        evaluated += 1
        if result.suppressed_rows > max_suppressed_rows:
            infeasible = [bad for bad in infeasible if not all(a <= b for a, b in zip(bad, node, strict=True))]
            infeasible.append(node)
            continue
        if best is None or result.loss < best.loss - 1e-12:
            best = result
    if best is None:
        top = tuple(h - 1 for h in heights)
        return SearchResult(
            evaluate(encoded, top, k, l_diversity, suppression_weight), False, evaluated + 1, lattice_size
        )
    return SearchResult(best, True, evaluated, lattice_size)
