"""Utility-aware disclosure control for research exports: k-anonymity by local recoding.

Full-domain generalisation (`analysis.anonymise.choose_generalisation`) gives a column one level for every
row, so one rare procedure turns the whole procedure column into `khác`. Here each group of rows gets its
own level (`analysis.anonymise_partition`): a rare combination is generalised, or as a last resort
dropped, without touching the rest. A column then mixes levels (`1.001193` beside `Hộ tịch`, `79.03` beside
`79`, `2025-03` beside `2025-Q1`); every value published is a node of the column's hierarchy.

Made for a streaming export that cannot hold its rows:

1. `recode_locally(counts, hierarchies, k)` takes each distinct combination of quasi-identifier values with
   its number of rows (SQL GROUP BY), and for l-diversity the counts of sensitive values per combination;
   it returns a `Recoding`: a map combination → published combination (None = drop) and a report.
2. `Recoding.apply(values)` is a dictionary lookup per row, so the rows stream.

Memory and time follow the number of distinct combinations, not rows. The counts must come from the same
snapshot as the streamed rows: a combination that was not counted is dropped, never published as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np

from analysis.anonymise_hierarchy import Hierarchy, HierarchyError, clean
from analysis.anonymise_partition import Partitioning, Tables, partition, squared_height
from analysis.anonymise_search import Encoded, encode

__all__ = ["RESEARCH_WEIGHTS", "Recoding", "recode_locally", "split_sensitive"]

RESEARCH_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {"procedure": 1.0, "office": 0.8, "channel": 1.0, "month": 0.5, "age_band": 0.05, "sex": 0.05, "language": 0.05}
)
"""Weights for the survey's research export: researchers ask first per procedure (the official target is
per procedure), then where (province before ward), then when (quarter before month); age, sex and language
refine what is left. The channel is never generalised; its weight only lets its groups form."""

Combination = tuple[str, ...]
Counts = Mapping[Combination, int] | Iterable[tuple[Combination, int]]
SensitiveCounts = Mapping[Combination, Mapping[str, int]]


@dataclass(frozen=True)
class Recoding:
    """Combination → published combination (None = dropped), with what it cost.

    `level_rows[column][level name]` counts the rows published at each level of the column's hierarchy.
    `information_loss` is the normalised certainty penalty (Xu et al. 2006; 0 = nothing lost, 1 = all)
    averaged over rows and columns, a dropped row counting 1 on every column. `discernibility` is the
    discernibility metric (Bayardo & Agrawal 2005): Σ group size² over published groups + dropped rows ×
    all rows; `discernibility / rows_total` is the size of the group an average row hides in.
    """

    quasi: tuple[str, ...]
    k: int
    l_diversity: int | None
    rows_total: int
    rows_suppressed: int
    within_suppression_limit: bool
    classes: int
    smallest_class: int
    information_loss: float
    discernibility: int
    level_rows: dict[str, dict[str, int]]
    weights: dict[str, float]
    mapping: Mapping[Combination, Combination | None] = field(repr=False)

    def apply(self, values: Sequence[str]) -> Combination | None:
        """Published values for one row's quasi-identifiers (in `quasi` order), or None to drop the row."""
        key = tuple(values)
        if key in self.mapping:
            return self.mapping[key]
        return self.mapping.get(tuple(clean(v) for v in values))

    @property
    def suppressed_share(self) -> float:
        return self.rows_suppressed / self.rows_total if self.rows_total else 0.0

    def level_shares(self, column: str) -> dict[str, float]:
        """Share of all rows (dropped ones count in the denominator) at each level of the column."""
        total = max(self.rows_total, 1)
        return {level: rows / total for level, rows in self.level_rows[column].items()}

    def share_at_or_below(self, column: str, level: int | str) -> float:
        """Share of all rows whose `column` is published at `level` (index or name) or finer."""
        names = list(self.level_rows[column])
        index = names.index(level) if isinstance(level, str) else level
        return sum(list(self.level_rows[column].values())[: index + 1]) / max(self.rows_total, 1)

    @property
    def generalised(self) -> dict[str, str]:
        """Column → what was published, in words: `unchanged`, one level's name, or the mix of levels."""
        described = {}
        for name in self.quasi:
            used = {level: rows for level, rows in self.level_rows[name].items() if rows}
            if list(used) == list(self.level_rows[name])[:1]:
                described[name] = "unchanged"
            elif len(used) == 1:
                described[name] = next(iter(used))
            else:
                published = max(sum(used.values()), 1)
                described[name] = ", ".join(f"{level} {100 * rows / published:.1f} %" for level, rows in used.items())
        return described

    def summary(self) -> list[str]:
        """Human-readable lines: per column its levels (share of published rows), then groups and drops."""
        lines = [
            f"{name}: {text}" + (" of the rows kept" if "%" in text else "") for name, text in self.generalised.items()
        ]
        diversity = f", {self.l_diversity}-diverse" if self.l_diversity else ""
        lines.append(
            f"{self.k}-anonymous{diversity} by local recoding: {self.classes} groups, smallest "
            f"{self.smallest_class}; dropped {self.rows_suppressed} of {self.rows_total} rows "
            f"({100 * self.suppressed_share:.1f} %); information loss {self.information_loss:.3f} "
            "(normalised certainty penalty, 0 = none, 1 = all)"
        )
        return lines


