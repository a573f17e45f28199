"""Top-down local recoding of weighted combinations: split groups one hierarchy level at a time.

Everything starts in one group at the top of every hierarchy (`*`). A group is split on one column by
going one level down its hierarchy (field → procedure codes, province → offices, quarter → months): every
child with at least k rows (and l distinct sensitive values) becomes a group of its own; the children that
are too small stay together in the group under the parent's label. When that remainder itself is under k,
it borrows the fewest combinations it needs from the smallest child that can spare them and stay at k, or
failing that takes the smallest child whole, so a split never strands rows. A rare combination therefore
costs detail only to itself and the few rows that shelter it: the rest of the column keeps its detail.

This is Mondrian's multidimensional partitioning (LeFevre, DeWitt & Ramakrishnan 2006, "Mondrian
multidimensional k-anonymity") on generalisation hierarchies, as in top-down specialisation (Fung, Wang &
Yu 2005), with a remainder instead of Mondrian's all-children-must-fit rule. Each round, every group takes
the one split that removes the most weighted penalty (rows × column weight × penalty removed); a split
that keeps the group whole (one child, e.g. a single year) is taken first, being free.

The penalty of a value published h steps up a hierarchy of H steps is (h / H)² (`squared_height`):
each step counts the same whatever the number of values under it, and the steps down from the top are
worth most, so groups get province and quarter before any gets ward and month. The usual normalised
certainty penalty would not do here: a procedure's field holds two or three codes out of twenty-five, so
it rates the code as barely better than its field and spends the rows on age and sex first.

Rows are never looked at: the input is each distinct combination with its count, so memory and time follow
the number of combinations. All groups are processed together, with numpy, in each round.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def squared_height(label_counts: list[int]) -> FloatArray:
    """Penalty of each level of a hierarchy, from the number of distinct labels at each level (values present).

    A level that tells no more apart than the one below it (a single year above its quarters' year, a
    `khác` above `*`) is not a step: steps count only where the partition of the values changes, and a
    level with one label is as good as the top. Penalty = (steps up / steps to the top)², 0 … 1.
    """
    steps = np.cumsum([0] + [here != below for below, here in itertools.pairwise(label_counts)])
    single = [level for level, count in enumerate(label_counts) if count <= 1]
    top = steps[single[0] if single else -1]
    return np.asarray((np.minimum(steps, top) / top) ** 2 if top > 0 else np.zeros(len(steps)), np.float64)


@dataclass(frozen=True)
class Tables:
    """The combinations as integer codes, with every column's labels and penalties at every level."""

    codes: IntArray  # (combinations, columns): value code
    counts: IntArray  # (combinations,): rows
    label_of: tuple[IntArray, ...]  # per column, (levels, values): label code of a value at a level
    penalty: tuple[FloatArray, ...]  # per column, (levels,): `squared_height` of each level
    weights: FloatArray  # (columns,): how much the researcher cares about the column
    pair_combination: IntArray | None = None  # l-diversity: (combination, sensitive value) pairs present
    pair_value: IntArray | None = None


@dataclass(frozen=True)
class Partitioning:
    """Where every combination ended up: its group, each group's level per column, suppressed groups."""

    group: IntArray  # (combinations,)
    levels: IntArray  # (groups, columns)
    suppressed: BoolArray  # (groups,): an initial group under k (or not l-diverse), dropped
    rounds: int


@dataclass(frozen=True)
class _Split:
    """One column's candidate split of every active group."""

    rows: IntArray  # combinations considered
    child_of_row: IntArray  # child index of each considered combination
    owner: IntArray  # group of each child
    separated: BoolArray  # child becomes a group of its own
    moves: BoolArray  # considered combination moves to its child's group (not borrowed by the remainder)
    gain: FloatArray  # (groups,): weighted penalty removed
    splits: BoolArray  # (groups,): at least one child separated
    free: BoolArray  # (groups,): a single child that holds the whole group (in a column that matters)


def _distinct(keys: IntArray, owners: IntArray, size: int) -> IntArray:
    """Number of distinct keys per owner."""
    unique_keys, first = np.unique(keys, return_index=True)
    return np.bincount(owners[first], minlength=size) if len(unique_keys) else np.zeros(size, np.int64)


