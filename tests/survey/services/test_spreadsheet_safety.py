"""One rule for every CSV/XLSX cell the service writes: text a spreadsheet would run as a formula is neutralised."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.services.spreadsheet_safety import FORMULA_STARTS, safe_cell, safe_row


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ('=HYPERLINK("http://x","bấm")', '\'=HYPERLINK("http://x","bấm")'),
        ("+84 912 345 678", "'+84 912 345 678"),
        ("-5 điểm", "'-5 điểm"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Cán bộ nhiệt tình", "Cán bộ nhiệt tình"),
        ("1.001193", "1.001193"),
        ("2025-Q1", "2025-Q1"),
        ("", ""),
    ],
)
def test_text_that_starts_like_a_formula_gets_an_apostrophe(text, written) -> None:
    assert safe_cell(text) == written


@pytest.mark.parametrize("number", [-5, 0, 3, -0.25, 0.9, True, None])
def test_numbers_and_empty_cells_stay_as_they_are(number) -> None:
    assert safe_cell(number) is number


@given(st.text())
def test_no_safe_cell_starts_like_a_formula_and_only_an_apostrophe_is_added(text) -> None:
    safe = safe_cell(text)
    assert not safe.startswith(FORMULA_STARTS)
    assert safe in (text, "'" + text)


def test_a_row_read_back_from_csv_has_no_formula() -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(safe_row(["=1+1", 7, "-2", "ok"]))
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == ["'=1+1", "7", "'-2", "ok"]
