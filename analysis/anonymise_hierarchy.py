"""Generalisation hierarchies for quasi-identifiers: each value's ancestors, level by level.

Level 0 is the value as collected; every hierarchy ends in `*` or `khác` (nothing left), so the most general
level always puts all rows in one equivalence class. Builders cover the columns a research export carries:
hierarchy files (office → commune → province → region), dates, months, numbers, ordered bands and plain
categories.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis.regions import PROVINCE_REGION, normalise_province_code, office_region_rows

TOP = "*"
OTHER = "khác"
"""Label for rare categories merged together ("other" in Vietnamese)."""

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_INTEGER = re.compile(r"^-?(0|[1-9]\d*)$")
_BAND = re.compile(r"^(\d+)\s*(?:-\s*(\d+)|\+)$")


class HierarchyError(ValueError):
    """A hierarchy cannot be built, or a value has no place in it."""


def clean(value: str) -> str:
    """The form values are compared in: NFC (keeps diacritics, unifies composed/decomposed input), trimmed."""
    return unicodedata.normalize("NFC", value).strip()


@dataclass(frozen=True)
class Hierarchy:
    """Levels of generalisation for one column; `path(value)` gives the value's label at every level.

    `level_names[0]` describes the original values and `level_names[-1]` is `*` (or `khác` where the top
    reads better as "other"). `path` raises `HierarchyError` for a value that has no place in the hierarchy.
    """

    kind: str
    level_names: tuple[str, ...]
    path: Callable[[str], tuple[str, ...]]

    def __post_init__(self) -> None:
        if len(self.level_names) < 2 or self.level_names[-1] not in (TOP, OTHER):
            raise HierarchyError("a hierarchy needs at least the original level and a top (`*` or `khác`)")

    @property
    def height(self) -> int:
        """Number of levels, original and `*` included."""
        return len(self.level_names)

    def generalise(self, value: str, level: int) -> str:
        """The label of `value` at `level` (0 = unchanged)."""
        return self.path(value)[level]


def _with_top(labels: tuple[str, ...]) -> tuple[str, ...]:
    return (*labels, TOP)


# --- explicit hierarchies (files, offices → provinces → regions) -------------------------------------


def _check_tree_row(
    number: int, row: tuple[str, ...], table: Mapping[str, tuple[str, ...]], parents: list[dict[str, str]]
) -> None:
    """One hierarchy row must fit the tree built so far (same width, no blanks, one parent per label)."""
    width = len(parents) + 1
    if len(row) != width:
        raise HierarchyError(f"row {number}: {len(row)} columns where the first row has {width}")
    if "" in row:
        raise HierarchyError(f"row {number}: empty label at level {row.index('')}")
    if row[0] in table and table[row[0]] != row:
        raise HierarchyError(f"row {number}: {row[0]!r} is listed twice with different ancestors")
    for level in range(width - 1):
        known = parents[level].setdefault(row[level], row[level + 1])
        if known != row[level + 1]:
            raise HierarchyError(
                f"row {number}: {row[level]!r} has two parents, {known!r} and {row[level + 1]!r} "
                "(a hierarchy is a tree; use codes where names repeat)"
            )


def hierarchy_from_rows(rows: Iterable[Sequence[str]], level_names: Sequence[str] = ()) -> Hierarchy:
    """A hierarchy from rows `(value, parent, grandparent, …)`, as in a hierarchy CSV file.

    Checks that it is a tree: every row has the same number of levels, no empty labels, a value listed
    twice has the same ancestors, and a label at one level has a single parent at the next.
    A `*` level is added at the top unless the last column already is all `*`.
    """
    table: dict[str, tuple[str, ...]] = {}
    parents: list[dict[str, str]] = []
    width = 0
    for number, raw in enumerate(rows, start=1):
        row = tuple(clean(cell) for cell in raw)
        if not row or all(cell == "" for cell in row):
            continue
        if width == 0:
            width = len(row)
            if width < 2:
                raise HierarchyError(f"row {number}: needs a value and at least one ancestor")
            parents = [{} for _ in range(width - 1)]
        _check_tree_row(number, row, table, parents)
        table[row[0]] = row
    if not table:
        raise HierarchyError("the hierarchy has no rows")
    has_top = all(row[-1] == TOP for row in table.values())
    paths = {value: row if has_top else _with_top(row) for value, row in table.items()}
    height = width if has_top else width + 1
    names = list(level_names)[:height] or ["value"]
    names += [f"level {level}" for level in range(len(names), height - 1)]
    names = [*names[: height - 1], TOP]

    def path(value: str) -> tuple[str, ...]:
        try:
            return paths[clean(value)]
        except KeyError:
            raise HierarchyError(f"value {value!r} is missing from the hierarchy") from None

    return Hierarchy("hierarchy file", tuple(names), path)


def office_region_hierarchy(office_provinces: Iterable[tuple[str, str]]) -> Hierarchy:
    """Office → province → region (DOMAIN.md §4) → `*`, from (office code, province code) pairs."""
    return hierarchy_from_rows(office_region_rows(office_provinces), ("office", "province", "region"))


def procedure_field_hierarchy(procedure_fields: Iterable[tuple[str, str]]) -> Hierarchy:
    """Procedure code → its field (lĩnh vực) → `khác`: a procedure too rare to publish still says its field.

    The top is labelled `khác` ("other procedure") rather than `*`, so the column reads as codes, fields or
    other, and a researcher filtering on a field finds its rare procedures there.
    """
    fields = {clean(code): clean(field) for code, field in procedure_fields}

    def path(value: str) -> tuple[str, ...]:
        text = clean(value)
        if text not in fields:
            raise HierarchyError(f"procedure {value!r} has no field in the catalog")
        return (text, fields[text], OTHER)

    return Hierarchy("procedure", ("procedure", "field", OTHER), path)


def hierarchy_from_csv(path: str | Path, column: str | None = None) -> Hierarchy:
    """Read a hierarchy file: one row per value, `value,parent,grandparent…` (`;` works too, as ARX writes).

    A first line is taken as a header naming the levels when its first cell is the column's name.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise HierarchyError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise HierarchyError(f"{path}: not UTF-8 text (bad byte at position {exc.start})") from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        rows = list(csv.reader(text.splitlines(), delimiter=delimiter))
    except csv.Error as exc:
        raise HierarchyError(f"{path}: malformed CSV ({exc})") from None
    names: list[str] = []
    if rows and column is not None and rows[0] and clean(rows[0][0]).casefold() == clean(column).casefold():
        names = [clean(cell) for cell in rows.pop(0)]
    try:
        return hierarchy_from_rows(rows, names)
    except HierarchyError as exc:
        raise HierarchyError(f"{path}: {exc}") from None


