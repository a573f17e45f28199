"""The public results: for an office (with the offices under it), each procedure's satisfied share over the last
12 months against its target, the months' trend and the response rate; fewer than 30 answers show no share.

Counts come from the one reporting core (`query.read_counts`) and targets from the same rules the dashboard uses
(`summary.group_target` / `summary.scope_target`), so a published share equals the dashboard's for the same office
and months. Every office's figures count its own answers and those of the offices under it, as on the dashboard
with that office chosen in the filter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from analysis.satisfaction import count_satisfied, summarise_counts
from survey.services.publication.offices import subtrees
from survey.services.publication.period import Period
from survey.services.publication.rates import ResponseRate, response_rates
from survey.services.reporting.query import OfficeInfo, procedures_by_id, read_counts
from survey.services.reporting.summary import Settings, group_target, scope_target, targets
from survey.services.reporting.targets import TargetLookup

PUBLIC_MIN_N = 30
"""Below this many answers a public cell shows "not enough opinions yet" and no share (whatever MINIMUM_N says)."""


@dataclass(frozen=True)
class PublicFigure:
    """A share as published: `share` and its interval are None when the answers are too few to publish."""

    n: int
    share: float | None
    ci_low: float | None
    ci_high: float | None
    target: float
    status: str

    @property
    def suppressed(self) -> bool:
        return self.share is None


def public_figure(n: int, satisfied: int, *, target: float, settings: Settings) -> PublicFigure:
    """The dashboard's summary of `satisfied` of `n` (same interval and status), with small cells suppressed."""
    summary = summarise_counts(n, satisfied, target=target, min_n=settings.min_n)
    if n < max(PUBLIC_MIN_N, settings.min_n):
        return PublicFigure(n=n, share=None, ci_low=None, ci_high=None, target=target, status="too_few")
    return PublicFigure(
        n=n,
        share=summary["share"],
        ci_low=summary["ci_low"],
        ci_high=summary["ci_high"],
        target=target,
        status=summary["status"],
    )


@dataclass(frozen=True)
class MonthFigure:
    month: str
    figure: PublicFigure


@dataclass(frozen=True)
class ProcedureResult:
    code: str
    name: str
    figure: PublicFigure
    trend: list[MonthFigure]
    rate: ResponseRate | None


@dataclass(frozen=True)
class OfficeResults:
    office: OfficeInfo
    period: Period
    overall: PublicFigure
    trend: list[MonthFigure]
    rate: ResponseRate | None
    procedures: list[ProcedureResult]  # the most answered first


Cell = tuple[int, int]  # (answers, satisfied)


def subtree_counts(
    session: Session, offices: Sequence[OfficeInfo], period: Period, *, by: tuple[str, ...] = ()
) -> dict[int, dict[tuple[object, ...], Cell]]:
    """Listed office id → (values of `by`) → (answers, satisfied) over the office's subtree, read through
    `read_counts` in one query whatever the number of offices."""
    scope, owners = subtrees(session, offices)
    result: dict[int, dict[tuple[object, ...], list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    if scope:
        counts = read_counts(session, scope, period.report_filter(), metrics=("rating",), by=("office_id", *by))
        for (office_id, *key), metrics in counts.items():
            n, satisfied = count_satisfied(metrics.get("rating", {}))
            for owner in owners.get(int(office_id), ()):
                cell = result[owner][tuple(key)]
                cell[0] += n
                cell[1] += satisfied
    return {owner: {key: (cell[0], cell[1]) for key, cell in cells.items()} for owner, cells in result.items()}


def overall_figures(
    session: Session, offices: Sequence[OfficeInfo], period: Period, settings: Settings
) -> dict[int, PublicFigure]:
    """Each office's share over all its procedures (with the offices under it), for lists of offices."""
    lookup = targets(session, settings)
    counts = subtree_counts(session, offices, period)
    figures = {}
    for office in offices:
        n, satisfied = counts.get(office.id, {}).get((), (0, 0))
        figures[office.id] = public_figure(
            n, satisfied, target=office_target(lookup, office, period), settings=settings
        )
    return figures


def office_target(lookup: TargetLookup, office: OfficeInfo, period: Period) -> float:
    return scope_target(lookup, period.report_filter(office_id=office.id), None)


def procedure_target(lookup: TargetLookup, office: OfficeInfo, procedure_id: int, period: Period) -> float:
    return group_target(lookup, "procedure", procedure_id, period.report_filter(office_id=office.id), None)


def _trend(cells: dict[str, Cell], period: Period, target: float, settings: Settings) -> list[MonthFigure]:
    return [
        MonthFigure(month, public_figure(*cells.get(month, (0, 0)), target=target, settings=settings))
        for month in period.months
    ]


def office_results(session: Session, office: OfficeInfo, period: Period, settings: Settings) -> OfficeResults:
    """One office's public page: overall, by month, and per procedure with its own months and response rate."""
    lookup = targets(session, settings)
    cells = subtree_counts(session, [office], period, by=("procedure_id", "month")).get(office.id, {})
    by_procedure: dict[int, dict[str, Cell]] = defaultdict(dict)
    by_month: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (procedure_id, month), (n, satisfied) in cells.items():
        by_procedure[int(procedure_id)][str(month)] = (n, satisfied)  # type: ignore[call-overload]
        by_month[str(month)][0] += n
        by_month[str(month)][1] += satisfied
    rates = response_rates(session, [office], period).get(office.id, {})
    names = procedures_by_id(session)
    overall_target = office_target(lookup, office, period)
    procedures = []
    for procedure_id, months in by_procedure.items():
        target = procedure_target(lookup, office, procedure_id, period)
        n = sum(cell[0] for cell in months.values())
        satisfied = sum(cell[1] for cell in months.values())
        code, name = names[procedure_id]
        procedures.append(
            ProcedureResult(
                code=code,
                name=name,
                figure=public_figure(n, satisfied, target=target, settings=settings),
                trend=_trend(months, period, target, settings),
                rate=rates.get(procedure_id),
            )
        )
    procedures.sort(key=lambda result: (-result.figure.n, result.code))
    months = {month: (cell[0], cell[1]) for month, cell in by_month.items()}
    return OfficeResults(
        office=office,
        period=period,
        overall=public_figure(
            sum(cell[0] for cell in months.values()),
            sum(cell[1] for cell in months.values()),
            target=overall_target,
            settings=settings,
        ),
        trend=_trend(months, period, overall_target, settings),
        rate=ResponseRate.total(rates.values()),
        procedures=procedures,
    )
