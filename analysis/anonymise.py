"""Disclosure control for research exports: k-anonymity (and optionally distinct l-diversity) over
declared quasi-identifiers, by generalisation and, only as a last resort, suppression of rows.

A research export that cannot be linked back to a person is de-identified and falls outside the
personal-data law (Luật 91/2025/QH15, DOMAIN.md §5). Quasi-identifiers are the columns an outsider could know
about a citizen (office, procedure, month, age band); k-anonymity means every combination of their published
values is shared by at least k rows (Sweeney 2002, "k-anonymity: a model for protecting privacy").

Two phases, so a web service can export millions of rows in bounded memory:

1. `choose_generalisation(counts, hierarchies, k)` works on counts of QI combinations (SQL GROUP BY) and
   returns a `Plan`: one generalisation level per QI, the least information loss among those that suppress
   at most `max_suppression` of the rows (see `analysis.anonymise_search`).
2. `Plan.apply(values)` generalises one row's QI values, or returns None when the row must be dropped:
   a dictionary lookup per QI, so rows can be streamed.

`anonymise_rows` does both on rows held in memory, detecting a hierarchy per column when none is given.
The counts must come from the same snapshot as the rows streamed through `apply`: a row whose value was not
counted is dropped, never published ungeneralised.

That is full-domain generalisation: one level per column for every row. `recode_locally` and `recode_rows`
(`analysis.anonymise_local`) recode locally instead, group by group, and keep far more detail on skewed
data; they take the same counts and hierarchies and return a `Recoding` whose `apply` streams the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from analysis.anonymise_hierarchy import (
    OTHER,
    TOP,
    Hierarchy,
    HierarchyError,
    band_order,
    category_hierarchy,
    clean,
    date_hierarchy,
    hierarchy_from_csv,
    hierarchy_from_rows,
    is_integer_column,
    is_pattern_column,
    month_hierarchy,
    number_hierarchy,
    number_hierarchy_for,
    office_region_hierarchy,
    ordered_hierarchy,
    procedure_field_hierarchy,
    province_hierarchy,
)
from analysis.anonymise_local import RESEARCH_WEIGHTS, Recoding, recode_locally, split_sensitive
from analysis.anonymise_search import encode, search
from analysis.regions import PROVINCES

__all__ = [
    "KINDS",
    "OTHER",
    "RESEARCH_WEIGHTS",
    "TOP",
    "Hierarchy",
    "HierarchyError",
    "Plan",
    "Recoding",
    "anonymise_rows",
    "category_hierarchy",
    "choose_generalisation",
    "date_hierarchy",
    "detect_hierarchy",
    "hierarchy_for_kind",
    "hierarchy_from_csv",
    "hierarchy_from_rows",
    "month_hierarchy",
    "number_hierarchy",
    "number_hierarchy_for",
    "office_region_hierarchy",
    "ordered_hierarchy",
    "procedure_field_hierarchy",
    "province_hierarchy",
    "recode_locally",
    "recode_rows",
    "split_sensitive",
]

KINDS = ("date", "month", "number", "bands", "province", "category")
"""Column kinds a hierarchy can be built for from the data alone."""


@dataclass(frozen=True)
class Plan:
    """The chosen generalisation: what each QI becomes, which generalised combinations are dropped."""

    quasi: tuple[str, ...]
    levels: tuple[int, ...]
    level_names: tuple[str, ...]
    heights: tuple[int, ...]
    k: int
    l_diversity: int | None
    rows_total: int
    rows_suppressed: int
    classes: int
    information_loss: float
    within_suppression_limit: bool
    nodes_evaluated: int
    lattice_size: int
    value_maps: tuple[Mapping[str, str], ...] = field(repr=False)
    suppressed_classes: frozenset[tuple[str, ...]] = field(repr=False)

    def apply(self, values: Sequence[str]) -> tuple[str, ...] | None:
        """Generalised QI values for one row (in `quasi` order), or None if the row is dropped."""
        out = []
        for value_map, value in zip(self.value_maps, values, strict=True):
            label = value_map.get(value)
            if label is None:
                label = value_map.get(clean(value))
                if label is None:
                    return None  # not in the counts: publishing it could break k-anonymity
            out.append(label)
        generalised = tuple(out)
        return None if generalised in self.suppressed_classes else generalised

    @property
    def generalised(self) -> dict[str, str]:
        """QI name → name of the level chosen for it (`*` = the column tells nothing)."""
        return dict(zip(self.quasi, self.level_names, strict=True))

    @property
    def suppressed_share(self) -> float:
        return self.rows_suppressed / self.rows_total if self.rows_total else 0.0

    def summary(self) -> list[str]:
        """Human-readable lines: per column its level, then the rows dropped."""
        lines = []
        for name, level, level_name, height in zip(
            self.quasi, self.levels, self.level_names, self.heights, strict=True
        ):
            what = "unchanged" if level == 0 else f"generalised to {level_name}"
            lines.append(f"{name}: {what} (level {level} of {height - 1})")
        diversity = f", {self.l_diversity}-diverse" if self.l_diversity else ""
        lines.append(
            f"{self.k}-anonymous{diversity}: {self.classes} groups; dropped {self.rows_suppressed} of "
            f"{self.rows_total} rows ({100 * self.suppressed_share:.1f} %); information loss "
            f"{self.information_loss:.3f} (0 = none, 1 = all); {self.nodes_evaluated} of "
            f"{self.lattice_size} generalisations evaluated"
        )
        return lines


def choose_generalisation(
    counts: Mapping[tuple[str, ...], int] | Iterable[tuple[tuple[str, ...], int]],
    hierarchies: Mapping[str, Hierarchy],
    k: int,
    *,
    max_suppression: float = 0.05,
    l_diversity: int | None = None,
    suppression_weight: float = 1.0,
) -> Plan:
    """Pick one level per QI with the least information loss, dropping at most `max_suppression` of rows.

    `counts` maps a combination of QI values (in the order of `hierarchies`) to its number of rows; with
    `l_diversity` each combination carries the sensitive value last. Information loss is the normalised
    certainty penalty averaged over rows and QIs (see `anonymise_search.encode`); a dropped row costs
    `suppression_weight` (≥ 1) times a fully generalised one, so rows are dropped only where that loses
    less than generalising every row further.
    """
    if not hierarchies:
        raise ValueError("name at least one quasi-identifier")
    if k < 2:
        raise ValueError(f"k must be at least 2, not {k}")
    if l_diversity is not None and l_diversity < 2:
        raise ValueError(f"l must be at least 2, not {l_diversity}")
    if not 0 <= max_suppression < 1:
        raise ValueError(f"max_suppression is a share of rows in [0, 1), not {max_suppression}")
    if suppression_weight < 1:
        raise ValueError("suppression_weight must be at least 1: a dropped row loses all of its values")
    quasi = tuple(hierarchies)
    encoded = encode(counts, list(hierarchies.values()), with_sensitive=l_diversity is not None, names=quasi)
    allowed = int(np.floor(max_suppression * encoded.total + 1e-9))
    result = search(encoded, k, allowed, l_diversity, suppression_weight)
    best = result.best
    value_maps = tuple(
        {
            value: encoded.labels[q][level][encoded.label_codes[q][level][code]]
            for code, value in enumerate(encoded.values[q])
        }
        for q, level in enumerate(best.levels)
    )
    small_combinations = np.flatnonzero(best.small[best.class_of])
    suppressed = frozenset(
        tuple(value_maps[q][encoded.values[q][encoded.codes[i, q]]] for q in range(len(quasi)))
        for i in small_combinations
    )
    return Plan(
        quasi=quasi,
        levels=best.levels,
        level_names=tuple(h.level_names[level] for h, level in zip(hierarchies.values(), best.levels, strict=True)),
        heights=tuple(h.height for h in hierarchies.values()),
        k=k,
        l_diversity=l_diversity,
        rows_total=encoded.total,
        rows_suppressed=best.suppressed_rows,
        classes=int((~best.small).sum()) if encoded.total else 0,
        information_loss=best.loss,
        within_suppression_limit=result.within_limit,
        nodes_evaluated=result.nodes_evaluated,
        lattice_size=result.lattice_size,
        value_maps=value_maps,
        suppressed_classes=suppressed,
    )


def category_thresholds(k: int) -> tuple[int, ...]:
    """Rare-value thresholds for plain categories: under k, then roughly ×3 steps up to 100 k."""
    return (k, 3 * k, 10 * k, 30 * k, 100 * k)


def hierarchy_for_kind(kind: str, value_counts: Mapping[str, int], k: int) -> Hierarchy:
    """Build the hierarchy of a column of the given kind from its values and their row counts."""
    if kind == "date":
        return date_hierarchy()
    if kind == "month":
        return month_hierarchy()
    if kind == "number":
        return number_hierarchy_for(value_counts)
    if kind == "province":
        return province_hierarchy()
    if kind == "bands":
        order = band_order(value_counts)
        if order is None:
            raise HierarchyError("values are not bands like 18-24 or 65+")
        return ordered_hierarchy(order)
    if kind == "category":
        return category_hierarchy(value_counts, category_thresholds(k))
    raise HierarchyError(f"unknown column kind {kind!r}; expected one of {', '.join(KINDS)}")


def detect_kind(values: Iterable[str]) -> str:
    """Dates, months, integers, age bands, province codes, else plain categories.

    Dotted or zero-padded codes (`1.001193`, `79.01`) are categories: only integers without leading zeros
    count as numbers; decimals need an explicit kind. Two-digit province codes are recognised when one has
    a leading zero (`01`, `04`); otherwise name the kind.
    """
    present = [clean(v) for v in values if clean(v) != ""]
    if is_pattern_column(present, "date"):
        return "date"
    if is_pattern_column(present, "month"):
        return "month"
    if present and all(len(v) == 2 and v in PROVINCES for v in present) and any(v[0] == "0" for v in present):
        return "province"
    if is_integer_column(present):
        return "number"
    if band_order(present) is not None:
        return "bands"
    return "category"


def detect_hierarchy(value_counts: Mapping[str, int], k: int) -> Hierarchy:
    """A hierarchy for a column from its distinct values and their counts (see `detect_kind`)."""
    return hierarchy_for_kind(detect_kind(value_counts), value_counts, k)


def _prepared(
    rows: Iterable[Mapping[str, str]],
    quasi: Sequence[str],
    k: int,
    hierarchies: Mapping[str, Hierarchy] | None,
    kinds: Mapping[str, str] | None,
) -> tuple[list[dict[str, str]], dict[str, Hierarchy]]:
    """Rows with their QI values cleaned, and a hierarchy per QI (given, of the given kind, or detected)."""
    if len(set(quasi)) != len(quasi):
        raise ValueError("a quasi-identifier is named twice")
    table = [dict(row) for row in rows]
    for row in table:
        for name in quasi:
            row[name] = clean(row[name])
    chosen = dict(hierarchies or {})
    for name in quasi:
        if name not in chosen:
            value_counts = Counter(row[name] for row in table)
            kind = (kinds or {}).get(name) or detect_kind(value_counts)
            chosen[name] = hierarchy_for_kind(kind, value_counts, k)
    return table, {name: chosen[name] for name in quasi}


def anonymise_rows(
    rows: Iterable[Mapping[str, str]],
    quasi: Sequence[str],
    k: int,
    hierarchies: Mapping[str, Hierarchy] | None = None,
    *,
    kinds: Mapping[str, str] | None = None,
    max_suppression: float = 0.05,
    sensitive: str | None = None,
    l_diversity: int | None = None,
    suppression_weight: float = 1.0,
) -> tuple[list[dict[str, str]], Plan]:
    """Anonymise rows held in memory: QI values generalised, dropped rows left out, other columns kept.

    Columns without a hierarchy get one from `kinds` (column → kind) or from `detect_kind`.
    """
    if (sensitive is None) != (l_diversity is None):
        raise ValueError("l-diversity needs both a sensitive column and l")
    table, ordered = _prepared(rows, quasi, k, hierarchies, kinds)
    extra = (sensitive,) if sensitive is not None else ()
    counts = Counter(tuple(row[name] for name in (*quasi, *extra)) for row in table)
    plan = choose_generalisation(
        counts,
        ordered,
        k,
        max_suppression=max_suppression,
        l_diversity=l_diversity,
        suppression_weight=suppression_weight,
    )
    kept = []
    for row in table:
        generalised = plan.apply([row[name] for name in quasi])
        if generalised is not None:
            kept.append({**row, **dict(zip(quasi, generalised, strict=True))})
    return kept, plan


def recode_rows(
    rows: Iterable[Mapping[str, str]],
    quasi: Sequence[str],
    k: int,
    hierarchies: Mapping[str, Hierarchy] | None = None,
    *,
    kinds: Mapping[str, str] | None = None,
    sensitive: str | None = None,
    l_diversity: int | None = None,
    weights: Mapping[str, float] | None = None,
    max_levels: Mapping[str, int | str] | None = None,
    max_suppression: float = 0.05,
) -> tuple[list[dict[str, str]], Recoding]:
    """`anonymise_rows` by local recoding (`recode_locally`): each group of rows gets its own level.

    Rows held in memory are counted per combination, recoded, and published in their original order with
    the other columns untouched; dropped rows are left out.
    """
    if (sensitive is None) != (l_diversity is None):
        raise ValueError("l-diversity needs both a sensitive column and l")
    table, ordered = _prepared(rows, quasi, k, hierarchies, kinds)
    counts = Counter(tuple(row[name] for name in quasi) for row in table)
    tallies: dict[tuple[str, ...], Counter[str]] = {}
    if sensitive is not None:
        for row in table:
            tallies.setdefault(tuple(row[name] for name in quasi), Counter())[row[sensitive]] += 1
    recoding = recode_locally(
        counts,
        ordered,
        k,
        sensitive=tallies if sensitive is not None else None,
        l_diversity=l_diversity,
        weights=weights,
        max_levels=max_levels,
        max_suppression=max_suppression,
    )
    kept = []
    for row in table:
        published = recoding.apply([row[name] for name in quasi])
        if published is not None:
            kept.append({**row, **dict(zip(quasi, published, strict=True))})
    return kept, recoding