def province_hierarchy() -> Hierarchy:
    """Province code → region code (DOMAIN.md §4) → `*`."""

    def path(value: str) -> tuple[str, ...]:
        try:
            code = normalise_province_code(value)
        except ValueError as exc:
            raise HierarchyError(str(exc)) from None
        return (clean(value), PROVINCE_REGION[code], TOP)

    return Hierarchy("province", ("province", "region", TOP), path)


# --- dates and months ----------------------------------------------------------------------------------


def _quarter(year: str, month: str) -> str:
    return f"{year}-Q{(int(month) - 1) // 3 + 1}"


def date_hierarchy() -> Hierarchy:
    """`YYYY-MM-DD` → `YYYY-MM` → `YYYY-Qn` → `YYYY` → `*` (empty stays empty until `*`)."""

    def path(value: str) -> tuple[str, ...]:
        text = clean(value)
        if text == "":
            return ("", "", "", "", TOP)
        match = _DATE.match(text)
        try:
            if not match:
                raise ValueError
            dt.date.fromisoformat(text)
        except ValueError:
            raise HierarchyError(f"{value!r} is not a date YYYY-MM-DD") from None
        year, month, _ = match.groups()
        return (text, f"{year}-{month}", _quarter(year, month), year, TOP)

    return Hierarchy("date", ("day", "month", "quarter", "year", TOP), path)


