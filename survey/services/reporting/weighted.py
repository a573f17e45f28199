"""Volume-weighted shares per group: responses per office × procedure × month weighted by the dossiers handled
there (imported with `import-figures`), with Kish's effective n (`analysis.weighted`).

Shown beside the unweighted share, never instead of it: the weighted share answers "what share of dossiers ended
with a satisfied citizen", the plain one "what share of those who answered were satisfied".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.satisfaction import count_satisfied
from analysis.weighted import Cell, WeightedShare, weighted_share
from survey.models import Office, OfficeFigures, Procedure
from survey.services.reporting.query import ReportFilter, Scope, allowed_offices, read_counts, where_scope_and_period
from survey.services.reporting.summary import Settings, group_target, targets

WEIGHTED_GROUPS = ("procedure", "office", "month")
WEIGHTED_FIELDS = ("weighted_share", "effective_n", "weighted_ci_low", "weighted_ci_high", "weighted_status", "volume")
"""What `report --weighted` and `weighted=true` add to each group."""

_KEY = {"procedure": 1, "office": 0, "month": 2}  # position of the group in (office_id, procedure_id, month)


def _volumes(session: Session, scope: Scope, where: ReportFilter) -> dict[tuple[int, int, str], int]:
    """Dossiers handled per (office, procedure, month) as imported, within the filter and the caller's scope."""
    statement = select(
        OfficeFigures.office_id, OfficeFigures.procedure_id, OfficeFigures.month, OfficeFigures.dossiers_handled
    ).where(OfficeFigures.procedure_id.is_not(None), OfficeFigures.dossiers_handled.is_not(None))
    statement = where_scope_and_period(statement, OfficeFigures, allowed_offices(session, scope, where), where)
    rows = session.execute(statement)
    return {(office, int(procedure or 0), month): int(handled or 0) for office, procedure, month, handled in rows}


def weighted_figures(
    session: Session,
    scope: Scope,
    where: ReportFilter,
    *,
    group_by: str,
    settings: Settings,
    target: float | None = None,
    home_office_id: int | None = None,
) -> dict[str, WeightedShare]:
    """Group code → weighted share, for procedure, office or month groups (channels carry no dossier volume)."""
    if group_by not in WEIGHTED_GROUPS:
        raise ValueError(f"weighted shares are by {', '.join(WEIGHTED_GROUPS)}, not {group_by!r}")
    position = _KEY[group_by]
    cells = _cells(session, scope, where, lambda key: key[position])
    codes = _codes(session, group_by)
    lookup = targets(session, settings) if target is None else None
    result = {}
    for key, group_cells in cells.items():
        goal = group_target(lookup, group_by, key, where, home_office_id) if lookup is not None else target
        assert goal is not None
        result[codes.get(key, str(key))] = weighted_share(group_cells, target=goal, min_n=settings.min_n)
    return result


def _cells(
    session: Session,
    scope: Scope,
    where: ReportFilter,
    group_of: Callable[[tuple[int, int, str]], Any],
    *,
    only_with_volumes: bool = False,
) -> dict[Any, list[Cell]]:
    """Responses and dossiers per (office, procedure, month) cell, gathered by `group_of(cell key)`;
    `only_with_volumes`: read the responses of offices with imported volumes only (the others add nothing to a
    weighted share, and reading every cell of a national scope is what makes it slow)."""
    volumes = _volumes(session, scope, where)
    if only_with_volumes:
        if not volumes:
            return {}
        offices = {office for office, _procedure, _month in volumes}
        scope = offices if scope is None else offices & scope
    counts = read_counts(session, scope, where, metrics=("rating",), by=("office_id", "procedure_id", "month"))
    cells: dict[Any, list[Cell]] = defaultdict(list)
    for key, metrics in counts.items():
        n, satisfied = count_satisfied(metrics.get("rating", {}))
        cell_key = (int(key[0]), int(key[1]), str(key[2]))
        cells[group_of(cell_key)].append(Cell(n, satisfied, volumes.pop(cell_key, None)))
    for key, volume in volumes.items():  # dossiers handled where nobody answered
        cells[group_of(key)].append(Cell(0, 0, volume))
    return cells


def weighted_areas(
    session: Session, scope: Scope, where: ReportFilter, *, settings: Settings, target: float
) -> tuple[WeightedShare | None, dict[str, WeightedShare]]:
    """The whole filtered scope's weighted share and each province's (by province code), against one target;
    (None, {}) when no responses fall where dossier volumes are imported. Only offices with imported volumes are
    read, so `responses_without_volume` counts those offices' responses alone. Channels carry no volume, so a
    channel filter is refused by the caller, not here."""
    provinces: dict[int, str] = dict(session.execute(select(Office.id, Office.province_code)).all())
    cells = _cells(session, scope, where, lambda key: provinces.get(key[0], ""), only_with_volumes=True)
    shares = {code: weighted_share(group, target=target, min_n=settings.min_n) for code, group in cells.items()}
    shares = {code: share for code, share in shares.items() if share.share is not None}
    everything = [cell for group in cells.values() for cell in group]
    whole = weighted_share(everything, target=target, min_n=settings.min_n)
    return (None, {}) if whole.share is None else (whole, shares)


def as_fields(weighted: WeightedShare | None) -> dict[str, Any]:
    """The six added fields of one group (all None when the group has no weighted share)."""
    if weighted is None or weighted.share is None:
        return dict.fromkeys(WEIGHTED_FIELDS)
    return {
        "weighted_share": weighted.share,
        "effective_n": round(weighted.effective_n, 1),
        "weighted_ci_low": weighted.ci_low,
        "weighted_ci_high": weighted.ci_high,
        "weighted_status": weighted.status,
        "volume": weighted.volume,
    }


def _codes(session: Session, group_by: str) -> dict[Any, str]:
    if group_by == "procedure":
        return dict(session.execute(select(Procedure.id, Procedure.code)).all())
    if group_by == "office":
        return dict(session.execute(select(Office.id, Office.code)).all())
    return {}
