"""SPSS and Stata exports read back (pyreadstat) give the CSV's rows, values and the codebook's labels; CSV cells
that a spreadsheet would run as formulas are neutralised, while Parquet keeps types and the text as it is."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat
import pytest
from sqlalchemy import select

from survey.models import Office, Procedure
from survey.services.demo.seed import seed_demo
from survey.services.research import labelled, labelled_size
from survey.services.research.export import ExportError, ExportOptions, export_anonymised, preview_export
from survey.services.research.labelled import STATA_SEPARATOR
from survey.services.responses.store import Answers, store_response
from tests.survey.datasets.research import read_codebook, read_export

QUASI = ("month", "office", "procedure", "channel", "age_band", "sex")
FORMULA = '=HYPERLINK("http://example.com","xem") thủ tục chậm'


@pytest.fixture
def seeded(session):
    seed_demo(session, responses=3000, seed=7, months=6)
    office = session.scalar(select(Office.id).where(Office.code == "79.01"))
    procedure = session.scalar(select(Procedure.id).where(Procedure.code == "1.001193"))
    for comment in (FORMULA, "-5 điểm vì phải chờ", "@cán bộ tiếp dân"):
        store_response(session, answers=Answers(rating=2, comment=comment), office_id=office, procedure_id=procedure,
                       channel="qr", verified=False, now=datetime.now(UTC))  # fmt: skip
    return session


def export(session, tmp_path: Path, file_format: str) -> Path:
    out = tmp_path / f"x.{file_format}"
    export_anonymised(session, out, ExportOptions(file_format=file_format, quasi=QUASI), actor="test")
    return out


def _number(value: object) -> str:
    if isinstance(value, str):  # the CSV: already as written
        return value
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(int(value))  # type: ignore[call-overload]


def _flag(value: object) -> str:
    if isinstance(value, str):
        return value
    return {"": "", "1": "true", "0": "false"}[_number(value)]


def canonical_rows(frame, codebook, decode) -> Counter[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    """Rows without the random row id, every value as the CSV writes it."""
    columns = [c for c in codebook["columns"] if c["name"] != "row_id"]
    values = []
    for column in columns:
        series = frame[column["name"]]
        if column["type"] == "boolean":
            values.append([_flag(v) for v in series])
        elif column["type"] == "integer":
            values.append([_number(v) for v in series])
        else:
            values.append([decode(column["name"], v) for v in series])
    return Counter(zip(*values, strict=True))


def test_spss_and_stata_files_hold_the_csvs_rows_values_and_labels(seeded, tmp_path) -> None:
    csv_path = export(seeded, tmp_path, "csv")
    codebook = read_codebook(csv_path)
    expected = canonical_rows(read_export(csv_path).replace({"^'": ""}, regex=True), codebook, lambda _n, v: v)
    labels_of = {c["name"]: c for c in codebook["columns"]}

    sav, meta = pyreadstat.read_sav(export(seeded, tmp_path, "sav"))
    assert list(sav.columns) == [c["name"] for c in codebook["columns"]]
    assert canonical_rows(sav, codebook, lambda _n, v: "" if v is None else str(v)) == expected
    for name, labels in meta.variable_value_labels.items():
        column = labels_of[name]
        if column["type"] == "boolean":
            assert labels == {1.0: column["values"]["true"], 0.0: column["values"]["false"]}
        elif column["type"] == "integer":
            assert {str(int(code)): label for code, label in labels.items()} == column["values"]
        else:
            assert labels == {code: label for code, label in column["values"].items() if code}
    assert meta.variable_value_labels["procedure"]["1.001193"] == "Đăng ký khai sinh"
    for name, label in meta.column_names_to_labels.items():
        full = labels_of[name]["label_vi"]
        assert label == full or (label.endswith("…") and full.startswith(label[:-1]))

    stata_path = export(seeded, tmp_path, "dta")
    dta, meta = pyreadstat.read_dta(stata_path)
    value_labels = meta.variable_value_labels

    def decode(name: str, value: object) -> str:
        if name in value_labels and isinstance(value, float):
            return "" if math.isnan(value) else value_labels[name][value].split(STATA_SEPARATOR)[0]
        return "" if value is None else str(value)

    assert canonical_rows(dta, codebook, decode) == expected
    for name in ("month", "office", "procedure", "channel", "on_time"):
        decoded = {label.split(STATA_SEPARATOR)[0]: label for label in value_labels[name].values()}
        assert decoded == {
            code: code if text == code else f"{code}{STATA_SEPARATOR}{text}"
            for code, text in labels_of[name]["values"].items()
            if code
        }
    assert "1.001193 — Đăng ký khai sinh" in value_labels["procedure"].values()
    assert meta.column_names_to_labels["rating"].startswith("Nhìn chung")
    assert read_codebook(stata_path)["format"] == "dta"


def test_csv_cells_that_look_like_formulas_are_neutralised_and_parquet_keeps_types(seeded, tmp_path) -> None:
    text = export(seeded, tmp_path, "csv").read_text("utf-8")
    comments = set(read_export(tmp_path / "x.csv")["comment"])
    assert "'" + FORMULA in comments and "'-5 điểm vì phải chờ" in comments and "'@cán bộ tiếp dân" in comments
    assert "\n=" not in text and ",=" not in text and ",-5" not in text
    schema = pq.read_schema(export(seeded, tmp_path, "parquet"))
    assert schema.field("procedure").type == pa.dictionary(pa.int32(), pa.string())
    assert schema.field("channel").type == pa.dictionary(pa.int32(), pa.string())
    assert schema.field("month").type == pa.string()  # periods: months and quarters side by side
    assert schema.field("rating").type == pa.int8() and schema.field("satisfied").type == pa.bool_()
    frame = pq.read_table(tmp_path / "x.parquet").to_pandas()
    assert str(frame["procedure"].dtype) == "category"
    assert FORMULA in set(frame["comment"])  # not a spreadsheet: the citizen's text as written


def test_spss_and_stata_refuse_more_rows_than_their_limit_and_point_to_csv_or_parquet(seeded, tmp_path, monkeypatch):
    options = ExportOptions(file_format="csv", quasi=QUASI)
    plan = preview_export(seeded, options)
    rows = plan.rows_total - plan.rows_dropped  # what the file would hold
    monkeypatch.setattr(labelled_size, "LABELLED_ROW_LIMIT", rows - 1)
    for file_format, name in (("sav", "SPSS (.sav)"), ("dta", "Stata (.dta)")):
        with pytest.raises(ExportError) as refused:
            export(seeded, tmp_path, file_format)
        message = str(refused.value)
        assert name in message and f"at most {rows - 1:,} rows" in message and f"would write {rows:,}" in message
        assert "choose CSV or Parquet" in message
        with pytest.raises(ExportError, match="choose CSV or Parquet"):  # told before downloading, on /research too
            preview_export(seeded, replace(options, file_format=file_format))
    assert not list(tmp_path.glob("*x.*"))  # nothing half-written, no temporary file left
    assert len(read_export(export(seeded, tmp_path, "csv"))) == rows  # CSV and Parquet have no limit
    assert pq.read_metadata(export(seeded, tmp_path, "parquet")).num_rows == rows
    monkeypatch.setattr(labelled_size, "LABELLED_ROW_LIMIT", rows)  # exactly at the limit: written
    assert pyreadstat.read_sav(export(seeded, tmp_path, "sav"), metadataonly=True)[1].number_rows == rows


def test_the_rows_of_an_spss_or_stata_file_are_held_compactly(seeded, tmp_path, monkeypatch) -> None:
    """The rows are in memory once while pyreadstat writes them: codes as one shared string per code (SPSS) or
    float32 numbers (Stata), answers as float32, free text as Arrow strings; about 600 bytes a row of fresh
    Python objects and float64 before."""
    held: dict[str, pd.DataFrame] = {}
    original = labelled.labelled_frame

    def keep(*arguments, **keywords):  # type: ignore[no-untyped-def]
        data, labels = original(*arguments, **keywords)
        held[arguments[-1]] = data
        return data, labels

    monkeypatch.setattr(labelled, "labelled_frame", keep)
    for file_format in ("sav", "dta"):
        export(seeded, tmp_path, file_format)
        data = held[file_format]
        assert data.memory_usage(index=False).sum() / len(data) < 200, data.dtypes.to_dict()
        assert all(data[c].dtype == np.float32 for c in ("rating", "satisfied", "verified", "returns"))
    procedures = held["sav"]["procedure"]
    assert len({id(code) for code in procedures}) == procedures.nunique()  # no string made twice
    assert held["dta"]["procedure"].dtype == np.float32