def month_hierarchy() -> Hierarchy:
    """`YYYY-MM` → `YYYY-Qn` → `YYYY` → `*` (the DESIGN.md month code)."""

    def path(value: str) -> tuple[str, ...]:
        text = clean(value)
        if text == "":
            return ("", "", "", TOP)
        match = _MONTH.match(text)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise HierarchyError(f"{value!r} is not a month YYYY-MM")
        year, month = match.groups()
        return (text, _quarter(year, month), year, TOP)

    return Hierarchy("month", ("month", "quarter", "year", TOP), path)


# --- numbers and ordered bands -------------------------------------------------------------------------


def _parse_number(value: str) -> float:
    try:
        number = float(clean(value))
    except ValueError:
        raise HierarchyError(f"{value!r} is not a number") from None
    if not math.isfinite(number):
        raise HierarchyError(f"{value!r} is not a finite number")
    return number


def _band_label(number: float, width: float, integers: bool) -> str:
    low = math.floor(number / width) * width
    if integers:
        return f"{int(low)}-{int(low + width - 1)}"
    return f"[{low:g}, {low + width:g})"


def number_hierarchy(widths: Sequence[float], *, integers: bool = True) -> Hierarchy:
    """Numbers → bands of the given widths, aligned on multiples of the width (`30-44` for width 15).

    Each width must be a multiple of the one before so bands nest: `0-14, 15-29` merge into `0-29`.
    Integer bands are labelled inclusively (`30-44`); other numbers half-open (`[2.5, 5)`).
    """
    widths = tuple(widths)
    if not widths or any(w <= 0 for w in widths):
        raise HierarchyError("band widths must be positive")
    for narrow, wide in itertools.pairwise(widths):
        if wide <= narrow or not math.isclose(wide / narrow, round(wide / narrow)):
            raise HierarchyError(f"band width {wide:g} is not a multiple of {narrow:g}: bands would not nest")

    def path(value: str) -> tuple[str, ...]:
        text = clean(value)
        if text == "":
            return ("",) * (len(widths) + 1) + (TOP,)
        number = _parse_number(text)
        return (text, *(_band_label(number, w, integers) for w in widths), TOP)

    names = ("value", *(f"bands of {w:g}" for w in widths), TOP)
    return Hierarchy("number", names, path)


def number_hierarchy_for(values: Iterable[str]) -> Hierarchy:
    """Bands sized to the data: the first width is a round number giving at most ~20 bands, then doubling.

    Levels stop once a single band would hold every value (that says no more than `*`).
    """
    numbers = [_parse_number(v) for v in values if clean(v) != ""]
    integers = all(n.is_integer() for n in numbers)
    low, high = (min(numbers), max(numbers)) if numbers else (0.0, 1.0)
    span = max(high - low, 1.0 if integers else abs(high) or 1.0)
    scale = 10 ** math.floor(math.log10(span / 20)) if span / 20 > 0 else 1
    width = next(m * scale for m in (1, 2, 5, 10) if m * scale >= span / 20)
    if integers:
        width = max(math.ceil(width), 2)
    widths: list[float] = []
    while math.floor(low / width) != math.floor(high / width):
        widths.append(width)
        width *= 2
    if not widths:
        widths.append(width)
    return number_hierarchy(widths, integers=integers)


def _merged_label(first: str, last: str) -> str:
    """`18-24` + `25-34` → `18-34`; `55-64` + `65+` → `55+`; otherwise `first…last`."""
    low, high = _BAND.match(first), _BAND.match(last)
    if low and high:
        return f"{low.group(1)}+" if high.group(2) is None else f"{low.group(1)}-{high.group(2)}"
    return f"{first}…{last}"


