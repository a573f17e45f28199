"""SPSS (.sav) and Stata (.dta) files of a research export, with Vietnamese variable and value labels.

The rows are first streamed to a typed Parquet stage (bounded memory while the database is read); that stage is
then read back once, column by column as categoricals and small integers, and written with pyreadstat
(Apache-2.0). Labels come from the export's own codebook, so the three descriptions cannot disagree.

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


def _text(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), "").astype(str)


def _numbered(series: pd.Series, known: Mapping[str, str]) -> tuple[pd.Series, dict[Any, str]]:
    """Text codes → 1, 2, … in codebook order (codes not in the codebook after them), and their Stata labels."""
    categorical = series.astype("category")
    present = [str(code) for code in categorical.cat.categories if str(code) != ""]
    codes = [code for code in known if code != ""] + sorted(set(present) - set(known))
    number = {code: float(index) for index, code in enumerate(codes, start=1)}
    lookup = np.array([number.get(str(code), np.nan) for code in categorical.cat.categories] + [np.nan])
    values = lookup[categorical.cat.codes.to_numpy()]  # code -1 (missing) reads the trailing NaN
    return pd.Series(values, index=series.index), {
        number[code]: stata_label(code, known.get(code, code)) for code in codes
    }


def labelled_frame(
    frame: pd.DataFrame, columns: Sequence[Column], values: Mapping[str, Mapping[str, str]], file_format: str
) -> tuple[pd.DataFrame, dict[str, dict[Any, str]]]:
    """The frame as the format stores it, and its value labels (column → value → label)."""
    out: dict[str, pd.Series] = {}
    labels: dict[str, dict[Any, str]] = {}
    for column in columns:
        series, known = frame[column.name], values.get(column.name, {})
        if column.type == "boolean":
            out[column.name] = series.map({True: 1.0, False: 0.0}).astype("float64")
            labels[column.name] = dict(_flag_labels(known))
        elif column.type == "integer":
            out[column.name] = series.astype("float64")
            if known:
                labels[column.name] = dict(_numeric_labels(known))
        elif column.coded and file_format == "dta":
            out[column.name], labels[column.name] = _numbered(series, known)
        else:
            out[column.name] = _text(series)
            if column.coded and known:
                labels[column.name] = {code: label for code, label in known.items() if code != ""}
    return pd.DataFrame(out), labels


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
    frame = pq.read_table(stage).to_pandas()
    data, value_labels = labelled_frame(frame, columns, values, file_format)
    del frame
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
