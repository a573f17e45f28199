"""What the officials' dashboard shows: a scope's share against its target, procedures ranked by how far below
target they are, offices compared, and the monthly trend.

Group figures come from the one reporting core (`summary.group_figures`), so pages, downloads, the API and `report`
give the same share and status for the same filter; the trend and the office-vs-rest test are judged by
`analysis.satisfaction` (Wilson interval, target status, two-proportion test).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from analysis.satisfaction import (
    MonthSummary,
    Summary,
    count_satisfied,
    monthly_trend,
    summarise_counts,
    two_proportion_test,
)
from survey.services.reporting.query import ReportFilter, Scope, read_counts
from survey.services.reporting.summary import GroupFigure, Settings, group_figures, scope_target, targets
from survey.services.reporting.trend_breaks import TrendBreak, breaks_within, cut_at_breaks, trend_breaks

STATUS_ORDER = {"not_met": 0, "cant_tell": 1, "too_few": 2, "met": 3}
"""Ranking order: clearly below target first, then the ones we cannot judge yet, then too few, then met."""


@dataclass(frozen=True)
class Overview:
    summary: Summary
    target: float
    trend: list[MonthSummary]
    breaks: list[TrendBreak] = field(default_factory=list)  # where the questionnaire stops being comparable


@dataclass(frozen=True)
class Group:
    """One row of a comparison: a procedure, office or channel with its share judged against its own target."""

    code: str
    name: str
    target: float
    summary: Summary
    gap: float | None  # target − share; positive = below target
    rest_difference: float | None = None  # share − share of the rest of the scope (offices only)
    rest_significant: bool = False


def overview(
    session: Session, scope: Scope, where: ReportFilter, settings: Settings, *, home_office_id: int | None = None
) -> Overview:
    """The scope's satisfied share, 95 % interval, status and n, with the trend by month."""
    target = scope_target(targets(session, settings), where, home_office_id)
    counts = read_counts(session, scope, where, metrics=("rating",), by=("month",))
    rows = []
    total_n = total_satisfied = 0
    for (month,), metrics in counts.items():
        n, satisfied = count_satisfied(metrics.get("rating", {}))
        total_n, total_satisfied = total_n + n, total_satisfied + satisfied
        rows.append((month, n, satisfied))
    trend = monthly_trend(rows, target=target, min_n=settings.min_n)
    breaks = breaks_within(trend, trend_breaks(session))
    return Overview(
        summary=summarise_counts(total_n, total_satisfied, target=target, min_n=settings.min_n),
        target=target,
        trend=cut_at_breaks(trend, breaks),
        breaks=breaks,
    )


def _ranked(groups: list[Group]) -> list[Group]:
    """Status first (not met, can't tell, too few, met), then the largest gap below target first."""

    def key(group: Group) -> tuple[int, float, str]:
        gap = group.gap if group.gap is not None else float("-inf")
        return STATUS_ORDER[group.summary["status"]], -gap, group.code

    return sorted(groups, key=key)


def _group(figure: GroupFigure) -> Group:
    return Group(code=figure.code, name=figure.name, target=figure.target, summary=figure.summary, gap=figure.gap)


def procedure_ranking(
    session: Session, scope: Scope, where: ReportFilter, settings: Settings, *, home_office_id: int | None = None
) -> list[Group]:
    """Procedures ranked by how far below their target they are; "below" only where the interval says so."""
    figures = group_figures(
        session, scope, where, group_by="procedure", settings=settings, home_office_id=home_office_id
    )
    return _ranked([_group(figure) for figure in figures])


def office_comparison(session: Session, scope: Scope, where: ReportFilter, settings: Settings) -> list[Group]:
    """Each office's own responses against its target, and whether it differs from the rest of the scope
    (two-proportion test: a difference that is noise is not marked)."""
    figures = group_figures(session, scope, where, group_by="office", settings=settings)
    all_n = sum(figure.summary["n"] for figure in figures)
    all_satisfied = sum(figure.summary["satisfied"] for figure in figures)
    groups = []
    for figure in figures:
        n, satisfied = figure.summary["n"], figure.summary["satisfied"]
        test = two_proportion_test(satisfied, n, all_satisfied - satisfied, all_n - n)
        group = _group(figure)
        groups.append(
            Group(**{**group.__dict__, "rest_difference": test["difference"], "rest_significant": test["significant"]})
        )
    return _ranked(groups)
