"""Cells the service writes to CSV and XLSX files, made inert for spreadsheet programs: one home for the rule.

A spreadsheet reads a cell that starts with `=`, `+`, `-` or `@` as a formula (and a leading tab or carriage
return can hide one), so a citizen's comment such as `=HYPERLINK("http://…","Xem")`, or an office name typed that
way in a catalog file, would run in an official's or researcher's Excel or LibreOffice ("CSV injection", OWASP).
Every text cell goes through `safe_cell`, which puts an apostrophe in front of such text: the cell shows the text
and is never evaluated. Numbers, booleans and empty cells stay as they are, so figures stay figures.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet could read as a formula gets a leading apostrophe; anything else is returned as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
