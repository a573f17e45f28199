"""Satisfaction summaries read from the rollups: the numbers behind `report`, the API and the dashboard."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from analysis.satisfaction import summarise_counts
from survey.models import Office, Procedure, Rollup

GROUPS = ("procedure", "office", "month", "channel")
SATISFIED_VALUES = ("4", "5")


@dataclass(frozen=True)
class SummaryFilter:
    """What to count: everything by default; office_ids restricts to an official's subtree."""

    verified_only: bool = False
    office_ids: Collection[int] | None = None
    month_from: str | None = None
    month_to: str | None = None
    procedure_codes: Collection[str] | None = None
    channels: Collection[str] | None = None

    def apply(self, statement: Select[Any]) -> Select[Any]:
        if self.verified_only:
            statement = statement.where(Rollup.verified.is_(True))
        if self.office_ids is not None:
            statement = statement.where(Rollup.office_id.in_(list(self.office_ids)))
        if self.month_from:
            statement = statement.where(Rollup.month >= self.month_from)
        if self.month_to:
            statement = statement.where(Rollup.month <= self.month_to)
        if self.procedure_codes is not None:
            statement = statement.where(Procedure.code.in_(list(self.procedure_codes)))
        if self.channels is not None:
            statement = statement.where(Rollup.channel.in_(list(self.channels)))
        return statement


def _group_column(group_by: str) -> Any:
    columns = {
        "procedure": Procedure.code,
        "office": Office.code,
        "month": Rollup.month,
        "channel": Rollup.channel,
    }
    try:
        return columns[group_by]
    except KeyError:
        raise ValueError(f"group_by must be one of {', '.join(GROUPS)}, got {group_by!r}") from None


def satisfaction_summary(
    session: Session,
    *,
    group_by: str = "procedure",
    target: float = 0.90,
    min_n: int = 30,
    where: SummaryFilter | None = None,
) -> list[dict[str, Any]]:
    """One object per group: the group code under its own name, then n, satisfied, share, ci_low, ci_high, status."""
    if not 0 < target < 1:
        raise ValueError(f"target must be between 0 and 1, got {target}")
    if min_n < 1:
        raise ValueError(f"min_n must be at least 1, got {min_n}")
    key = _group_column(group_by)
    statement = (
        select(key, Rollup.value, func.sum(Rollup.count))
        .join(Procedure, Procedure.id == Rollup.procedure_id)
        .join(Office, Office.id == Rollup.office_id)
        .where(Rollup.metric == "rating")
        .group_by(key, Rollup.value)
    )
    statement = (where or SummaryFilter()).apply(statement)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for group, value, count in session.execute(statement):
        counts[group][0] += int(count)
        if value in SATISFIED_VALUES:
            counts[group][1] += int(count)
    return [
        {group_by: group, **summarise_counts(n, satisfied, target=target, min_n=min_n)}
        for group, (n, satisfied) in sorted(counts.items())
        if n > 0
    ]


def group_names(session: Session, group_by: str) -> dict[str, str]:
    """Display names for procedure and office codes (other groups are their own names)."""
    if group_by == "procedure":
        return dict(session.execute(select(Procedure.code, Procedure.name)).all())
    if group_by == "office":
        return dict(session.execute(select(Office.code, Office.name)).all())
    return {}
