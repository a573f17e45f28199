"""The overview's watch list: which procedure × office pairs to look at first, and which changed.

1. Pairs known to be below their target — `not_met`, and `too_few` pairs whose whole interval is below it (a
   handful of answers must not hide a pair that misses even at its upper bound) — ordered by how many citizens
   are short of the target: volume × shortfall, where volume is the dossiers handled when the office imported
   them for that procedure, else the responses, and shortfall is target − share (target − upper bound for too-few
   pairs). Each comes with its largest complaint themes from stored theme runs, when the caller may read them.
2. Pairs whose share changed between this period and the one of the same length before it, judged by the
   two-proportion test with the Benjamini–Hochberg correction for testing many pairs at once; only pairs with at
   least the minimum of answers in both periods are tested.

Counts come from the one reporting core (`query.read_counts` by office and procedure); statistics from
`analysis.satisfaction` and `analysis.priorities`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.periods import previous_period, shift_month
from analysis.priorities import below_even_at_upper_bound, benjamini_hochberg, citizens_short, shortfall
from analysis.satisfaction import Summary, count_satisfied, summarise_counts, two_proportion_test
from survey.models import Office, OfficeFigures, Procedure
from survey.services.reporting.query import ReportFilter, Scope, allowed_offices, read_counts
from survey.services.reporting.summary import Settings, targets
from survey.services.reporting.targets import TargetLookup
from survey.services.themes.official import PairOfficialTheme, pair_official_themes
from survey.services.themes.pages import PairThemes, pair_themes

CHANGE_MONTHS = 3
"""Without a period filter, "this period" is the latest three months with responses."""

Pair = tuple[int, int]  # office id, procedure id


@dataclass(frozen=True)
class PairInfo:
    office_id: int
    office_code: str
    office_name: str
    procedure_id: int
    procedure_code: str
    procedure_name: str


@dataclass(frozen=True)
class WatchRow:
    pair: PairInfo
    target: float
    summary: Summary
    shortfall: float  # how far below target it surely is (from the upper bound for too-few pairs)
    below_at_upper_bound: bool  # too few to judge, yet below even at its upper bound
    volume: int
    volume_basis: str  # "dossiers" (imported) or "responses"
    citizens_short: float
    themes: PairThemes | None = None  # emergent themes of the newest theme run, when one themed the pair
    official_themes: tuple[PairOfficialTheme, ...] = ()  # its largest official themes (classifier or officials)


@dataclass(frozen=True)
class ChangeRow:
    pair: PairInfo
    target: float
    before: Summary
    now: Summary
    difference: float  # share now − share before
    p_value: float


@dataclass(frozen=True)
class WatchList:
    rows: list[WatchRow]
    changes: list[ChangeRow]
    period: tuple[str, str] | None  # this period of the change test (None: no responses)
    previous: tuple[str, str] | None
    tested: int  # pairs with enough answers in both periods to be tested


def _pair_counts(session: Session, scope: Scope, where: ReportFilter) -> dict[Pair, tuple[int, int]]:
    counts = read_counts(session, scope, where, metrics=("rating",), by=("office_id", "procedure_id"))
    result = {}
    for (office_id, procedure_id), metrics in counts.items():
        n, satisfied = count_satisfied(metrics.get("rating", {}))
        if n:
            result[(office_id, procedure_id)] = (n, satisfied)
    return result


def _imported_dossiers(session: Session, scope: Scope, where: ReportFilter) -> dict[Pair, int]:
    """Dossiers handled per pair in the period, from offices' imports of per-procedure figures."""
    offices = allowed_offices(session, scope, where)
    statement = (
        select(OfficeFigures.office_id, OfficeFigures.procedure_id, func.sum(OfficeFigures.dossiers_handled))
        .where(OfficeFigures.procedure_id.is_not(None), OfficeFigures.dossiers_handled.is_not(None))
        .group_by(OfficeFigures.office_id, OfficeFigures.procedure_id)
    )
    if offices is not None:
        statement = statement.where(OfficeFigures.office_id.in_(sorted(offices)))
    if where.procedure_id is not None:
        statement = statement.where(OfficeFigures.procedure_id == where.procedure_id)
    if where.month_from:
        statement = statement.where(OfficeFigures.month >= where.month_from)
    if where.month_to:
        statement = statement.where(OfficeFigures.month <= where.month_to)
    rows = session.execute(statement)
    return {(office, procedure): int(total) for office, procedure, total in rows if total and procedure is not None}


def _pair_infos(session: Session, pairs: set[Pair]) -> dict[Pair, PairInfo]:
    offices = {row.id: row for row in session.execute(select(Office.id, Office.code, Office.name))}
    procedures = {row.id: row for row in session.execute(select(Procedure.id, Procedure.code, Procedure.name))}
    return {
        (o, p): PairInfo(o, offices[o].code, offices[o].name, p, procedures[p].code, procedures[p].name)
        for o, p in pairs
    }