def ordered_hierarchy(ordered: Sequence[str], group_sizes: Sequence[int] = ()) -> Hierarchy:
    """Ordered categories (age bands) → wider bands by merging neighbours: `18-24, 25-34` → `18-34`.

    `group_sizes` says how many groups of the level below each new group takes (default 2 each time,
    until one group is left, which is `*`).
    """
    if any(size < 2 for size in group_sizes):
        raise HierarchyError("each wider band must merge at least two narrower ones")
    groups = [[clean(v)] for v in ordered]
    if len({g[0] for g in groups}) != len(groups):
        raise HierarchyError("ordered categories must be distinct")
    levels: list[list[list[str]]] = [groups]
    sizes = iter(group_sizes)
    while len(levels[-1]) > 2:
        size = next(sizes, 2) if group_sizes else 2
        below = levels[-1]
        levels.append([list(itertools.chain.from_iterable(below[i : i + size])) for i in range(0, len(below), size)])
    paths: dict[str, list[str]] = {g[0]: [] for g in groups}
    for level in levels:
        for group in level:
            label = group[0] if len(group) == 1 else _merged_label(group[0], group[-1])
            for value in group:
                paths[value].append(label)
    table = {value: _with_top(tuple(labels)) for value, labels in paths.items()}
    table.setdefault("", ("",) * len(levels) + (TOP,))

    def path(value: str) -> tuple[str, ...]:
        try:
            return table[clean(value)]
        except KeyError:
            raise HierarchyError(f"{value!r} is not one of the bands {', '.join(ordered)}") from None

    names = ("band", *(f"{len(level)} wider bands" for level in levels[1:]), TOP)
    return Hierarchy("ordered", names, path)


def band_order(values: Iterable[str]) -> list[str] | None:
    """Values like `18-24`, `25-34`, `65+` in order of their lower bound, or None if they are not bands."""
    bands = {clean(v) for v in values if clean(v) != ""}
    matches = {v: _BAND.match(v) for v in bands}
    if not bands or not all(matches.values()):
        return None
    return sorted(bands, key=lambda v: int(matches[v].group(1)))  # type: ignore[union-attr]


# --- plain categories ----------------------------------------------------------------------------------


def category_hierarchy(value_counts: Mapping[str, int], thresholds: Sequence[int]) -> Hierarchy:
    """Categories: keep, then `khác` for values seen fewer than each threshold times, then `*`.

    A level that merges nothing new, or leaves a single label, is left out: it says no more than its
    neighbour. Values not seen in `value_counts` are rare by definition and become `khác`.
    """
    counts = {clean(v): int(c) for v, c in value_counts.items()}
    kept_levels: list[int] = []
    previous_rare: set[str] = set()
    for threshold in sorted(set(thresholds)):
        rare = {v for v, c in counts.items() if c < threshold}
        labels = {OTHER if v in rare else v for v in counts}
        if rare != previous_rare and len(labels) > 1:
            kept_levels.append(threshold)
            previous_rare = rare

    def path(value: str) -> tuple[str, ...]:
        text = clean(value)
        count = counts.get(text, 0)
        return (text, *(OTHER if count < t else text for t in kept_levels), TOP)

    names = ("value", *(f"{OTHER} if < {t} rows" for t in kept_levels), TOP)
    return Hierarchy("category", names, path)


def is_integer_column(values: Iterable[str]) -> bool:
    """Integers without leading zeros (ages, counts); `01` and `79.01` are codes, not numbers."""
    present = [clean(v) for v in values if clean(v) != ""]
    return bool(present) and all(_INTEGER.match(v) for v in present)


def is_pattern_column(values: Iterable[str], kind: str) -> bool:
    """Every non-empty value is a date (`date`) or a month (`month`)."""
    pattern = _DATE if kind == "date" else _MONTH
    present = [clean(v) for v in values if clean(v) != ""]
    return bool(present) and all(pattern.match(v) for v in present)
