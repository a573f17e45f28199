"""The audit log: who did what, kept for officials' accountability."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

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