def split_sensitive(
    pairs: Counts, quasi_count: int
) -> tuple[dict[Combination, int], dict[Combination, dict[str, int]]]:
    """Counts keyed by quasi-identifiers + a sensitive value last (a GROUP BY that includes the rating)
    → rows per combination, and sensitive-value counts per combination."""
    counts: dict[Combination, int] = {}
    sensitive: dict[Combination, dict[str, int]] = {}
    for key, count in pairs.items() if isinstance(pairs, Mapping) else pairs:
        if len(key) != quasi_count + 1:
            raise ValueError(f"combination {key!r} has {len(key)} values; expected {quasi_count + 1}")
        combination, value = tuple(key[:quasi_count]), key[quasi_count]
        counts[combination] = counts.get(combination, 0) + int(count)
        tallies = sensitive.setdefault(combination, {})
        tallies[value] = tallies.get(value, 0) + int(count)
    return counts, sensitive


def _merged(counts: Counts) -> list[tuple[Combination, int]]:
    """Combinations with a positive count, a combination given twice counted once with both counts."""
    merged: dict[Combination, int] = {}
    for key, count in counts.items() if isinstance(counts, Mapping) else counts:
        if isinstance(count, bool) or not isinstance(count, int | np.integer) or count < 0:
            raise ValueError(f"count for {key!r} must be a non-negative integer, not {count!r}")
        merged[tuple(key)] = merged.get(tuple(key), 0) + int(count)
    return [(key, count) for key, count in merged.items() if count > 0]


def _sensitive_pairs(
    pairs: Sequence[tuple[Combination, int]], sensitive: SensitiveCounts
) -> tuple[np.ndarray, np.ndarray]:
    """(combination index, sensitive value code) for every sensitive value present in a combination."""
    codes: dict[str, int] = {}
    combinations, values = [], []
    for index, (key, count) in enumerate(pairs):
        tallies = sensitive.get(key)
        if tallies is None or sum(int(n) for n in tallies.values()) != count:
            raise ValueError(f"sensitive-value counts for {key!r} do not add up to its {count} rows")
        for value, n in tallies.items():
            if int(n) > 0:
                combinations.append(index)
                values.append(codes.setdefault(value, len(codes)))
    return np.array(combinations, np.int64), np.array(values, np.int64)


def _tables(encoded: Encoded, weights: Sequence[float]) -> Tables:
    label_of, penalty = [], []
    for q in range(len(weights)):
        label_of.append(np.stack(encoded.label_codes[q]))
        penalty.append(squared_height([len(labels) for labels in encoded.labels[q]]))
    return Tables(encoded.codes, encoded.counts, tuple(label_of), tuple(penalty), np.array(weights, np.float64))


