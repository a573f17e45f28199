"""Satisfaction summaries read from the rollups: the numbers behind `report`, the API and the dashboard."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from analysis.satisfaction import summarise_counts
from survey.models import Office, Procedure, RatingRollup, Rollup

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

    @property
    def needs_channels(self) -> bool:
        """Only the fine rollups know the channel; everything else reads the compact rating rollups."""
        return self.channels is not None

    def apply(self, statement: Select[Any], table: Any = Rollup) -> Select[Any]:
        if self.verified_only and table is Rollup:
            statement = statement.where(Rollup.verified.is_(True))
        if self.office_ids is not None:
            statement = statement.where(table.office_id.in_(list(self.office_ids)))
        if self.month_from:
            statement = statement.where(table.month >= self.month_from)
        if self.month_to:
            statement = statement.where(table.month <= self.month_to)
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
    where = where or SummaryFilter()
    if group_by == "channel" or where.needs_channels:
        counts = _counts_from_rollups(session, group_by, where)
    else:
        counts = _counts_from_rating_rollups(session, group_by, where)
    return [
        {group_by: group, **summarise_counts(n, satisfied, target=target, min_n=min_n)}
        for group, (n, satisfied) in sorted(counts.items())
        if n > 0
    ]


def _counts_from_rollups(session: Session, group_by: str, where: SummaryFilter) -> dict[str, list[int]]:
    """(n, satisfied) per group from the fine rollups (any filter, channel included)."""
    key = _group_column(group_by)
    statement = (
        select(key, Rollup.value, func.sum(Rollup.count))
        .join(Procedure, Procedure.id == Rollup.procedure_id)
        .join(Office, Office.id == Rollup.office_id)
        .where(Rollup.metric == "rating")
        .group_by(key, Rollup.value)
    )
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for group, value, count in session.execute(where.apply(statement)):
        counts[group][0] += int(count)
        if value in SATISFIED_VALUES:
            counts[group][1] += int(count)
    return counts


def _counts_from_rating_rollups(session: Session, group_by: str, where: SummaryFilter) -> dict[str, list[int]]:
    """(n, satisfied) per group from one row per month, office and procedure: fast at national scale."""
    key = {"procedure": Procedure.code, "office": Office.code, "month": RatingRollup.month}[group_by]
    prefix = "verified" if where.verified_only else "rating"
    columns = [getattr(RatingRollup, f"{prefix}_{value}") for value in "12345"]
    statement = (
        select(key, *(func.sum(column) for column in columns))
        .join(Procedure, Procedure.id == RatingRollup.procedure_id)
        .join(Office, Office.id == RatingRollup.office_id)
        .group_by(key)
    )
    counts: dict[str, list[int]] = {}
    for group, *per_rating in session.execute(where.apply(statement, RatingRollup)):
        per_rating = [int(count or 0) for count in per_rating]
        counts[group] = [sum(per_rating), per_rating[3] + per_rating[4]]
    return counts


def group_names(session: Session, group_by: str) -> dict[str, str]:
    """Display names for procedure and office codes (other groups are their own names)."""
    if group_by == "procedure":
        return dict(session.execute(select(Procedure.code, Procedure.name)).all())
    if group_by == "office":
        return dict(session.execute(select(Office.code, Office.name)).all())
    return {}
