"""One procedure or one office in detail: SIPAS indices, TT 01/2018 citizen indicators (and the band when the
office's own figures are imported), the QĐ 766 rate with its source, channel split, service mode and reports of
extra payments. Read from rollups (scoped) and imported office figures; formulas from `analysis.satisfaction`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.periods import month_end, month_start
from analysis.satisfaction import (
    TT01_CITIZEN_INDICATORS,
    TT01_SYSTEM_INDICATORS,
    Qd766Rate,
    SipasIndex,
    Summary,
    Tt01Band,
    Tt01Indicator,
    count_satisfied,
    qd766_rate,
    sipas_from_counts,
    summarise_counts,
    tt01_office_band,
)
from survey.models import CHANNELS, ELEMENTS, EXTRA_PAYMENT, SERVICE_MODES, Invitation, OfficeFigures
from survey.services.reporting.query import ReportFilter, Scope, allowed_offices, read_counts
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
    qd766: Qd766Rate | None
    channels: list[tuple[str, Summary]]
    service_modes: list[Share]
    extra_payment: list[Share]
    notes: list[str] = field(default_factory=list)


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


def _month_bounds(where: ReportFilter) -> tuple[datetime | None, datetime | None]:
    start = month_start(where.month_from) if where.month_from else None
    end = month_end(where.month_to) if where.month_to else None
    return start, end


def _invitations_issued(session: Session, offices: set[int] | None, where: ReportFilter) -> int:
    statement = select(func.count()).select_from(Invitation).where(Invitation.is_public.is_(False))
    if offices is not None:
        statement = statement.where(Invitation.office_id.in_(sorted(offices)))
    if where.procedure_id is not None:
        statement = statement.where(Invitation.procedure_id == where.procedure_id)
    if where.channel is not None:
        statement = statement.where(Invitation.channel == where.channel)
    start, end = _month_bounds(where)
    if start is not None:
        statement = statement.where(Invitation.created_at >= start)
    if end is not None:
        statement = statement.where(Invitation.created_at < end)
    return int(session.scalar(statement) or 0)


def qd766(
    session: Session, scope: Scope, where: ReportFilter, verified_unsatisfied: int
) -> tuple[Qd766Rate | None, list[str]]:
    """QĐ 766 rate: imported dossier totals when the offices sent them, else the one-time invitations issued.

    Imported: bad = verified unsatisfied ratings + overdue + complained, each counted on its own (a dossier in
    two groups counts twice, so the rate errs low), capped at the total. Invitations: bad = verified
    unsatisfied ratings only (overdue and complaints are not known without an import).
    """
    offices = allowed_offices(session, scope, where)
    if offices is not None and not offices:
        return None, []
    rows = [row for row in _figures_rows(session, offices, where, office_wide=True) if row.dossiers_handled]
    if rows and where.channel is None:
        total = sum(row.dossiers_handled or 0 for row in rows)
        bad = verified_unsatisfied + sum((row.dossiers_overdue or 0) + (row.dossiers_complained or 0) for row in rows)
        return qd766_rate(total, min(bad, total), source="imported"), ["qd766_overlap"]
    issued = _invitations_issued(session, offices, where)
    if issued:
        return qd766_rate(issued, min(verified_unsatisfied, issued), source="invitations"), ["qd766_invitations"]
    return None, []


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
    counts = read_counts(session, scope, where, metrics=DETAIL_METRICS, by=("channel", "verified"))
    merged: dict[str, dict[str, int]] = {}
    by_channel: dict[str, tuple[int, int]] = {}
    verified_unsatisfied = 0
    for (channel, verified), metrics in counts.items():
        for metric, answers in metrics.items():
            bucket = merged.setdefault(metric, {})
            for value, count in answers.items():
                bucket[value] = bucket.get(value, 0) + count
        n, satisfied = count_satisfied(metrics.get("rating", {}))
        old_n, old_s = by_channel.get(channel, (0, 0))
        by_channel[channel] = (old_n + n, old_s + satisfied)
        if verified:
            verified_unsatisfied += n - satisfied
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
    rate, notes = qd766(session, scope, where, verified_unsatisfied)
    return Detail(
        target=target,
        summary=summarise_counts(n, satisfied, target=target, min_n=settings.min_n),
        sipas=sipas,
        tt01=tt01,
        tt01_system=system,
        tt01_band=band,
        qd766=rate,
        channels=[
            (channel, summarise_counts(*by_channel[channel], target=target, min_n=settings.min_n))
            for channel in CHANNELS
            if by_channel.get(channel, (0, 0))[0]
        ],
        service_modes=_shares(merged.get("service_mode", {}), SERVICE_MODES),
        extra_payment=_shares(merged.get("extra_payment", {}), EXTRA_PAYMENT),
        notes=notes,
    )