def _start_levels(hierarchies: Mapping[str, Hierarchy], max_levels: Mapping[str, int | str]) -> np.ndarray:
    """The level each column starts from: its top, or the coarsest level the researcher accepts."""
    stray = set(max_levels) - set(hierarchies)
    if stray:
        raise ValueError(f"max_levels names {', '.join(sorted(stray))}, which are not quasi-identifiers")
    start = []
    for name, hierarchy in hierarchies.items():
        level = max_levels.get(name, hierarchy.height - 1)
        if isinstance(level, str):
            if level not in hierarchy.level_names:
                raise HierarchyError(f"{name} has no level {level!r}; its levels: {', '.join(hierarchy.level_names)}")
            level = hierarchy.level_names.index(level)
        if not 0 <= level < hierarchy.height:
            raise ValueError(f"{name}: level {level} is outside 0–{hierarchy.height - 1}")
        start.append(level)
    return np.array(start, np.int64)


def _relaxed(tables: Tables, parts: Partitioning, k: int, l_diversity: int | None) -> Partitioning:
    """Partition again, from the top, the rows dropped because their cell at the capped levels was under k."""
    dropped = parts.suppressed[parts.group]
    rows = np.flatnonzero(dropped)
    subset = replace(tables, codes=tables.codes[rows], counts=tables.counts[rows])
    if tables.pair_combination is not None:
        renumber = np.full(len(tables.counts), -1, np.int64)
        renumber[rows] = np.arange(len(rows))
        keep = dropped[tables.pair_combination]
        assert tables.pair_value is not None
        subset = replace(
            subset, pair_combination=renumber[tables.pair_combination[keep]], pair_value=tables.pair_value[keep]
        )
    again = partition(subset, k, l_diversity)
    group = parts.group.copy()
    group[rows] = again.group + len(parts.levels)
    suppressed = np.concatenate([np.zeros(len(parts.levels), bool), again.suppressed])
    return Partitioning(group, np.concatenate([parts.levels, again.levels]), suppressed, parts.rounds + again.rounds)


def recode_locally(
    counts: Counts,
    hierarchies: Mapping[str, Hierarchy],
    k: int,
    *,
    sensitive: SensitiveCounts | None = None,
    l_diversity: int | None = None,
    weights: Mapping[str, float] | None = None,
    max_levels: Mapping[str, int | str] | None = None,
    max_suppression: float = 0.05,
) -> Recoding:
    """Recode each combination locally so every published combination is shared by at least k rows.

    `counts` maps a combination of quasi-identifier values, in the order of `hierarchies`, to its rows.
    With `l_diversity`, `sensitive` maps every combination to the counts of its sensitive values, and every
    published group also holds at least l distinct ones (distinct l-diversity, Machanavajjhala et al. 2007).
    `weights` (column → weight ≥ 0, default 1) say which columns matter most to researchers: detail in heavy
    columns is kept first, and a column of weight 0 is never refined. `max_levels` (column → level index or
    name, e.g. `{"month": "quarter"}`) caps how coarse a column may be published: rows whose cell at those
    levels holds fewer than k rows are dropped, unless that would drop more than `max_suppression` of all
    rows, in which case they are grouped again among themselves from the top and published coarser where
    they reach k. Otherwise rows are dropped only when fewer than k rows share a column's top label (all
    rows, or a value of a column whose top keeps values apart).
    """
    quasi = tuple(hierarchies)
    if not quasi:
        raise ValueError("name at least one quasi-identifier")
    if k < 2:
        raise ValueError(f"k must be at least 2, not {k}")
    if l_diversity is not None and l_diversity < 2:
        raise ValueError(f"l must be at least 2, not {l_diversity}")
    if (l_diversity is None) != (sensitive is None):
        raise ValueError("l-diversity needs both l and the sensitive-value counts")
    if not 0 <= max_suppression < 1:
        raise ValueError(f"max_suppression is a share of rows in [0, 1), not {max_suppression}")
    chosen = {name: float((weights or {}).get(name, 1.0)) for name in quasi}
    if set(weights or {}) - set(quasi) or not all(w >= 0 for w in chosen.values()):
        raise ValueError(f"weights must be ≥ 0 and name only quasi-identifiers ({', '.join(quasi)}): {weights}")
    start = _start_levels(hierarchies, max_levels or {})
    pairs = _merged(counts)
    if not pairs:
        return _recoding([], None, None, hierarchies, k, l_diversity, chosen, max_suppression)
    encoded = encode(pairs, list(hierarchies.values()), with_sensitive=False, names=quasi)
    tables = _tables(encoded, [chosen[name] for name in quasi])
    if sensitive is not None:
        pair_combination, pair_value = _sensitive_pairs(pairs, sensitive)
        tables = replace(tables, pair_combination=pair_combination, pair_value=pair_value)
    parts = partition(tables, k, l_diversity, start)
    dropped = int(tables.counts[parts.suppressed[parts.group]].sum())
    if (
        dropped > max_suppression * encoded.total + 1e-9
        and (start < [h.height - 1 for h in hierarchies.values()]).any()
    ):
        parts = _relaxed(tables, parts, k, l_diversity)
    return _recoding(pairs, encoded, (tables, parts), hierarchies, k, l_diversity, chosen, max_suppression)


