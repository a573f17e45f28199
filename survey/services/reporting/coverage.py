"""Coverage: one-time invitations issued and answered (the response rate) per office, procedure, channel or month
issued, with a warning where the rate is too low to trust the shares built on it.

Counts come from the invitation rollups through `query.read_invitation_counts`, scoped and filtered like every
other figure; the rate, its interval and the warning come from `analysis.coverage`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.coverage import Coverage, response_rate
from survey.models import Office, Procedure
from survey.services.reporting.query import ReportFilter, Scope, read_invitation_counts
from survey.services.reporting.summary import Settings

COVERAGE_GROUPS = {"office": "office_id", "procedure": "procedure_id", "channel": "channel", "month": "month"}
"""What coverage can be broken down by, and the invitation rollup column behind each."""


@dataclass(frozen=True)
class CoverageRow:
    code: str  # office or procedure code, channel code or month
    name: str
    coverage: Coverage
    not_satisfied: int  # answers rated 1–3, kept for the QĐ 766 rate


@dataclass(frozen=True)
class CoverageTable:
    by: str
    rows: list[CoverageRow]
    total: Coverage


def coverage(session: Session, scope: Scope, where: ReportFilter, settings: Settings, *, by: str) -> CoverageTable:
    """Invitations issued and answered per group (in code or month order) and in all, each with its rate."""
    if by not in COVERAGE_GROUPS:
        raise ValueError(f"coverage is broken down by one of {', '.join(COVERAGE_GROUPS)}, got {by!r}")
    counts = read_invitation_counts(session, scope, where, by=(COVERAGE_GROUPS[by],))
    names = _names(session, by)
    rows = []
    for (key,), (issued, answered, not_satisfied) in counts.items():
        code, name = names.get(key, (str(key), ""))
        rows.append(CoverageRow(code, name, response_rate(issued, answered, min_rate=settings.min_response_rate),
                                not_satisfied))  # fmt: skip
    issued = sum(row.coverage["issued"] for row in rows)
    answered = sum(row.coverage["answered"] for row in rows)
    total = response_rate(issued, answered, min_rate=settings.min_response_rate)
    return CoverageTable(by, sorted(rows, key=lambda row: row.code), total)


def _names(session: Session, by: str) -> dict[Any, tuple[str, str]]:
    if by == "office":
        return {key: (code, name) for key, code, name in session.execute(select(Office.id, Office.code, Office.name))}
    if by == "procedure":
        rows = session.execute(select(Procedure.id, Procedure.code, Procedure.name))
        return {key: (code, name) for key, code, name in rows}
    return {}
