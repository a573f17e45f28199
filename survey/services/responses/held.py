"""Responses held back by the spam rules: holding them out of the counts, listing them, releasing them.

A held (flagged) response is stored with its reasons but counted nowhere: not in the rollups every figure reads,
nor in theme runs or research exports. An admin who judges it genuine releases it: from then on it is counted
like any other response, in its own month, and the release is in the audit log. Verified responses are never
held by the spam rules.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.orm import Session

from survey.models import Office, Procedure, Response, Rollup, SubmissionSignal
from survey.services import audit
from survey.services.responses.local_answers import local_cells
from survey.services.responses.rollups import add_to_rollups, count_cells, response_values
from survey.services.transactions import rolls_back_on_error

PAGE_SIZE = 50


def hold(session: Session, candidates: Any, *, reasons: list[str], score: int) -> list[int]:
    """Hold the counted, never-released, unverified responses whose ids `candidates` selects; returns their ids.

    Takes them out of the rollups in the caller's transaction; the caller commits.
    """
    responses = list(
        session.scalars(
            select(Response).where(
                Response.id.in_(candidates),
                Response.flagged.is_(False),
                Response.released_at.is_(None),
                Response.verified.is_(False),
            )
        )
    )
    if not responses:
        return []
    counted = count_cells([response_values(response) for response in responses])
    for response in responses:
        counted.update(local_cells(session, response))
    add_to_rollups(session, counted, sign=-1)
    cells = sorted({(r.month, r.office_id, r.procedure_id) for r in responses})
    session.execute(
        delete(Rollup)
        .where(Rollup.count <= 0, tuple_(Rollup.month, Rollup.office_id, Rollup.procedure_id).in_(cells))
        .execution_options(synchronize_session=False)
    )
    for response in responses:
        response.flagged = True
        response.spam_reason = ",".join(dict.fromkeys([*_reasons(response), *reasons]))[:120]
        response.spam_score = max(response.spam_score or 0, score)
    session.flush()
    return [response.id for response in responses]


class NotHeld(LookupError):
    """No held response has this id (never held, already released, or erased)."""


@rolls_back_on_error
def release(session: Session, response_id: int, *, actor: str, user_id: int | None = None) -> Response:
    """Count a held response from now on (rollups, figures, exports) and note who released it."""
    now = datetime.now(UTC)
    claimed = session.execute(
        update(Response)
        .where(Response.id == response_id, Response.flagged.is_(True))
        .values(flagged=False, released_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise NotHeld(response_id)  # also when another admin released it a moment ago
    response = session.get_one(Response, response_id, populate_existing=True)
    counted = count_cells([response_values(response)])
    counted.update(local_cells(session, response))
    add_to_rollups(session, counted)
    session.execute(
        update(SubmissionSignal).where(SubmissionSignal.response_id == response_id).values(flagged=False)
    )  # counted from now on, also towards its link's daily cap
    office_code = session.scalar(select(Office.code).where(Office.id == response.office_id))
    audit.record(
        session,
        actor=actor,
        user_id=user_id,
        action="response.release",
        target=f"response:{response_id}",
        details={"office": office_code, "month": response.month, "reasons": response.spam_reason or ""},
    )
    session.commit()
    return response


@dataclass(frozen=True)
class HeldRow:
    id: int
    created_at: datetime
    office_code: str
    office_name: str
    procedure_code: str
    procedure_name: str
    channel: str
    rating: int
    comment: str | None
    reasons: tuple[str, ...]
    score: int


@dataclass(frozen=True)
class HeldPage:
    rows: list[HeldRow]
    total: int
    page: int
    pages: int
    by_reason: dict[str, int]  # how many held responses carry each reason


def _reasons(response: Response) -> tuple[str, ...]:
    return tuple(response.spam_reason.split(",")) if response.spam_reason else ()


def _row(response: Response, office_code: str, office_name: str, procedure_code: str, procedure_name: str) -> HeldRow:
    return HeldRow(
        id=response.id,
        created_at=response.created_at,
        office_code=office_code,
        office_name=office_name,
        procedure_code=procedure_code,
        procedure_name=procedure_name,
        channel=response.channel,
        rating=response.rating,
        comment=response.comment,
        reasons=_reasons(response),
        score=response.spam_score or 0,
    )


def held_responses(session: Session, *, page: int = 1) -> HeldPage:
    """Held responses, newest first, a page at a time, with how many carry each reason."""
    total = int(session.scalar(select(func.count()).select_from(Response).where(Response.flagged.is_(True))) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    statement = (
        select(Response, Office.code, Office.name, Procedure.code, Procedure.name)
        .join(Office, Office.id == Response.office_id)
        .join(Procedure, Procedure.id == Response.procedure_id)
        .where(Response.flagged.is_(True))
        .order_by(Response.created_at.desc(), Response.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    rows = [_row(*result) for result in session.execute(statement)]
    by_reason: Counter[str] = Counter()
    held = Response.flagged.is_(True)
    grouped = select(Response.spam_reason, func.count()).where(held).group_by(Response.spam_reason)
    for reasons, count in session.execute(grouped):
        for reason in (reasons or "").split(","):
            if reason:
                by_reason[reason] += count
    return HeldPage(rows, total, page, pages, dict(by_reason.most_common()))
