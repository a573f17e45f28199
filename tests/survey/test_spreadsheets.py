"""`safe_cell`: text a spreadsheet would run as a formula is made inert; everything else is left alone."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.spreadsheets import FORMULA_STARTS, safe_cell


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://x.example","Xem")', "+84 912 345 678", "-1+1", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"],
)
def test_text_a_spreadsheet_would_evaluate_gets_an_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Cán bộ nhiệt tình", "a=b", "1.001193", "", " =1", "'=already quoted"])
def test_other_text_is_unchanged(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [-3, 0, 7, -0.25, 0.873, Decimal("-1.5"), True, False, None])
def test_numbers_booleans_and_nothing_stay_what_they_are(value):
    assert safe_cell(value) is value


@given(st.text())
def test_no_cell_starts_like_a_formula_and_the_text_is_kept_whole(text):
    cell = safe_cell(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert cell in (text, "'" + text)