class _Partitioner:
    def __init__(self, tables: Tables, k: int, l_diversity: int | None) -> None:
        self.t = tables
        self.k = k
        self.l_diversity = l_diversity
        self.n_sensitive = int(tables.pair_value.max()) + 1 if tables.pair_value is not None else 0
        self.label_span = [int(table.max()) + 1 for table in tables.label_of]

    def pair_distinct(self, owner_of_combination: IntArray, size: int) -> IntArray:
        """Distinct sensitive values per owner (−1 = combination not counted)."""
        t = self.t
        assert t.pair_combination is not None and t.pair_value is not None
        owners = owner_of_combination[t.pair_combination]
        keep = owners >= 0
        owners = owners[keep]
        return _distinct(owners * self.n_sensitive + t.pair_value[keep], owners, size)

    def acceptable(self, owner_of_combination: IntArray, sizes: FloatArray) -> BoolArray:
        """Groups with at least k rows and, with l-diversity, l distinct sensitive values."""
        ok = sizes >= self.k
        if self.l_diversity is not None:
            ok &= self.pair_distinct(owner_of_combination, len(sizes)) >= self.l_diversity
        return np.asarray(ok)

    def remainder_bad(
        self,
        owner: IntArray,
        row_child: IntArray,
        row_counts: FloatArray,
        stays: BoolArray,
        rows: IntArray,
        groups: int,
    ) -> tuple[BoolArray, FloatArray]:
        """Groups whose remainder (rows that stay) is non-empty but under k or not l-diverse, and its size."""
        remainder = _sums(owner[row_child[stays]], row_counts[stays], groups)
        bad = (remainder > 0) & (remainder < self.k)
        if self.l_diversity is not None:
            owner_of_combination = np.full(len(self.t.counts), -1, np.int64)
            owner_of_combination[rows[stays]] = owner[row_child[stays]]
            bad |= (remainder > 0) & (self.pair_distinct(owner_of_combination, groups) < self.l_diversity)
        return bad, remainder

    def settle(
        self, owner: IntArray, size: FloatArray, separated: BoolArray, rows: IntArray, row_child: IntArray, groups: int
    ) -> BoolArray:
        """Which considered combinations move to their child's own group, once every remainder is big enough.

        A remainder under k first borrows the fewest combinations it needs from the smallest child that
        can spare them and stay at k; failing that (or under l-diversity) the smallest child joins it whole.
        """
        row_counts = self.t.counts[rows].astype(np.float64)
        borrowed = np.zeros(len(rows), bool)
        order = np.lexsort((size, owner))
        while True:
            stays = ~separated[row_child] | borrowed
            bad, remainder = self.remainder_bad(owner, row_child, row_counts, stays, rows, groups)
            fix = bad & (np.bincount(owner[separated], minlength=groups) > 0)
            if not fix.any():
                return ~stays
            if self.l_diversity is None:
                fix &= ~self.borrow(owner, size, separated, order, row_child, row_counts, borrowed, fix, remainder)
            candidates = order[separated[order] & fix[owner[order]]]
            _, first = np.unique(owner[candidates], return_index=True)
            separated[candidates[first]] = False

    def borrow(
        self,
        owner: IntArray,
        size: FloatArray,
        separated: BoolArray,
        order: IntArray,
        row_child: IntArray,
        row_counts: FloatArray,
        borrowed: BoolArray,
        fix: BoolArray,
        remainder: FloatArray,
    ) -> BoolArray:
        """Move the fewest combinations (smallest first) from one child into each remainder under k, when that
        child stays at k or more; marks them in `borrowed` and returns the groups fixed this way."""
        deficit = self.k - remainder
        spare = size - _sums(row_child[borrowed], row_counts[borrowed], len(size))
        eligible = separated & fix[owner] & (spare >= self.k + deficit[owner])
        candidates = order[eligible[order]]
        _, first = np.unique(owner[candidates], return_index=True)
        lender = np.zeros(len(size), bool)
        lender[candidates[first]] = True
        pool = np.flatnonzero(lender[row_child] & ~borrowed)
        pool = pool[np.lexsort((row_counts[pool], row_child[pool]))]
        child, counts = row_child[pool], row_counts[pool]
        running = np.cumsum(counts)
        starts = np.flatnonzero(np.r_[True, child[1:] != child[:-1]]) if len(pool) else np.zeros(0, np.int64)
        running -= np.repeat(running[starts] - counts[starts], np.diff(np.r_[starts, len(pool)]))
        take = running - counts < deficit[owner[child]]
        left = spare - _sums(child[take], counts[take], len(size))
        take &= left[child] >= self.k
        borrowed[pool[take]] = True
        fixed = np.zeros(len(fix), bool)
        fixed[owner[np.flatnonzero(lender & (left >= self.k))]] = True
        return fixed

    def candidate(self, q: int, group: IntArray, levels: IntArray, active: BoolArray) -> _Split | None:
        t = self.t
        level_of_row = levels[group, q]
        rows = np.flatnonzero(active[group] & (level_of_row > 0))
        if not len(rows):
            return None
        level = level_of_row[rows]
        values = t.codes[rows, q]
        child_label = t.label_of[q][level - 1, values]
        keys = group[rows] * self.label_span[q] + child_label
        unique_keys, child_of_row = np.unique(keys, return_inverse=True)
        child_of_row = child_of_row.reshape(-1)
        size = _sums(child_of_row, t.counts[rows], len(unique_keys))
        owner = unique_keys // self.label_span[q]
        groups = len(levels)
        child_of = np.full(len(t.counts), -1, np.int64)
        child_of[rows] = child_of_row
        separated = self.acceptable(child_of, size)
        moves = self.settle(owner, size, separated, rows, child_of_row, groups)
        moved_size = _sums(child_of_row[moves], t.counts[rows][moves], len(size))
        child_level = levels[owner, q] - 1
        removed = t.penalty[q][child_level + 1] - t.penalty[q][child_level]
        gain = _sums(owner[separated], (t.weights[q] * moved_size * removed)[separated], groups)
        n_separated = np.bincount(owner[separated], minlength=groups)
        whole = (n_separated == 1) & (_sums(owner, moved_size, groups) == _sums(owner, size, groups))
        return _Split(rows, child_of_row, owner, separated, moves, gain, n_separated > 0, whole & (t.weights[q] > 0))

    def run(self, start: IntArray) -> Partitioning:
        t = self.t
        group = np.zeros(len(t.counts), np.int64)
        for q in range(len(start)):
            key = group * self.label_span[q] + t.label_of[q][start[q], t.codes[:, q]]
            group = np.unique(key, return_inverse=True)[1].reshape(-1).astype(np.int64)
        levels = np.tile(start, (int(group.max()) + 1 if len(group) else 0, 1))
        suppressed = ~self.acceptable(group, _sums(group, t.counts, len(levels)))
        active = ~suppressed
        rounds = 0
        while active.any():
            rounds += 1
            splits = [self.candidate(q, group, levels, active) for q in range(len(start))]
            choice = _choose(splits, active, len(levels))
            levels, active = _apply(splits, choice, group, levels)
        suppressed = np.concatenate([suppressed, np.zeros(len(levels) - len(suppressed), bool)])
        return Partitioning(group, levels, suppressed, rounds)


