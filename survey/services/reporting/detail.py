"""One procedure or one office in detail: SIPAS indices, TT 01/2018 citizen indicators (and the band when the
office's own figures are imported), the QĐ 766 rate with its source, channel split, service mode and reports of
extra payments. Read from rollups (scoped) and imported office figures; formulas from `analysis.satisfaction`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.official_indices import Qd766Cell, qd766_from_cells
from analysis.satisfaction import (
    TT01_CITIZEN_INDICATORS,
    TT01_SYSTEM_INDICATORS,
    Qd766Rate,
    SipasIndex,
    Summary,
    Tt01Band,
    Tt01Indicator,
    count_satisfied,
    sipas_from_counts,
    summarise_counts,
    tt01_office_band,
)
from survey.models import CHANNELS, ELEMENTS, EXTRA_PAYMENT, SERVICE_MODES, OfficeFigures
from survey.services.reporting.query import ReportFilter, Scope, allowed_offices, read_counts, read_invitation_counts
from survey.services.reporting.summary import Settings, scope_target, targets

ELEMENT_METRICS = tuple(f"element_{name}" for name in ELEMENTS)
# TT 01 citizen indicator → the rollup metric holding its answers (indicator 7 comes from the staff element).
TT01_METRICS = {1: "on_time", 3: "returns", 4: "agencies", 7: "element_staff"}
DETAIL_METRICS = ("rating", *ELEMENT_METRICS, "on_time", "returns", "agencies", "extra_payment", "service_mode")


@dataclass(frozen=True)
class Share:
    """How many answered a question with each answer (e.g. service mode), with each answer's share."""

    code: str
    count: int
    share: float | None


@dataclass(frozen=True)
class Detail:
    target: float
    summary: Summary
    sipas: SipasIndex
    tt01: dict[int, Tt01Indicator]
    tt01_system: dict[int, float | None]
    tt01_band: Tt01Band | None
    qd766: Qd766Figure | None
    channels: list[tuple[str, Summary]]
    service_modes: list[Share]
    extra_payment: list[Share]


def tt01_score_from_counts(counts: Mapping[Any, int], points: Mapping[Any, int]) -> tuple[float | None, int]:
    """TT 01/2018 Điều 13 score (sum of dossier points / dossiers, one decimal, halves up) from answer counts.

    The same formula as `analysis.satisfaction.tt01_indicator_score`, fed counts instead of one answer per
    dossier, so a page over a million dossiers does not loop over a million answers.
    """
    total = dossiers = 0
    for answer, count in counts.items():
        if answer not in points:
            raise ValueError(f"no TT 01 points for answer {answer!r}; expected one of {list(points)}")
        total += points[answer] * count
        dossiers += count
    if dossiers == 0:
        return None, 0
    return math.floor(Fraction(total, dossiers) * 10 + Fraction(1, 2)) / 10, dossiers


def _tt01(metrics: Mapping[str, Mapping[str, int]]) -> dict[int, Tt01Indicator]:
    result = {}
    for number, (_, points, basis) in TT01_CITIZEN_INDICATORS.items():
        raw = metrics.get(TT01_METRICS[number], {})
        answers = {(int(value) if value.isdigit() else value): count for value, count in raw.items()}
        score, n = tt01_score_from_counts(answers, points)
        result[number] = Tt01Indicator(indicator=number, score=score, n=n, points_basis=basis)
    return result


def _shares(answers: Mapping[str, int], codes: tuple[str, ...]) -> list[Share]:
    total = sum(answers.values())
    return [Share(code, answers.get(code, 0), answers.get(code, 0) / total if total else None) for code in codes]


def _figures_rows(
    session: Session, offices: set[int] | None, where: ReportFilter, *, office_wide: bool
) -> list[OfficeFigures]:
    statement = select(OfficeFigures)
    if offices is not None:
        statement = statement.where(OfficeFigures.office_id.in_(sorted(offices)))
    if where.procedure_id is not None:
        statement = statement.where(OfficeFigures.procedure_id == where.procedure_id)
    elif office_wide:
        statement = statement.where(OfficeFigures.procedure_id.is_(None))
    if where.month_from:
        statement = statement.where(OfficeFigures.month >= where.month_from)
    if where.month_to:
        statement = statement.where(OfficeFigures.month <= where.month_to)
    return list(session.scalars(statement))


def system_indicators(session: Session, office_id: int, where: ReportFilter) -> dict[int, float | None]:
    """Imported TT 01 indicators 2, 5, 6, 8, 9 for one office over the period: the mean of the monthly scores."""
    rows = _figures_rows(session, {office_id}, where, office_wide=True)
    scores: dict[int, float | None] = {}
    for number in TT01_SYSTEM_INDICATORS:
        values = [getattr(row, f"indicator_{number}") for row in rows]
        known = [value for value in values if value is not None]
        scores[number] = round(math.fsum(known) / len(known), 1) if known else None
    return scores


