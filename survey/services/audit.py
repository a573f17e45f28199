"""The audit log: who did what, kept for officials' accountability; read by filter, newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from analysis.periods import LOCAL_TIME
from survey.models import AuditEntry


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
    user_id: int | None = None,
) -> AuditEntry:
    """Add an entry to the caller's transaction (it is stored when the caller commits)."""
    entry = AuditEntry(
        at=datetime.now(UTC),
        user_id=user_id,
        actor=actor,
        action=action,
        target=target,
        details=details or {},
    )
    session.add(entry)
    return entry


PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    actor: str | None = None  # part of the actor's e-mail / name, case-insensitive
    date_from: date | None = None  # inclusive, Vietnamese calendar day
    date_to: date | None = None  # inclusive


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    page: int
    pages: int
    total: int


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TIME).astimezone(UTC)


def _filtered(query: Select[Any], where: AuditFilter) -> Select[Any]:
    if where.action:
        query = query.where(AuditEntry.action == where.action)
    if where.actor:
        pattern = where.actor.strip().lower()
        query = query.where(func.lower(AuditEntry.actor).contains(pattern, autoescape=True))
    if where.date_from:
        query = query.where(AuditEntry.at >= _start_of(where.date_from))
    if where.date_to:
        query = query.where(AuditEntry.at < _start_of(where.date_to + timedelta(days=1)))
    return query


def search_audit_log(session: Session, where: AuditFilter, *, page: int = 1, page_size: int = PAGE_SIZE) -> AuditPage:
    """One page of matching entries, newest first; a page past the end gives the last page."""
    base = _filtered(select(AuditEntry), where)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    entries = session.scalars(
        base.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).offset((page - 1) * page_size).limit(page_size)
    )
    return AuditPage(list(entries), page, pages, total)


def audit_actions(session: Session) -> list[str]:
    """The actions that occur in the log, for a filter's choices."""
    return list(session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
