"""The one reporting core: a filter becomes per-group satisfied counts, each judged against its own target.

Every reader — dashboard pages and their downloads, `report`, `GET /api/v1/summary` — calls `group_figures` (or
`satisfaction_summary`, its contract-shaped form), so two screens cannot disagree. Counts come from the rollups through
`query.read_counts` (scoped, O(groups)); targets are resolved here, per procedure and office, else the deployment's
setting; statistics come from `analysis.satisfaction`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.coverage import DEFAULT_MIN_RESPONSE_RATE
from analysis.satisfaction import DEFAULT_MIN_N, DEFAULT_TARGET, Summary, count_satisfied, summarise_counts
from survey.models import Office, Procedure
from survey.services.reporting.query import ReportFilter, Scope, read_counts
from survey.services.reporting.targets import TargetLookup, load_targets

GROUPS = ("procedure", "office", "month", "channel")
"""What a summary can be grouped by (DESIGN.md §5: `report --group-by`, `group_by=` on the API)."""

_COUNT_COLUMN = {"procedure": "procedure_id", "office": "office_id", "month": "month", "channel": "channel"}


@dataclass(frozen=True)
class Settings:
    """The deployment's statistics settings (SATISFACTION_TARGET, MINIMUM_N and MINIMUM_RESPONSE_RATE in
    app.config)."""

    default_target: float = DEFAULT_TARGET
    min_n: int = DEFAULT_MIN_N
    min_response_rate: float = DEFAULT_MIN_RESPONSE_RATE

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        return cls(
            default_target=float(config["SATISFACTION_TARGET"]),
            min_n=int(config["MINIMUM_N"]),
            min_response_rate=float(config.get("MINIMUM_RESPONSE_RATE", DEFAULT_MIN_RESPONSE_RATE)),
        )


@dataclass(frozen=True)
class GroupFigure:
    """One group's figure: its code (procedure/office code, month, channel), name, target and judged share."""

    key: Any  # procedure id, office id, month or channel: what the rollups group by
    code: str
    name: str
    target: float
    summary: Summary

    @property
    def gap(self) -> float | None:
        """Target − share: positive means below target."""
        share = self.summary["share"]
        return None if share is None else self.target - share


def targets(session: Session, settings: Settings) -> TargetLookup:
    return load_targets(session, default=settings.default_target)


def scope_target(lookup: TargetLookup, where: ReportFilter, home_office_id: int | None) -> float:
    """The target of a filtered scope: the filtered office's (or the caller's own office's), most specific wins."""
    office_id = where.office_id if where.office_id is not None else home_office_id
    return lookup.target(procedure_id=where.procedure_id, office_id=office_id)


def group_target(
    lookup: TargetLookup, group_by: str, key: Any, where: ReportFilter, home_office_id: int | None
) -> float:
    """A group's own target: a procedure's (at the scope's office) or an office's (for the filtered procedure)."""
    office_id = where.office_id if where.office_id is not None else home_office_id
    if group_by == "procedure":
        return lookup.target(procedure_id=key, office_id=office_id)
    if group_by == "office":
        return lookup.target(procedure_id=where.procedure_id, office_id=key)
    return lookup.target(procedure_id=where.procedure_id, office_id=office_id)


def group_figures(
    session: Session,
    scope: Scope,
    where: ReportFilter,
    *,
    group_by: str,
    settings: Settings,
    target: float | None = None,
    home_office_id: int | None = None,
) -> list[GroupFigure]:
    """Satisfied share per group, in code order. `target` given = one target for all groups (`--target`);
    otherwise each group's own target from the admin's settings, else the deployment default."""
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {', '.join(GROUPS)}, got {group_by!r}")
    if target is not None and not 0 < target < 1:
        raise ValueError(f"target must be between 0 and 1, got {target}")
    if settings.min_n < 1:
        raise ValueError(f"min_n must be at least 1, got {settings.min_n}")
    counts = read_counts(session, scope, where, metrics=("rating",), by=(_COUNT_COLUMN[group_by],))
    lookup = targets(session, settings) if target is None else None
    codes = _codes_and_names(session, group_by)
    figures = []
    for (key,), metrics in counts.items():
        n, satisfied = count_satisfied(metrics.get("rating", {}))
        if not n:
            continue
        code, name = codes.get(key, (str(key), str(key)))
        group_goal = group_target(lookup, group_by, key, where, home_office_id) if lookup is not None else target
        assert group_goal is not None  # a lookup is loaded whenever no target was given
        summary = summarise_counts(n, satisfied, target=group_goal, min_n=settings.min_n)
        figures.append(GroupFigure(key=key, code=code, name=name, target=group_goal, summary=summary))
    return sorted(figures, key=lambda figure: figure.code)


def satisfaction_summary(
    session: Session,
    scope: Scope,
    where: ReportFilter,
    *,
    group_by: str = "procedure",
    settings: Settings,
    target: float | None = None,
    home_office_id: int | None = None,
) -> list[dict[str, Any]]:
    """DESIGN.md §5 objects: the group code under its own name, then n, satisfied, share, ci_low, ci_high, status."""
    figures = group_figures(
        session, scope, where, group_by=group_by, settings=settings, target=target, home_office_id=home_office_id
    )
    return [{group_by: figure.code, **figure.summary} for figure in figures]


def _codes_and_names(session: Session, group_by: str) -> dict[Any, tuple[str, str]]:
    """Rollup key → (code, display name): procedures and offices by id; months and channels are their own code."""
    if group_by == "procedure":
        rows = session.execute(select(Procedure.id, Procedure.code, Procedure.name))
    elif group_by == "office":
        rows = session.execute(select(Office.id, Office.code, Office.name))
    else:
        return {}
    return {key: (code, name) for key, code, name in rows}