def _sums(index: IntArray, weights: IntArray | FloatArray, size: int) -> FloatArray:
    return np.asarray(np.bincount(index, weights=weights, minlength=size), np.float64)


def _choose(splits: list[_Split | None], active: BoolArray, groups: int) -> IntArray:
    """Per group, the column to split (−1 = none): a free split first, else the largest gain."""
    score = np.full((groups, len(splits)), -np.inf)
    for q, split in enumerate(splits):
        if split is not None:
            score[:, q] = np.where(split.splits & (split.gain > 0), split.gain, -np.inf)
            score[split.free, q] = np.inf
    choice = np.where((score > -np.inf).any(axis=1) & active, score.argmax(axis=1), -1)
    return choice.astype(np.int64)


def _apply(
    splits: list[_Split | None], choice: IntArray, group: IntArray, levels: IntArray
) -> tuple[IntArray, BoolArray]:
    """Give every separated child of a chosen split a new group id (in place in `group`), one level down.

    Returns all groups' levels and which groups changed (new children, and remainders that lost rows).
    """
    new_levels = [levels]
    next_id = len(levels)
    for q, split in enumerate(splits):
        if split is None:
            continue
        taken = split.separated & (choice[split.owner] == q)
        children = np.flatnonzero(taken)
        new_id = np.full(len(taken), -1, np.int64)
        new_id[children] = next_id + np.arange(len(children))
        next_id += len(children)
        moved = taken[split.child_of_row] & split.moves
        group[split.rows[moved]] = new_id[split.child_of_row[moved]]
        child_levels = levels[split.owner[children]].copy()
        child_levels[:, q] -= 1
        new_levels.append(child_levels)
    occupied = np.bincount(group, minlength=next_id) > 0
    changed = np.ones(next_id, bool)
    changed[: len(levels)] = choice >= 0
    return np.concatenate(new_levels), changed & occupied


def partition(tables: Tables, k: int, l_diversity: int | None = None, start: IntArray | None = None) -> Partitioning:
    """Split the combinations into groups of at least k rows (and l sensitive values), each group at its own
    level of every hierarchy, starting from the level `start` of each column (default: its top).

    A starting group (all rows; one value of a column whose top keeps values apart; one cell of the
    starting levels) that is already too small cannot be published and is marked suppressed.
    """
    if start is None:
        start = np.array([table.shape[0] - 1 for table in tables.label_of], np.int64)
    return _Partitioner(tables, k, l_diversity).run(np.asarray(start, np.int64))
