"""Numbers as people read them, in the page's language (Babel): one home for percents, counts, scores and changes.

Vietnamese groups thousands with a dot and writes decimals with a comma (17.658; 87,8 %; 1,5 điểm); English the
other way round. Shares are fractions 0–1 everywhere else in the service and become percents only here. A change
or difference between two shares is in percentage points ("điểm %", "pp"), never in "%", and a change that rounds
to nothing is written without a sign.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from flask import Flask
from flask_babel import format_decimal, gettext

MINUS = "\u2212"  # the minus sign, not a hyphen
MAX_EXTRA_DECIMALS = 3


def _pattern(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _rounded(value: float, decimals: int) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def percent(value: float | None, decimals: int = 1) -> str:
    """0.873 → "87,3 %" (vi) or "87.3 %" (en); empty when there is nothing to show."""
    if value is None:
        return ""
    return f"{format_decimal(_rounded(value * 100, decimals), format=_pattern(decimals))} %"


def percent_beside(value: float | None, target: float | None, decimals: int = 1) -> str:
    """A share or interval bound shown beside a target, never on the wrong side of it.

    Statuses are decided on unrounded bounds, so an upper bound of 0.8996 against a target of 0.90 is "not met";
    rounded to one decimal it would read "90,0 %" and contradict that. Such a value gets one more decimal at a
    time (89,96 %) until its rounded form lies on the same side of the target as the value itself, up to three
    more; a value still not told apart (it practically never happens) is rounded away from the target.
    """
    if value is None or target is None:
        return percent(value, decimals)
    shown, places = _beside(value, target, decimals)
    return f"{format_decimal(shown, format=_pattern(places))} %"


def share_beside(value: float, target: float | None, decimals: int = 1) -> tuple[float, int]:
    """For a spreadsheet cell: (the share to write, decimals of its percent format) so that the cell reads like
    `percent_beside` and never on the wrong side of the target."""
    if target is None:
        return value, decimals
    shown, places = _beside(value, target, decimals)
    exact = _rounded(value * 100, places)
    return (value if exact == shown else float(shown) / 100), places


def _beside(value: float, target: float, decimals: int) -> tuple[Decimal, int]:
    """The value in percent, rounded to the fewest decimals (from `decimals`) that keep it on its side of target."""
    below = value < target
    exact_target = Decimal(repr(target)) * 100
    for places in range(decimals, decimals + MAX_EXTRA_DECIMALS + 1):
        shown = _rounded(value * 100, places)
        if (shown < exact_target) == below:
            return shown, places
    places = decimals + MAX_EXTRA_DECIMALS
    step = Decimal(1).scaleb(-places)
    return _rounded(value * 100, places) + (-step if below else step), places


def points(difference: float | None, decimals: int = 1, signed: bool = True) -> str:
    """A difference between two shares in percentage points: 0.012 → "+1,2 điểm %" (vi), "+1.2 pp" (en);
    −0.034 → "−3,4 điểm %"; anything that rounds to zero → "0,0 điểm %", with no sign. `signed=False` for a
    distance whose direction the label already says ("below target by 3,4 điểm %")."""
    if difference is None:
        return ""
    shown = _rounded(difference * 100, decimals)
    sign = "" if shown == 0 or not signed else "+" if shown > 0 else MINUS
    value = format_decimal(abs(shown), format=_pattern(decimals))
    return gettext("%(value)s pp", value=f"{sign}{value}")


def decimal(value: float | None, decimals: int = 1) -> str:
    """A score with the page's decimal separator: 1.5 → "1,5" (vi) or "1.5" (en)."""
    return "" if value is None else str(format_decimal(_rounded(value, decimals), format=_pattern(decimals)))


def number(value: int | float | None) -> str:
    """17658 → "17.658" (vi) or "17,658" (en)."""
    return "" if value is None else str(format_decimal(value, format="#,##0.###"))


def init_app(app: Flask) -> None:
    """Template filters, so every page formats the same way."""
    app.add_template_filter(percent, "percent")
    app.add_template_filter(percent_beside, "percent_beside")
    app.add_template_filter(points, "points")
    app.add_template_filter(decimal, "decimal")
    app.add_template_filter(number, "number")
