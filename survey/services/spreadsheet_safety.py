"""One rule for every CSV or XLSX the service writes: a text cell that a spreadsheet would run as a formula is
neutralised.

Excel, LibreOffice and Google Sheets treat a cell starting with `=`, `+`, `-` or `@` as a formula (and a
leading tab or carriage return can hide one), so a citizen's comment such as `=HYPERLINK("http://…")` would run
on an official's or researcher's machine (CSV injection, OWASP). Such text is prefixed with an apostrophe,
which spreadsheets show as plain text. Numbers stay numbers: only strings are changed, so a negative count
written as a number is left alone.
"""

from __future__ import annotations

from typing import Any, TypeVar

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a cell may not start with (OWASP "CSV Injection")."""

T = TypeVar("T")


def safe_cell(value: T) -> T | str:
    """`value` unchanged, unless it is text a spreadsheet would read as a formula: then `'` + text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Any) -> list[Any]:
    """`safe_cell` on every value of a row."""
    return [safe_cell(value) for value in values]
