"""What the officials' dashboard shows: a scope's share against its target, procedures ranked by how far below
target they are, offices compared, and the monthly trend.

All numbers are read from the rollups through `dashboard_query.read_counts` (scoped, O(groups)) and judged by
`analysis.satisfaction` (Wilson interval, target status, two-proportion test), so pages, downloads, the API and
`report` agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from analysis.satisfaction import MonthSummary, Summary, monthly_trend, summarise_counts, two_proportion_test
from survey.services.reporting.query import (
    DashboardFilter,
    Scope,
    procedures_by_id,
    read_counts,
    satisfied_of,
    visible_offices,
)
from survey.services.reporting.targets import TargetLookup, load_targets

STATUS_ORDER = {"not_met": 0, "cant_tell": 1, "too_few": 2, "met": 3}
"""Ranking order: clearly below target first, then the ones we cannot judge yet, then too few, then met."""


@dataclass(frozen=True)
class Settings:
    """The deployment's statistics settings (app.config SATISFACTION_TARGET and MINIMUM_N)."""

    default_target: float = 0.90
    min_n: int = 30


@dataclass(frozen=True)
class Overview:
    summary: Summary
    target: float
    trend: list[MonthSummary]


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


def targets(session: Session, settings: Settings) -> TargetLookup:
    return load_targets(session, default=settings.default_target)


def scope_target(lookup: TargetLookup, where: DashboardFilter, home_office_id: int | None) -> float:
    """The target for the whole filtered scope: the filtered office's (or the official's own), most specific wins."""
    office_id = where.office_id if where.office_id is not None else home_office_id
    return lookup.target(procedure_id=where.procedure_id, office_id=office_id)


def overview(
    session: Session, scope: Scope, where: DashboardFilter, settings: Settings, *, home_office_id: int | None = None
) -> Overview:
    """The scope's satisfied share, 95 % interval, status and n, with the trend by month."""
    target = scope_target(targets(session, settings), where, home_office_id)
    counts = read_counts(session, scope, where, metrics=("rating",), by=("month",))
    rows = []
    total_n = total_satisfied = 0
    for (month,), metrics in counts.items():
        n, satisfied = satisfied_of(metrics.get("rating", {}))
        total_n, total_satisfied = total_n + n, total_satisfied + satisfied
        rows.append((month, n, satisfied))
    return Overview(
        summary=summarise_counts(total_n, total_satisfied, target=target, min_n=settings.min_n),
        target=target,
        trend=monthly_trend(rows, target=target, min_n=settings.min_n),
    )


def _ranked(groups: list[Group]) -> list[Group]:
    """Status first (not met, can't tell, too few, met), then the largest gap below target first."""

    def key(group: Group) -> tuple[int, float, str]:
        gap = group.gap if group.gap is not None else float("-inf")
        return STATUS_ORDER[group.summary["status"]], -gap, group.code

    return sorted(groups, key=key)


def _group(code: str, name: str, target: float, n: int, satisfied: int, min_n: int) -> Group:
    summary = summarise_counts(n, satisfied, target=target, min_n=min_n)
    gap = None if summary["share"] is None else target - summary["share"]
    return Group(code=code, name=name, target=target, summary=summary, gap=gap)


def procedure_ranking(
    session: Session, scope: Scope, where: DashboardFilter, settings: Settings, *, home_office_id: int | None = None
) -> list[Group]:
    """Procedures ranked by how far below their target they are; "below" only where the interval says so."""
    lookup = targets(session, settings)
    office_id = where.office_id if where.office_id is not None else home_office_id
    names = procedures_by_id(session)
    counts = read_counts(session, scope, where, metrics=("rating",), by=("procedure_id",))
    groups = []
    for (procedure_id,), metrics in counts.items():
        n, satisfied = satisfied_of(metrics.get("rating", {}))
        if n:
            code, name = names[procedure_id]
            target = lookup.target(procedure_id=procedure_id, office_id=office_id)
            groups.append(_group(code, name, target, n, satisfied, settings.min_n))
    return _ranked(groups)


def office_comparison(session: Session, scope: Scope, where: DashboardFilter, settings: Settings) -> list[Group]:
    """Each office's own responses against its target, and whether it differs from the rest of the scope
    (two-proportion test: a difference that is noise is not marked)."""
    lookup = targets(session, settings)
    offices = {office.id: office for office in visible_offices(session, scope)}
    counts = read_counts(session, scope, where, metrics=("rating",), by=("office_id",))
    per_office = {key[0]: satisfied_of(metrics.get("rating", {})) for key, metrics in counts.items()}
    all_n = sum(n for n, _ in per_office.values())
    all_satisfied = sum(s for _, s in per_office.values())
    groups = []
    for office_id, (n, satisfied) in per_office.items():
        if not n or office_id not in offices:
            continue
        office = offices[office_id]
        target = lookup.target(procedure_id=where.procedure_id, office_id=office_id)
        group = _group(office.code, office.name, target, n, satisfied, settings.min_n)
        test = two_proportion_test(satisfied, n, all_satisfied - satisfied, all_n - n)
        groups.append(
            Group(**{**group.__dict__, "rest_difference": test["difference"], "rest_significant": test["significant"]})
        )
    return _ranked(groups)