@dataclass(frozen=True)
class Qd766Figure:
    """The QĐ 766 rate with where its dossier total came from: imported counts, invitations issued, or both."""

    rate: Qd766Rate
    imported_dossiers: int  # dossiers handled, from offices' one-stop systems
    invited_dossiers: int  # one-time invitations issued, for office-months without an import
    not_satisfied: int  # of the invitations counted, those answered with a rating of 1–3


def qd766(session: Session, scope: Scope, where: ReportFilter) -> Qd766Figure | None:
    """QĐ 766 rate for the filtered scope, per office and month from its own dossier total (DOMAIN.md §2B).

    An office-month with an imported dossier count uses it; any other uses the one-time invitations issued that
    month. Either way the dissatisfied dossiers are only the answers, rated 1–3, to those invitations (issued in
    the same office, month and procedure), never responses that came without one. With a channel filter only
    invitations are used (imported counts have no channel).
    """
    offices = allowed_offices(session, scope, where)
    if offices is not None and not offices:
        return None
    invitations = read_invitation_counts(session, scope, where, by=("office_id", "month"))
    imported: dict[tuple[Any, ...], OfficeFigures] = {}
    if where.channel is None:
        for row in _figures_rows(session, offices, where, office_wide=True):
            if row.dossiers_handled is not None:
                imported[(row.office_id, row.month)] = row
    cells = []
    imported_dossiers = invited_dossiers = not_satisfied = 0
    for key in sorted(set(invitations) | set(imported)):
        issued, _answered, unhappy = invitations.get(key, (0, 0, 0))
        figures = imported.get(key)
        not_satisfied += unhappy
        if figures is None:
            cells.append(Qd766Cell(issued, unhappy))
            invited_dossiers += issued
            continue
        total = figures.dossiers_handled or 0
        cells.append(Qd766Cell(issued, unhappy, total, figures.dossiers_overdue or 0, figures.dossiers_complained or 0))
        imported_dossiers += total
    rate = qd766_from_cells(cells)
    if rate is None:
        return None
    return Qd766Figure(rate, imported_dossiers, invited_dossiers, not_satisfied)


def office_band(session: Session, scope: Scope, where: ReportFilter, office_id: int) -> Tt01Band | None:
    """The TT 01/2018 band of one office alone (its own responses, not the offices under it): only when its
    indicators 2, 5, 6, 8 and 9 are imported for the period, else None without reading any answers."""
    system = system_indicators(session, office_id, where)
    if any(score is None for score in system.values()):
        return None
    alone = where.but(office_id=office_id, subtree=False)
    counts = read_counts(session, scope, alone, metrics=tuple(TT01_METRICS.values()))
    tt01 = _tt01(counts.get((), {}))
    return tt01_office_band({number: item["score"] for number, item in tt01.items()}, system)


def detail(
    session: Session,
    scope: Scope,
    where: ReportFilter,
    settings: Settings,
    *,
    office_id: int | None = None,
    home_office_id: int | None = None,
) -> Detail:
    """Everything the detail page shows for the filtered scope; `office_id` (one office) enables the TT 01 band."""
    target = scope_target(targets(session, settings), where, home_office_id)
    counts = read_counts(session, scope, where, metrics=DETAIL_METRICS, by=("channel",))
    merged: dict[str, dict[str, int]] = {}
    by_channel: dict[str, tuple[int, int]] = {}
    for (channel,), metrics in counts.items():
        for metric, answers in metrics.items():
            bucket = merged.setdefault(metric, {})
            for value, count in answers.items():
                bucket[value] = bucket.get(value, 0) + count
        n, satisfied = count_satisfied(metrics.get("rating", {}))
        old_n, old_s = by_channel.get(channel, (0, 0))
        by_channel[channel] = (old_n + n, old_s + satisfied)
    n, satisfied = count_satisfied(merged.get("rating", {}))
    sipas = sipas_from_counts(
        {name: count_satisfied(merged.get(f"element_{name}", {})) for name in ELEMENTS},
        target=target,
        min_n=settings.min_n,
    )
    tt01 = _tt01(merged)
    system = system_indicators(session, office_id, where) if office_id is not None else {}
    band = None
    if office_id is not None:
        band = tt01_office_band({number: item["score"] for number, item in tt01.items()}, system)
    return Detail(
        target=target,
        summary=summarise_counts(n, satisfied, target=target, min_n=settings.min_n),
        sipas=sipas,
        tt01=tt01,
        tt01_system=system,
        tt01_band=band,
        qd766=qd766(session, scope, where),
        channels=[
            (channel, summarise_counts(*by_channel[channel], target=target, min_n=settings.min_n))
            for channel in CHANNELS
            if by_channel.get(channel, (0, 0))[0]
        ],
        service_modes=_shares(merged.get("service_mode", {}), SERVICE_MODES),
        extra_payment=_shares(merged.get("extra_payment", {}), EXTRA_PAYMENT),
    )
