"""SPSS (.sav) and Stata (.dta) files of a research export, with Vietnamese variable and value labels.

The rows are first streamed to a typed Parquet stage (bounded memory while the database is read); that stage is
then read back one column at a time, each turned at once into the smallest type that writes the same file, and
written with pyreadstat (Apache-2.0). Labels come from the export's own codebook, so the three descriptions
cannot disagree.

Memory: pyreadstat writes a whole data frame (readstat needs the row count first; there is no append), and
pandas' own Stata writer also takes a frame, so the rows are in memory once, as compactly as they can be:
text codes as shared Python strings (SPSS) or float32 numbers (Stata), answers and flags as float32 (written as
doubles, as before), free text as Arrow-backed strings; never the whole stage, a pandas copy and the labelled copy at
once. That costs about 0.3 GB per million rows above the app (0.6 GB before; bench/bench_export.py), so
`LABELLED_ROW_LIMIT` caps these two formats: above it the export (and its preview) refuses and points to CSV or
Parquet, which stream in bounded memory and have no limit.

- Variable labels: the Vietnamese label of each column, cut to what each format holds (SPSS 255 bytes, Stata
  80 characters) with an ellipsis.
- Numbers (rating, elements, returns, agencies, questionnaire version) stay numbers, with the answer labels.
- Flags (verified, satisfied) are 1 = yes / 0 = no, labelled.
- Text codes (month, office, procedure, channel, …): in SPSS the same text as the CSV, with labels on the text
  values; Stata labels only numbers, so there they are numbered 1, 2, … in codebook order and each number's
  label reads `code — label` (`1.001193 — Đăng ký khai sinh`): `decode` gives the code and the name together.
- Not answered: system-missing for numbers; an empty string for text (neither format has a missing string).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pyreadstat

from survey.services.research.columns import Column

STATA_SEPARATOR = " — "
SPSS_LABEL_BYTES = 255
STATA_LABEL_CHARS = 80
FLAG_LABELS = {1: "Có (yes)", 0: "Không (no)"}


def _cut_bytes(text: str, limit: int) -> str:
    if len(text.encode("utf-8")) <= limit:
        return text
    while len((text + "…").encode("utf-8")) > limit:
        text = text[:-1]
    return text.rstrip() + "…"


def _cut_chars(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def stata_label(code: str, label: str) -> str:
    """The value label of a numbered text code in a Stata file."""
    return code if label == code else f"{code}{STATA_SEPARATOR}{label}"


def _flag_labels(values: Mapping[str, str]) -> dict[int, str]:
    if values.get("true") and values.get("false"):
        return {1: values["true"], 0: values["false"]}
    return dict(FLAG_LABELS)


def _numeric_labels(values: Mapping[str, str]) -> dict[float, str]:
    return {float(code): label for code, label in values.items() if code.lstrip("-").isdigit()}


def _numbers(chunked: pa.ChunkedArray) -> pd.Series:
    """Flags (1/0) and small whole numbers as float32: missing is NaN, and pyreadstat writes them as doubles."""
    return pd.Series(pc.cast(chunked, pa.float32()).to_numpy(zero_copy_only=False))


def _text(chunked: pa.ChunkedArray, coded: bool) -> pd.Series:
    """Text with an empty string for not answered. Codes: one Python string per code, shared by its rows (a
    categorical would be smaller, but pyreadstat iterates it through a full copy of new strings); free text:
    Arrow-backed strings, made into Python strings one row at a time as they are written."""
    if coded:
        categorical = chunked.to_pandas().astype("category")  # dictionary arrays already arrive as one
        names = np.array([str(code) for code in categorical.cat.categories] + [""], dtype=object)
        return pd.Series(names[categorical.cat.codes.to_numpy()], dtype=object)  # code -1 (missing) reads ""
    return chunked.to_pandas().astype("str").fillna("")


def _numbered(chunked: pa.ChunkedArray, known: Mapping[str, str]) -> tuple[pd.Series, dict[Any, str]]:
    """Text codes → 1, 2, … in codebook order (codes not in the codebook after them), and their Stata labels."""
    categorical = chunked.to_pandas().astype("category")
    present = [str(code) for code in categorical.cat.categories if str(code) != ""]
    codes = [code for code in known if code != ""] + sorted(set(present) - set(known))
    number = {code: float(index) for index, code in enumerate(codes, start=1)}
    lookup = np.array([number.get(str(code), np.nan) for code in categorical.cat.categories] + [np.nan], np.float32)
    values = lookup[categorical.cat.codes.to_numpy()]  # code -1 (missing) reads the trailing NaN
    return pd.Series(values), {number[code]: stata_label(code, known.get(code, code)) for code in codes}


def labelled_column(
    chunked: pa.ChunkedArray, column: Column, known: Mapping[str, str], file_format: str
) -> tuple[pd.Series, dict[Any, str] | None]:
    """One staged column as the format stores it, and its value labels (None: no labels)."""
    if column.type == "boolean":
        return _numbers(chunked), dict(_flag_labels(known))
    if column.type == "integer":
        return _numbers(chunked), (dict(_numeric_labels(known)) if known else None)
    if column.coded and file_format == "dta":
        return _numbered(chunked, known)
    labels = {code: label for code, label in known.items() if code != ""} if column.coded and known else None
    return _text(chunked, column.coded), labels


def labelled_frame(
    stage: Path, columns: Sequence[Column], values: Mapping[str, Mapping[str, str]], file_format: str
) -> tuple[pd.DataFrame, dict[str, dict[Any, str]]]:
    """The staged rows as the format stores them, read one column at a time, and their value labels."""
    parquet = pq.ParquetFile(stage)
    out: dict[str, pd.Series] = {}
    labels: dict[str, dict[Any, str]] = {}
    for column in columns:
        series, found = labelled_column(
            parquet.read(columns=[column.name]).column(0), column, values.get(column.name, {}), file_format
        )
        out[column.name] = series
        if found is not None:
            labels[column.name] = found
    return pd.DataFrame(out, copy=False), labels


def write_labelled(
    stage: Path,
    target: Path,
    file_format: str,
    columns: Sequence[Column],
    values: Mapping[str, Mapping[str, str]],
    *,
    file_label: str,
) -> None:
    """Write the staged rows to `target` as SPSS (`sav`) or Stata (`dta`) with the codebook's labels."""
    data, value_labels = labelled_frame(stage, columns, values, file_format)
    if file_format == "sav":
        variable_labels: dict[str, str | None] = {c.name: _cut_bytes(c.label_vi, SPSS_LABEL_BYTES) for c in columns}
        measure = {c.name: "nominal" if c.coded or c.type == "boolean" else "ordinal" for c in columns}
        measure["row_id"] = measure["comment"] = "nominal"
        pyreadstat.write_sav(
            data,
            str(target),
            file_label=_cut_bytes(file_label, 64),
            column_labels=variable_labels,
            variable_value_labels=value_labels,
            variable_measure={name: kind for name, kind in measure.items() if name in data.columns},
        )
    else:
        variable_labels = {c.name: _cut_chars(c.label_vi, STATA_LABEL_CHARS) for c in columns}
        pyreadstat.write_dta(
            data,
            str(target),
            file_label=_cut_chars(file_label, STATA_LABEL_CHARS),
            column_labels=variable_labels,
            variable_value_labels=value_labels,
            version=15,
        )
