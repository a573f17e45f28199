"""Writers for the research export: CSV written row by row, Parquet in record batches (SPSS and Stata files are
made from that Parquet at the end, `survey.services.research.labelled`).

Files are written under a temporary name beside the target and renamed only when everything succeeded, so
a failed or interrupted export never leaves a partial file where a researcher would pick it up.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from survey.services.research.columns import Column
from survey.services.spreadsheet_safety import safe_cell

if TYPE_CHECKING:  # pyarrow is imported by the export that writes Parquet, not by every process that starts
    import pyarrow as pa


def arrow_type(column: Column) -> pa.DataType:
    """Typed columns: codes as categoricals (pandas `category`, R factors, DuckDB ENUM-like), answers as small
    integers, flags as booleans; periods stay strings, since a column may mix months and quarters."""
    import pyarrow as pa

    if column.type == "boolean":
        return pa.bool_()
    if column.type == "integer":  # ratings, elements, returns and agencies are 0-5
        return pa.int16() if column.name == "questionnaire_version" else pa.int8()
    if column.coded and column.name != "month":
        return pa.dictionary(pa.int32(), pa.string())
    return pa.string()


class RowWriter(Protocol):
    def write(self, rows: Sequence[tuple[Any, ...]]) -> None: ...

    def close(self) -> None: ...


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return safe_cell(value)


class CsvRowWriter:
    """UTF-8 CSV without a byte-order mark (pandas, R and DuckDB read it as is), header first; text that a
    spreadsheet would run as a formula starts with an apostrophe (`safe_cell`)."""

    def __init__(self, path: Path, columns: Sequence[Column]):
        self._file = path.open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._file)
        self._csv.writerow([column.name for column in columns])

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        self._csv.writerows([[_csv_cell(value) for value in row] for row in rows])

    def close(self) -> None:
        self._file.close()


class ParquetRowWriter:
    """Parquet with typed, nullable columns; each call writes one record batch (bounded memory)."""

    def __init__(self, path: Path, columns: Sequence[Column]):
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._pa = pa
        self._schema = pa.schema([pa.field(column.name, arrow_type(column)) for column in columns])
        self._writer = pq.ParquetWriter(str(path), self._schema, compression="zstd")

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        pa = self._pa
        arrays = [pa.array([row[index] for row in rows], type=field.type) for index, field in enumerate(self._schema)]
        self._writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=self._schema))

    def close(self) -> None:
        self._writer.close()


def open_writer(file_format: str, path: Path, columns: Sequence[Column]) -> RowWriter:
    """CSV for `csv`; Parquet for `parquet`, and for `sav` and `dta` as the stage they are made from."""
    if file_format == "csv":
        return CsvRowWriter(path, columns)
    return ParquetRowWriter(path, columns)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class OutputFiles:
    """The data file and its two codebooks, written to temporary names and renamed together at the end."""

    SUFFIXES = ("", ".codebook.json", ".codebook.md", ".stage.parquet")

    def __init__(self, out: Path):
        self.out = out
        self.finals = [Path(f"{out}{suffix}") for suffix in self.SUFFIXES]  # the stage is never published
        token = secrets.token_hex(4)
        self.temporaries = [final.with_name(f".{final.name}.{token}.part") for final in self.finals]

    def check(self) -> None:
        """Refuse a target that cannot be written before any work is done (the temporary file proves it)."""
        for final in self.finals[:3]:
            if final.is_dir():
                raise OSError(f"{final} is a folder, not a file")
        if not self.out.parent.is_dir():
            raise OSError(f"the folder {self.out.parent} does not exist")
        self.temporaries[0].touch(exist_ok=False)

    @property
    def data(self) -> Path:
        return self.temporaries[0]

    @property
    def codebook_json(self) -> Path:
        return self.temporaries[1]

    @property
    def codebook_markdown(self) -> Path:
        return self.temporaries[2]

    @property
    def stage(self) -> Path:
        """Where the rows of an SPSS or Stata export are streamed first (never published)."""
        return self.temporaries[3]

    def publish_with(self, codebook: Mapping[str, Any], markdown: str) -> None:
        """Write the two codebooks beside the finished data file, then publish all three together."""
        self.codebook_json.write_text(json.dumps(codebook, ensure_ascii=False, indent=2) + "\n", "utf-8")
        self.codebook_markdown.write_text(markdown, "utf-8")
        self.publish()

    def publish(self) -> None:
        for temporary, final in zip(self.temporaries[:3], self.finals[:3], strict=True):
            os.replace(temporary, final)
        self.temporaries[3].unlink(missing_ok=True)

    def discard(self) -> None:
        for temporary in self.temporaries:
            temporary.unlink(missing_ok=True)
