"""Counts of one-time invitations kept in step with the invitations: issued, answered and answered 1–3, per month
issued, office, procedure and channel (`InvitationRollup`).

They are the denominator of the QĐ 766 rate and of coverage, read O(groups) like the response rollups. Call
these in the transaction that issues the link, stores its answer or erases that answer. A dossier belongs to the
month its invitation was issued, so an answer is counted in its invitation's cell, not in the month it arrived.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from sqlalchemy import delete, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from analysis.periods import local_month
from analysis.satisfaction import SATISFIED_RATINGS
from survey.models import Invitation, InvitationRollup

COUNTERS = ("issued", "answered", "not_satisfied")


def _add(session: Session, invitation: Invitation, **counts: int) -> None:
    """Add `counts` to the invitation's cell with one upsert."""
    if invitation.is_public or invitation.procedure_id is None:
        return  # poster links are not for one dossier: they are in no dossier count
    created = invitation.created_at
    if created.tzinfo is None:  # SQLite hands back naive datetimes; every stored time is UTC
        created = created.replace(tzinfo=UTC)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table: Any = InvitationRollup.__table__
    row = {
        "month": local_month(created),
        "office_id": invitation.office_id,
        "procedure_id": invitation.procedure_id,
        "channel": invitation.channel,
        **{name: counts.get(name, 0) for name in COUNTERS},
    }
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=["month", "office_id", "procedure_id", "channel"],
        set_={name: table.c[name] + statement.excluded[name] for name in COUNTERS},
    )
    session.connection().execute(statement, row)


def count_issued(session: Session, invitation: Invitation, count: int = 1) -> None:
    """A one-time link was issued (or `count` links alike: same month, office, procedure and channel)."""
    _add(session, invitation, issued=count)


def count_answer(session: Session, invitation: Invitation, rating: int) -> None:
    """The link's one answer was stored, with this overall rating."""
    _add(session, invitation, answered=1, not_satisfied=int(rating not in SATISFIED_RATINGS))


def uncount_answer(session: Session, invitation: Invitation, rating: int) -> None:
    """The answer was taken back (a paper sheet keyed in by mistake): the invitation is unanswered again."""
    _add(session, invitation, answered=-1, not_satisfied=-int(rating not in SATISFIED_RATINGS))


def uncount_erased_answer(session: Session, invitation: Invitation, rating: int) -> None:
    """The answer was erased: the invitation stays answered (the dossier was rated), its rating no longer counts."""
    _add(session, invitation, not_satisfied=-int(rating not in SATISFIED_RATINGS))


def local_month_sql(column: str, dialect: str) -> str:
    """SQL for the `YYYY-MM` month of a stored UTC time in Vietnamese time (UTC+7 all year: no daylight saving)."""
    if dialect == "postgresql":
        return f"to_char({column} AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM')"
    return f"strftime('%Y-%m', {column}, '+7 hours')"


def rebuild_invitation_rollups(session: Session) -> None:
    """Recount every cell from the invitations and their answers, in the database (bulk loads, repairs)."""
    session.execute(delete(InvitationRollup))
    month = local_month_sql("i.created_at", session.get_bind().dialect.name)
    worst = max(set(range(1, 6)) - SATISFIED_RATINGS)
    session.execute(
        text(
            "INSERT INTO invitation_rollups (month, office_id, procedure_id, channel, issued, answered, not_satisfied) "
            f"SELECT {month}, i.office_id, i.procedure_id, i.channel, COUNT(*), "
            "SUM(CASE WHEN i.used_at IS NOT NULL THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN r.rating <= {worst} THEN 1 ELSE 0 END) "
            "FROM invitations i LEFT JOIN responses r ON r.id = i.response_id "
            "WHERE NOT i.is_public AND i.procedure_id IS NOT NULL "
            f"GROUP BY {month}, i.office_id, i.procedure_id, i.channel"
        )
    )
