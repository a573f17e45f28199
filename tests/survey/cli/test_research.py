"""`flask export-anonymised` with chosen columns, SPSS and Stata files, and a preview that writes nothing."""

from __future__ import annotations

import pyreadstat
import pytest

from survey.services.demo.seed import seed_demo
from tests.survey.datasets.research import quasi_identifiers, read_codebook, read_export


@pytest.fixture
def seeded(session):
    seed_demo(session, responses=2000, seed=3, months=6)


def test_chosen_quasi_identifiers_and_columns_make_the_file(seeded, runner, tmp_path) -> None:
    out = tmp_path / "x.csv"
    result = runner.invoke(
        args=["export-anonymised", "--out", str(out), "--quasi", "procedure,month", "--columns", "rating,satisfied",
              "--quiet"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    frame = read_export(out)
    assert list(frame.columns) == ["row_id", "month", "procedure", "rating", "satisfied"]
    assert quasi_identifiers(read_codebook(out)) == ["month", "procedure"]
    assert frame.groupby(["month", "procedure"]).size().min() >= 5


def test_a_quasi_identifier_named_in_columns_becomes_one(seeded, runner, tmp_path) -> None:
    out = tmp_path / "x.csv"
    result = runner.invoke(args=["export-anonymised", "--out", str(out), "--columns", "office,rating", "--quiet"])
    assert result.exit_code == 0, result.output
    assert list(read_export(out).columns) == ["row_id", "office", "rating"]
    assert read_codebook(out)["quasi_identifiers"] == ["office"]


@pytest.mark.parametrize("file_format", ["sav", "dta"])
def test_spss_and_stata_files_are_written_with_labels(seeded, runner, tmp_path, file_format) -> None:
    out = tmp_path / f"x.{file_format}"
    result = runner.invoke(args=["export-anonymised", "--out", str(out), "--format", file_format, "--quiet"])
    assert result.exit_code == 0, result.output
    read = pyreadstat.read_sav if file_format == "sav" else pyreadstat.read_dta
    frame, meta = read(out)
    assert len(frame) == read_codebook(out)["rows_written"]
    assert meta.column_names_to_labels["satisfied"] == "Hài lòng: mức 4 hoặc 5"
    assert set(meta.variable_value_labels["rating"].values()) >= {"Hài lòng (Satisfied)"}
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("survey.db")) == sorted(
        [out.name, f"{out.name}.codebook.json", f"{out.name}.codebook.md"]
    )  # the Parquet stage is gone


def test_the_preview_says_what_would_be_kept_and_writes_nothing(seeded, runner, tmp_path) -> None:
    out = tmp_path / "x.csv"
    result = runner.invoke(args=["export-anonymised", "--out", str(out), "--preview"])
    assert result.exit_code == 0, result.output
    assert "nothing written" in result.output and "procedure: procedure" in result.output
    assert "5-anonymous" in result.output
    assert not out.exists()