def below_target(
    session: Session, scope: Scope, where: ReportFilter, settings: Settings, lookup: TargetLookup | None = None
) -> list[WatchRow]:
    """Pairs known to be below target, most citizens short of it first (then office and procedure code)."""
    lookup = lookup or targets(session, settings)
    counts = _pair_counts(session, scope, where)
    dossiers = _imported_dossiers(session, scope, where)
    rows = []
    for pair, (n, satisfied) in counts.items():
        target = lookup.target(procedure_id=pair[1], office_id=pair[0])
        if satisfied >= target * n:
            continue  # a share at or above the target has its upper bound there too: never below target
        summary = summarise_counts(n, satisfied, target=target, min_n=settings.min_n)
        gap = shortfall(summary, target)
        if gap is None:
            continue
        volume, basis = (dossiers[pair], "dossiers") if pair in dossiers else (n, "responses")
        rows.append((pair, target, summary, gap, volume, basis))
    infos = _pair_infos(session, {row[0] for row in rows})
    watch = [
        WatchRow(
            pair=infos[pair], target=target, summary=summary, shortfall=gap,
            below_at_upper_bound=below_even_at_upper_bound(summary, target),
            volume=volume, volume_basis=basis, citizens_short=citizens_short(volume, gap),
        )
        for pair, target, summary, gap, volume, basis in rows
    ]  # fmt: skip
    return sorted(watch, key=lambda row: (-row.citizens_short, row.pair.office_code, row.pair.procedure_code))


def change_period(
    session: Session, scope: Scope, where: ReportFilter, latest_month: str | None = None
) -> tuple[str, str] | None:
    """This period for the change test: the filter's months, completed by the latest month with responses (read
    here unless the caller knows it) and `CHANGE_MONTHS` months back from the end; None when nothing was answered."""
    month_to = where.month_to or latest_month
    if month_to is None:
        months = read_counts(session, scope, where, metrics=("rating",), by=("month",))
        if not months:
            return None
        month_to = max(month for (month,) in months)
    month_from = where.month_from or shift_month(month_to, -(CHANGE_MONTHS - 1))
    return month_from, month_to


def changes(
    session: Session,
    scope: Scope,
    where: ReportFilter,
    settings: Settings,
    lookup: TargetLookup | None = None,
    latest_month: str | None = None,
) -> tuple[list[ChangeRow], tuple[str, str] | None, tuple[str, str] | None, int]:
    """Pairs that got significantly better or worse since the period before; biggest change first."""
    lookup = lookup or targets(session, settings)
    period = change_period(session, scope, where, latest_month)
    if period is None:
        return [], None, None, 0
    previous = previous_period(*period)
    now = _pair_counts(session, scope, where.but(month_from=period[0], month_to=period[1]))
    before = _pair_counts(session, scope, where.but(month_from=previous[0], month_to=previous[1]))
    tested: list[tuple[Pair, Any]] = []
    for pair in sorted(set(now) & set(before)):
        (n1, s1), (n0, s0) = now[pair], before[pair]
        if min(n1, n0) >= settings.min_n:
            tested.append((pair, two_proportion_test(s1, n1, s0, n0)))
    significant = benjamini_hochberg([test["p_value"] for _, test in tested])
    kept = [(pair, test) for (pair, test), keep in zip(tested, significant, strict=True) if keep]
    infos = _pair_infos(session, {pair for pair, _ in kept})
    rows = []
    for pair, test in kept:
        target = lookup.target(procedure_id=pair[1], office_id=pair[0])
        rows.append(
            ChangeRow(
                pair=infos[pair], target=target,
                before=summarise_counts(*before[pair], target=target, min_n=settings.min_n),
                now=summarise_counts(*now[pair], target=target, min_n=settings.min_n),
                difference=test["difference"], p_value=test["p_value"],
            )
        )  # fmt: skip
    rows.sort(key=lambda row: (-abs(row.difference), row.pair.office_code, row.pair.procedure_code))
    return rows, period, previous, len(tested)


def watch_list(
    session: Session,
    scope: Scope,
    where: ReportFilter,
    settings: Settings,
    *,
    with_themes: bool = True,
    latest_month: str | None = None,
) -> WatchList:
    """The pairs below target (with their top complaint themes when `with_themes`) and the pairs that changed.
    `latest_month`: the latest month with responses under `where`, when the caller has already read it."""
    lookup = targets(session, settings)
    rows = below_target(session, scope, where, settings, lookup)
    if with_themes and rows:
        found = pair_themes(
            session,
            scope,
            [(row.pair.office_id, row.pair.procedure_id) for row in rows],
            month_from=where.month_from,
            month_to=where.month_to,
        )
        official = pair_official_themes(
            session, scope, where, [(row.pair.office_id, row.pair.procedure_id) for row in rows]
        )
        rows = [
            _with_themes(row, found.get(key), tuple(official.get(key, ())))
            for row in rows
            for key in [(row.pair.office_id, row.pair.procedure_id)]
        ]
    changed, period, previous, tested = changes(session, scope, where, settings, lookup, latest_month)
    return WatchList(rows=rows, changes=changed, period=period, previous=previous, tested=tested)


def _with_themes(row: WatchRow, themes: PairThemes | None, official: tuple[PairOfficialTheme, ...]) -> WatchRow:
    return WatchRow(**{**row.__dict__, "themes": themes, "official_themes": official})
