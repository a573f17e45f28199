"""Writers for aggregate tables: CSV (formula-safe cells) and typed Parquet, one row per cell and per total."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Any

from survey.services.spreadsheet_safety import safe_row

if TYPE_CHECKING:
    from survey.services.research.aggregates import Table


def table_records(table: Table) -> list[tuple[Any, ...]]:
    """Rows of the file: codes, n, satisfied, share, ci_low, ci_high (None where hidden), suppressed."""
    records = []
    for row in table.rows:
        interval = row.interval
        if row.suppressed:
            figures: tuple[Any, ...] = (None, None, None, None, None)
        else:
            assert interval is not None
            figures = (row.n, row.satisfied, row.share, interval[0], interval[1])
        records.append((*row.keys, *figures, row.suppressed))
    return records


def write_table(path: Path, file_format: str, table: Table) -> None:
    from survey.services.research.aggregates import table_columns

    names = table_columns(table.by)
    records = table_records(table)
    if file_format == "csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(names)
            for record in records:
                cells = ["" if value is None else value for value in record]
                cells[-1] = "true" if record[-1] else "false"
                writer.writerow(safe_row(cells))
        return
    import pyarrow as pa  # imported by the download that writes Parquet, not by every process that starts
    import pyarrow.parquet as pq

    types = [pa.dictionary(pa.int32(), pa.string()) if name not in ("month", "quarter") else pa.string()
             for name in table.by]  # fmt: skip
    types += [pa.int64(), pa.int64(), pa.float64(), pa.float64(), pa.float64(), pa.bool_()]
    schema = pa.schema([pa.field(name, kind) for name, kind in zip(names, types, strict=True)])
    columns = [pa.array([record[i] for record in records], type=kind) for i, kind in enumerate(types)]
    pq.write_table(pa.Table.from_arrays(columns, schema=schema), str(path), compression="zstd")
