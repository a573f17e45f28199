"""Numbers as people read them, in the page's language (Babel): one home for percents, counts and changes.

Vietnamese groups thousands with a dot and writes decimals with a comma (17.658; 87,8 %); English the other way
round. Shares are fractions 0–1 everywhere else in the service and become percents only here.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import format_decimal


def percent(value: float | None, decimals: int = 1) -> str:
    """0.873 → "87,3 %" (vi) or "87.3 %" (en); empty when there is nothing to show."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return f"{format_decimal(value * 100, format=pattern)} %"


def number(value: int | float | None) -> str:
    """17658 → "17.658" (vi) or "17,658" (en)."""
    return "" if value is None else str(format_decimal(value, format="#,##0.###"))


def init_app(app: Flask) -> None:
    """Template filters `percent` and `number`, so every page formats the same way."""
    app.add_template_filter(percent, "percent")
    app.add_template_filter(number, "number")
