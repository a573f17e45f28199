"""What the officials' dashboard shows: a scope's share against its target, procedures ranked by how far below
target they are, offices compared, and the monthly trend.

Group figures come from the one reporting core (`summary.group_figures`), so pages, downloads, the API and `report`
give the same share and status for the same filter; the trend and the office-vs-rest test are judged by
`analysis.satisfaction` (Wilson interval, target status, two-proportion test).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from analysis.priorities import below_even_at_upper_bound, shortfall
from analysis.satisfaction import (
    MonthSummary,
    Summary,
    count_satisfied,
    monthly_trend,
    summarise_counts,
    two_proportion_test,
)
from analysis.weighted import WeightedShare
from survey.services.reporting.query import ReportFilter, Scope, read_counts, visible_offices
from survey.services.reporting.summary import GroupFigure, Settings, group_figures, scope_target, targets
from survey.services.reporting.trend_breaks import TrendBreak, breaks_within, cut_at_breaks, trend_breaks
from survey.services.reporting.weighted import weighted_areas

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
    subtree: Summary | None = None  # offices with offices under them: the office with those offices
    subtree_offices: int = 0  # how many offices under it are counted in `subtree`

    @property
    def shortfall(self) -> float | None:
        """How far below target it surely is: target − share when not met, target − upper bound when too few
        to judge yet below even at its upper bound; None otherwise."""
        return shortfall(self.summary, self.target)

    @property
    def below_at_upper_bound(self) -> bool:
        return below_even_at_upper_bound(self.summary, self.target)


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
    """Known to be below target first — not met, and too few whose upper bound is still below the target — the
    largest shortfall first (for too few: target − upper bound); then can't tell, too few, met, by gap."""

    def key(group: Group) -> tuple[int, float, str]:
        below = group.shortfall
        if below is not None:
            return 0, -below, group.code
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
    (two-proportion test: a difference that is noise is not marked). An office with offices under it also gets
    `subtree`: its figures together with those offices, exactly what its own page shows for the same filters
    (offices with no responses of their own are not listed; their page shows them with the offices under them)."""
    figures = group_figures(session, scope, where, group_by="office", settings=settings)
    all_n = sum(figure.summary["n"] for figure in figures)
    all_satisfied = sum(figure.summary["satisfied"] for figure in figures)
    by_office: dict[int, GroupFigure] = {figure.key: figure for figure in figures}
    under = {office: below for office, below in offices_under(session, scope).items() if office in by_office}
    groups = []
    for office_id, figure in by_office.items():
        n, satisfied = figure.summary["n"], figure.summary["satisfied"]
        test = two_proportion_test(satisfied, n, all_satisfied - satisfied, all_n - n)
        extra: dict[str, Any] = {"rest_difference": test["difference"], "rest_significant": test["significant"]}
        if office_id in under:
            members = [by_office[o].summary for o in under[office_id] | {office_id} if o in by_office]
            n_all, satisfied_all = sum(m["n"] for m in members), sum(m["satisfied"] for m in members)
            extra["subtree"] = summarise_counts(n_all, satisfied_all, target=figure.target, min_n=settings.min_n)
            extra["subtree_offices"] = sum(1 for o in under[office_id] if o in by_office and by_office[o].summary["n"])
        groups.append(Group(**{**_group(figure).__dict__, **extra}))
    return _ranked(groups)


def offices_under(session: Session, scope: Scope) -> dict[int, set[int]]:
    """Visible office id → the visible offices below it (at any depth), for offices that have any."""
    children: dict[int, list[int]] = {}
    for office in visible_offices(session, scope):
        if office.parent_id is not None:
            children.setdefault(office.parent_id, []).append(office.id)
    result: dict[int, set[int]] = {}
    for parent in children:
        below: set[int] = set()
        stack = list(children[parent])
        while stack:
            office_id = stack.pop()
            if office_id not in below:
                below.add(office_id)
                stack.extend(children.get(office_id, []))
        result[parent] = below
    return result


@dataclass(frozen=True)
class WeightedRow:
    """An area's share as answered beside its share weighted by dossiers handled (`code` "" = the whole scope)."""

    code: str
    name: str
    summary: Summary
    weighted: WeightedShare


def weighted_rows(
    session: Session,
    scope: Scope,
    where: ReportFilter,
    settings: Settings,
    *,
    whole: Overview,
    province_names: Mapping[str, str],
    home_office_id: int | None = None,
) -> list[WeightedRow]:
    """The scope (`whole`, its overview), then each province in it with imported dossier volumes when there are
    several, each as answered and weighted by volume against the scope's target; empty when no volumes are
    imported for these filters or a channel is chosen (volumes are not counted by channel)."""
    if where.channel is not None:
        return []
    weighted, provinces = weighted_areas(session, scope, where, settings=settings, target=whole.target)
    if weighted is None:
        return []
    rows = [WeightedRow("", "", whole.summary, weighted)]
    if len(provinces) > 1:
        for code, share in sorted(provinces.items()):
            area = overview(session, scope, where.but(province_code=code), settings, home_office_id=home_office_id)
            rows.append(WeightedRow(code, province_names.get(code, code), area.summary, share))
    return rows