def _published(
    pairs: Sequence[tuple[Combination, int]], encoded: Encoded, tables: Tables, parts: Partitioning
) -> dict[Combination, Combination | None]:
    """The recoding map: each combination → the labels of its group at the group's levels."""
    by_group: dict[int, Combination | None] = {}
    mapping: dict[Combination, Combination | None] = {}
    for index, (key, _) in enumerate(pairs):
        group = int(parts.group[index])
        if group not in by_group:
            by_group[group] = (
                None
                if parts.suppressed[group]
                else tuple(
                    encoded.labels[q][level][tables.label_of[q][level, encoded.codes[index, q]]]
                    for q, level in enumerate(parts.levels[group].tolist())
                )
            )
        mapping[key] = by_group[group]
    return mapping


def _recoding(
    pairs: Sequence[tuple[Combination, int]],
    encoded: Encoded | None,
    fitted: tuple[Tables, Partitioning] | None,
    hierarchies: Mapping[str, Hierarchy],
    k: int,
    l_diversity: int | None,
    weights: dict[str, float],
    max_suppression: float,
) -> Recoding:
    quasi = tuple(hierarchies)
    level_rows = {name: dict.fromkeys(h.level_names, 0) for name, h in hierarchies.items()}
    mapping: dict[Combination, Combination | None] = {}
    loss = 0.0
    if encoded is not None and fitted is not None:
        tables, parts = fitted
        mapping = _published(pairs, encoded, tables, parts)
        dropped = parts.suppressed[parts.group]
        penalty = np.zeros(len(pairs))
        for q, (name, hierarchy) in enumerate(hierarchies.items()):
            levels = parts.levels[parts.group, q]
            rows = np.bincount(levels[~dropped], weights=tables.counts[~dropped], minlength=hierarchy.height)
            for level, level_name in enumerate(hierarchy.level_names):
                level_rows[name][level_name] += int(rows[level])
            ncp = np.stack(encoded.penalties[q])[levels, tables.codes[:, q]]
            penalty += np.where(dropped, 1.0, ncp)
        loss = float(penalty @ tables.counts) / (len(quasi) * max(encoded.total, 1))
    classes: dict[Combination, int] = {}
    suppressed = 0
    for key, count in pairs:
        published = mapping[key]
        if published is None:
            suppressed += count
        else:
            classes[published] = classes.get(published, 0) + count
    total = sum(count for _, count in pairs)
    return Recoding(
        quasi=quasi,
        k=k,
        l_diversity=l_diversity,
        rows_total=total,
        rows_suppressed=suppressed,
        within_suppression_limit=suppressed <= max_suppression * total + 1e-9,
        classes=len(classes),
        smallest_class=min(classes.values(), default=0),
        information_loss=loss,
        discernibility=sum(n * n for n in classes.values()) + suppressed * total,
        level_rows=level_rows,
        weights=weights,
        mapping=mapping,
    )
