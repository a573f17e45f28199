"""The official Vietnamese indices computed from dossiers rather than from survey shares.

QĐ 766/QĐ-TTg (2022) satisfaction rate over all dossiers handled (DOMAIN.md §2B), and the TT 01/2018/TT-VPCP
indicators 1, 3, 4, 7 collected from citizens with the agency band on the 18-point total (DOMAIN.md §3).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any, NamedTuple, TypedDict

from analysis.checks import count as _count
from analysis.checks import known as _known

# --- QĐ 766/QĐ-TTg: satisfaction rate over all dossiers handled --------------------------------------------

QD766_SOURCES = ("invitations", "imported", "mixed")
"""Where the dossier total came from: invitations this service issued, a count imported from the office, or both
(imported where an office sent its count for a month, invitations elsewhere)."""


class Qd766Rate(TypedDict):
    method: str
    source: str
    total_dossiers: int
    unsatisfied_or_complaint_or_overdue: int
    rate: float | None


def qd766_rate(total_dossiers: int, unsatisfied_or_complaint_or_overdue: int, *, source: str) -> Qd766Rate:
    """QĐ 766/QĐ-TTg (2022) rate = (total dossiers − dossiers rated unsatisfied, complained about or overdue)
    / total dossiers (DOMAIN.md §2B), as a fraction 0–1.

    Unrated dossiers count as satisfied, so this is not a survey share and carries no interval; it is a
    count over every dossier handled. `source` says where the total came from and is returned so the
    dashboard can label the figure. With no dossiers the rate is None.
    """
    total = _count("total_dossiers", total_dossiers)
    bad = _count("unsatisfied_or_complaint_or_overdue", unsatisfied_or_complaint_or_overdue)
    if bad > total:
        raise ValueError(f"unsatisfied_or_complaint_or_overdue ({bad}) cannot exceed total_dossiers ({total})")
    if source not in QD766_SOURCES:
        raise ValueError(f"source must be one of {list(QD766_SOURCES)}, got {source!r}")
    return Qd766Rate(
        method="qd766",
        source=source,
        total_dossiers=total,
        unsatisfied_or_complaint_or_overdue=bad,
        rate=(total - bad) / total if total else None,
    )


class Qd766Cell(NamedTuple):
    """One office and month (or office, procedure and month) as the QĐ 766 rate needs it.

    `invitations`: one-time survey invitations issued for dossiers in the cell; `not_satisfied`: how many of
    those very invitations were answered with a rating of 1–3 (a response that came without an invitation is
    not one of these dossiers and is not counted); `imported_total`: dossiers handled according to the office's
    one-stop system (None when not imported), with `overdue` and `complained` from the same import.
    """

    invitations: int
    not_satisfied: int
    imported_total: int | None = None
    overdue: int = 0
    complained: int = 0


def qd766_from_cells(cells: Iterable[Qd766Cell]) -> Qd766Rate | None:
    """QĐ 766 rate over many cells, each counted from its own dossier total (DOMAIN.md §2B).

    Where a cell has an imported total, it is the cell's dossiers, and the bad ones are the invitations answered
    "not satisfied" plus the overdue and complained-about dossiers, each counted on its own (a dossier in two
    groups counts twice, so the rate errs low), capped at the total. Elsewhere the cell's dossiers are its
    invitations and the bad ones its invitations answered "not satisfied" (overdue and complaints are unknown).
    `source` is `imported`, `invitations` or `mixed`; None when no cell has any dossier.
    """
    total = bad = imported = 0
    for cell in cells:
        invitations = _count("invitations", cell.invitations)
        not_satisfied = _count("not_satisfied", cell.not_satisfied)
        if not_satisfied > invitations:
            raise ValueError(f"not_satisfied ({not_satisfied}) cannot exceed invitations ({invitations})")
        if cell.imported_total is not None:
            dossiers = _count("imported_total", cell.imported_total)
            extra = _count("overdue", cell.overdue) + _count("complained", cell.complained)
            total, bad = total + dossiers, bad + min(not_satisfied + extra, dossiers)
            imported += dossiers
        elif invitations:
            total, bad = total + invitations, bad + not_satisfied
    if not total:
        return None
    source = "imported" if imported == total else "invitations" if imported == 0 else "mixed"
    return qd766_rate(total, bad, source=source)


# --- TT 01/2018/TT-VPCP: indicators 1, 3, 4, 7 collected from citizens, and the agency band ----------------

TT01_ON_TIME_POINTS: Mapping[str, int] = {"early": 2, "on_time": 1, "late": 0}
"""Indicator 1 (time to result vs time allowed): working convention, not checked against the text."""
TT01_RETURNS_POINTS: Mapping[int, int] = {0: 2, 1: 1, 2: 0}
"""Indicator 3 (times the citizen came back; 2 = more than once): verified wording of TT 01/2018 Điều 13."""
TT01_AGENCIES_POINTS: Mapping[int, int] = {1: 2, 2: 1, 3: 0}
"""Indicator 4 (agencies contacted; 1 = only the one-stop shop, 3 = three or more): working convention."""
TT01_STAFF_POINTS: Mapping[int, int] = {5: 2, 4: 2, 3: 1, 2: 0, 1: 0}
"""Indicator 7 (officials' attitude) from the 1–5 staff rating: working convention."""

TT01_CITIZEN_INDICATORS: Mapping[int, tuple[str, Mapping[Any, int], str]] = {
    1: ("on_time", TT01_ON_TIME_POINTS, "working_convention"),
    3: ("returns", TT01_RETURNS_POINTS, "verified"),
    4: ("agencies", TT01_AGENCIES_POINTS, "working_convention"),
    7: ("staff", TT01_STAFF_POINTS, "working_convention"),
}
"""Indicator number → (dossier field, default points, how sure we are of the points)."""
TT01_SYSTEM_INDICATORS = (2, 5, 6, 8, 9)
"""Indicators scored from the one-stop system, which this service cannot see; they must be imported."""
TT01_MAX_POINTS = 2

TT01_BANDS = (
    (15.0, "xuat_sac", "Xuất sắc"),
    (12.0, "tot", "Tốt"),
    (9.0, "kha", "Khá"),
    (6.0, "trung_binh", "Trung bình"),
    (0.0, "yeu", "Yếu"),
)
"""TT 01/2018 agency bands on the 18-point total: >= 15, 12–<15, 9–<12, 6–<9, <6 (DOMAIN.md §3)."""


class Tt01Indicator(TypedDict):
    indicator: int
    score: float | None
    n: int
    points_basis: str


class Tt01Band(TypedDict):
    total: float
    code: str
    label_vi: str


def tt01_indicator_score(answers: Iterable[Any], points: Mapping[Any, int]) -> tuple[float | None, int]:
    """TT 01/2018 Điều 13: indicator score = sum of per-dossier points / number of dossiers, one decimal.

    None answers (the citizen skipped the question) are left out of the dossier count. Rounding is half up
    on the exact fraction, as a person would round by hand (1.25 → 1.3). Returns (score, dossiers counted);
    the score is None with no dossiers. An answer the mapping does not know is an error.
    """
    total = dossiers = 0
    for answer in answers:
        if answer is None:
            continue
        if isinstance(answer, bool) or answer not in points:
            raise ValueError(f"no TT 01 points for answer {answer!r}; expected one of {list(points)}")
        total += points[answer]
        dossiers += 1
    if dossiers == 0:
        return None, 0
    return _round_half_up(Fraction(total, dossiers)), dossiers


def tt01_citizen_indicators(
    dossiers: Iterable[Mapping[str, Any]],
    *,
    points: Mapping[int, Mapping[Any, int]] | None = None,
) -> dict[int, Tt01Indicator]:
    """Scores of TT 01/2018 indicators 1, 3, 4 and 7 from citizens' answers, one mapping per dossier.

    Each dossier uses the API codes: `on_time` early|on_time|late, `returns` 0|1|2, `agencies` 1|2|3,
    `staff` 1–5; absent or None means not answered. `points` overrides the points per indicator number
    (e.g. `{1: {"early": 2, "on_time": 2, "late": 0}}`) once the official text is checked. Each result says
    whether its points are `verified` or a `working_convention` (an override is labelled `override`).
    """
    overrides = dict(points or {})
    unknown = set(overrides) - set(TT01_CITIZEN_INDICATORS)
    if unknown:
        raise ValueError(f"no citizen-answered TT 01 indicator {sorted(unknown)}; expected 1, 3, 4 or 7")
    answers: dict[int, list[Any]] = {number: [] for number in TT01_CITIZEN_INDICATORS}
    for dossier in dossiers:
        for number, (field, _, _) in TT01_CITIZEN_INDICATORS.items():
            answers[number].append(dossier.get(field))
    results = {}
    for number, (_, default_points, basis) in TT01_CITIZEN_INDICATORS.items():
        score, n = tt01_indicator_score(answers[number], overrides.get(number, default_points))
        results[number] = Tt01Indicator(
            indicator=number, score=score, n=n, points_basis="override" if number in overrides else basis
        )
    return results


def tt01_band(total_18: float) -> Tt01Band:
    """TT 01/2018 agency band for the 18-point total of all nine indicators (DOMAIN.md §3)."""
    if isinstance(total_18, bool) or not 0.0 <= total_18 <= 9 * TT01_MAX_POINTS:
        raise ValueError(f"a TT 01 total is between 0 and 18, got {total_18!r}")
    for floor, code, label in TT01_BANDS:
        if total_18 >= floor:
            return Tt01Band(total=float(total_18), code=code, label_vi=label)
    raise AssertionError("unreachable: the last band starts at 0")


def tt01_office_band(
    citizen_scores: Mapping[int, float | None], system_scores: Mapping[int, float | None]
) -> Tt01Band | None:
    """The band, only when all nine indicator scores are known; else None (DOMAIN.md §3).

    `citizen_scores` holds indicators 1, 3, 4, 7 (from `tt01_citizen_indicators`); `system_scores` holds
    2, 5, 6, 8, 9 imported from the office's one-stop system. Without those five a band would be a guess,
    so the dashboard shows per-indicator scores only.
    """
    scores = {**citizen_scores, **system_scores}
    needed = (*TT01_CITIZEN_INDICATORS, *TT01_SYSTEM_INDICATORS)
    if any(scores.get(number) is None for number in needed):
        return None
    known = [_known(scores[number]) for number in needed]
    for number, score in zip(needed, known, strict=True):
        if not 0.0 <= score <= TT01_MAX_POINTS:
            raise ValueError(f"TT 01 indicator {number} scores 0–2, got {score!r}")
    # Round away only floating-point dust (14.999999999 → 15.0); the band compares the true total.
    return tt01_band(round(math.fsum(known), 9))


def _round_half_up(value: Fraction) -> float:
    """One decimal, halves rounded up (TT 01 scores are never negative)."""
    return math.floor(value * 10 + Fraction(1, 2)) / 10
