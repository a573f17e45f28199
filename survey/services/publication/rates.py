"""Response rates: of the dossiers an office sent a one-time survey link for, how many were rated.

Counted from the invitations issued in the period (by Vietnamese month of issue). A dossier that was sent a second
link counts once, so a re-issued link does not lower the rate; poster links have no dossier and are not counted.
Offices that issue no one-time links have no known rate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from analysis.periods import month_end, month_start
from survey.models import Invitation
from survey.services.publication.offices import subtrees
from survey.services.publication.period import Period
from survey.services.reporting.query import OfficeInfo


@dataclass(frozen=True)
class ResponseRate:
    issued: int
    answered: int

    @property
    def rate(self) -> float:
        return self.answered / self.issued

    @staticmethod
    def total(rates: Iterable[ResponseRate]) -> ResponseRate | None:
        rates = list(rates)
        if not rates:
            return None
        return ResponseRate(sum(r.issued for r in rates), sum(r.answered for r in rates))


def response_rates(
    session: Session, offices: Sequence[OfficeInfo], period: Period
) -> dict[int, dict[int, ResponseRate]]:
    """Listed office id → procedure id → dossiers sent a link and dossiers rated, over the office's subtree."""
    scope, owners = subtrees(session, offices)
    if not scope:
        return {}
    dossier = Invitation.dossier_hash
    statement = (
        select(
            Invitation.office_id,
            Invitation.procedure_id,
            func.count(distinct(dossier)),
            func.count(distinct(case((Invitation.used_at.is_not(None), dossier)))),
        )
        .where(
            Invitation.is_public.is_(False),
            Invitation.office_id.in_(sorted(scope)),
            Invitation.created_at >= month_start(period.month_from).astimezone(UTC),
            Invitation.created_at < month_end(period.month_to).astimezone(UTC),
        )
        .group_by(Invitation.office_id, Invitation.procedure_id)
    )
    sums: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for office_id, procedure_id, issued, answered in session.execute(statement):
        if procedure_id is None:
            continue  # only poster links lack a procedure, and they are not counted
        for owner in owners.get(office_id, ()):
            cell = sums[owner][procedure_id]
            cell[0] += int(issued)
            cell[1] += int(answered)
    return {
        owner: {pid: ResponseRate(cell[0], cell[1]) for pid, cell in cells.items() if cell[0]}
        for owner, cells in sums.items()
    }
