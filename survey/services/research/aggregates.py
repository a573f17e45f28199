"""Aggregate tables for researchers: n, satisfied, share and its Wilson interval by one or two columns.

Counts come from the rollups through the one reporting core (`reporting.query.read_counts` with a
`ReportFilter`), never from scanning responses, so a table costs O(groups) and agrees with every dashboard.
Cells and totals under min-n are suppressed, and enough others that none can be worked out from the published
totals (`suppression`). The file carries a codebook in the style of the microdata's, and is audited.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.periods import quarter_of
from analysis.satisfaction import count_satisfied, wilson_interval
from survey.models import RatingRollup
from survey.services import audit
from survey.services.reporting.query import FilterError, ReportFilter, read_counts
from survey.services.research.aggregates_codebook import table_codebook, table_codebook_markdown
from survey.services.research.columns import FIXED_VALUES
from survey.services.research.plan import ExportError, load_catalog
from survey.services.research.suppression import TOTAL, Entry, suppress
from survey.services.research.tables_writer import write_table
from survey.services.research.writers import OutputFiles, sha256_of

DIMENSIONS = ("procedure", "office", "province", "month", "quarter", "channel")
TABLE_FORMATS = ("csv", "parquet")
SOURCE = {
    "procedure": "procedure_id",
    "office": "office_id",
    "province": "office_id",
    "month": "month",
    "quarter": "month",
    "channel": "channel",
}


@dataclass(frozen=True)
class TableOptions:
    by: tuple[str, ...]
    file_format: str = "csv"
    min_n: int = 5
    month_from: str | None = None
    month_to: str | None = None

    def check(self) -> ReportFilter:
        if not 1 <= len(self.by) <= 2 or any(name not in DIMENSIONS for name in self.by):
            raise ExportError(f"--by takes one or two of {', '.join(DIMENSIONS)}, not {','.join(self.by) or '—'}")
        if len({SOURCE[name] for name in self.by}) < len(self.by):
            raise ExportError(f"{' and '.join(self.by)} are the same thing at two levels: choose one of them")
        if self.file_format not in TABLE_FORMATS:
            raise ExportError(f"unknown format {self.file_format!r}; choose one of {', '.join(TABLE_FORMATS)}")
        if isinstance(self.min_n, bool) or not isinstance(self.min_n, int) or self.min_n < 2:
            raise ExportError(f"min-n must be a whole number of at least 2, not {self.min_n}")
        try:
            return ReportFilter(month_from=self.month_from, month_to=self.month_to)
        except FilterError as exc:
            raise ExportError(f"the period cannot be used: {exc}") from None


@dataclass(frozen=True)
class TableRow:
    keys: tuple[str, ...]  # one code per `by` column; TOTAL for a margin
    n: int
    satisfied: int
    suppressed: bool

    @property
    def share(self) -> float | None:
        return None if self.suppressed or not self.n else self.satisfied / self.n

    @property
    def interval(self) -> tuple[float, float] | None:
        return None if self.suppressed or not self.n else wilson_interval(self.satisfied, self.n)


@dataclass(frozen=True)
class Table:
    by: tuple[str, ...]
    min_n: int
    cells: list[TableRow]
    totals: list[TableRow]
    suppressed_primary: int
    suppressed_complementary: int
    first_month: str
    last_month: str
    labels: dict[str, dict[str, str]]

    @property
    def rows(self) -> list[TableRow]:
        return [*self.cells, *self.totals]


@dataclass(frozen=True)
class TableResult:
    path: Path
    codebook_json: Path
    codebook_markdown: Path
    table: Table
    sha256: str


def _group_value(name: str, raw: Any, codes: dict[str, dict[Any, str]]) -> str:
    if name == "quarter":
        return quarter_of(str(raw))
    return codes[name].get(raw, str(raw)) if name in codes else str(raw)


def _catalog(session: Session) -> tuple[dict[str, dict[Any, str]], dict[str, dict[str, str]]]:
    """Rollup keys → codes (procedure and office ids, offices to provinces), and codes → names."""
    catalog = load_catalog(session.connection())
    codes = {
        "procedure": dict(catalog.procedure_codes),
        "office": dict(catalog.office_codes),
        "province": {oid: catalog.office_provinces[code] for oid, code in catalog.office_codes.items()},
    }
    labels = catalog.value_labels()
    names = {"procedure": labels["procedure"], "office": labels["office"], "province": labels["office"]}
    return codes, {**names, "channel": dict(FIXED_VALUES["channel"])}


def build_table(session: Session, options: TableOptions) -> Table:
    """Read the counts from the rollups, total them and suppress; nothing is written."""
    where = options.check()
    sources = list(dict.fromkeys(SOURCE[name] for name in options.by))
    counts = read_counts(session, None, where, metrics=("rating",), by=sources)
    codes, labels = _catalog(session)
    n: dict[Entry, int] = defaultdict(int)
    satisfied: dict[Entry, int] = defaultdict(int)
    for key, metrics in counts.items():
        raw = dict(zip(sources, key, strict=True))
        cell = tuple(_group_value(name, raw[SOURCE[name]], codes) for name in options.by)
        answered, happy = count_satisfied(metrics.get("rating", {}))
        for entry in _entries(cell):
            n[entry] += answered
            satisfied[entry] += happy
    if not n:
        raise ExportError("no responses in the period asked for: nothing to tabulate")
    rows = sorted({entry[0] for entry in n if entry[0] != TOTAL})
    columns = sorted({entry[1] for entry in n if entry[1] != TOTAL}) if len(options.by) == 2 else None
    primary, complementary = suppress(n, rows, columns, options.min_n)
    hidden = primary | complementary
    made = [TableRow(tuple(map(str, e)), n[e], satisfied[e], e in hidden) for e in sorted(n, key=_order) if n[e]]
    months = session.execute(
        select(func.min(RatingRollup.month), func.max(RatingRollup.month)).where(
            *([RatingRollup.month >= where.month_from] if where.month_from else []),
            *([RatingRollup.month <= where.month_to] if where.month_to else []),
        )
    ).one()
    return Table(
        by=options.by,
        min_n=options.min_n,
        cells=[row for row in made if TOTAL not in row.keys],
        totals=[row for row in made if TOTAL in row.keys],
        suppressed_primary=len(primary),
        suppressed_complementary=len(complementary),
        first_month=str(months[0]),
        last_month=str(months[1]),
        labels={name: labels.get(name, {}) for name in options.by},
    )


def _entries(cell: tuple[str, ...]) -> list[Entry]:
    """The entries a cell adds to: itself and its margins."""
    if len(cell) == 1:
        return [cell, (TOTAL,)]
    first, second = cell
    return [cell, (first, TOTAL), (TOTAL, second), (TOTAL, TOTAL)]


def _order(entry: Entry) -> tuple[tuple[bool, str], ...]:
    return tuple((value == TOTAL, str(value)) for value in entry)


def export_aggregates(
    session: Session, out: str | Path, options: TableOptions, *, actor: str, user_id: int | None = None
) -> TableResult:
    """Write the table to `out` (CSV or Parquet) with `out.codebook.json` and `out.codebook.md`; audit it."""
    table = build_table(session, options)
    files = OutputFiles(Path(out))
    try:
        files.check()
    except OSError as exc:
        raise ExportError(f"cannot write {out}: {exc.strerror or exc}") from None
    try:
        write_table(files.data, options.file_format, table)
        digest = sha256_of(files.data)
        created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        codebook = table_codebook(table, file_name=files.out.name, file_format=options.file_format,
                                  sha256=digest, created_at=created, month_from=options.month_from,
                                  month_to=options.month_to)  # fmt: skip
        files.publish_with(codebook, table_codebook_markdown(codebook))
    except BaseException:
        files.discard()
        raise
    audit.record(
        session,
        actor=actor,
        action="research.aggregates",
        target=files.out.name,
        user_id=user_id,
        details={"by": list(options.by), "format": options.file_format, "min_n": options.min_n,
                 "month_from": options.month_from, "month_to": options.month_to, "sha256": digest,
                 "cells": len(table.cells), "suppressed": table.suppressed_primary + table.suppressed_complementary},
    )  # fmt: skip
    session.commit()
    return TableResult(files.finals[0], files.finals[1], files.finals[2], table, digest)


def table_columns(by: Sequence[str]) -> list[str]:
    """The file's columns: the `by` columns under their names, then the figures."""
    return [*by, "n", "satisfied", "share", "ci_low", "ci_high", "suppressed"]


def key_label(labels: dict[str, dict[str, str]], name: str, code: str) -> str:
    if code == TOTAL:
        return "Tổng (total)"
    return labels.get(name, {}).get(str(code), str(code))
