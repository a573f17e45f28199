"""Tables of access and accountability: officials' sign-ins, the audit log, and shared rate-limit windows.

Kept beside `survey.models` (which imports them at its end, so `from survey.models import AuditEntry` keeps working
and `Base.metadata` holds these tables for migrations).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from survey.models import Base, BigId


class UserSession(Base):
    """A signed-in browser. Its cookie holds a random id and this table only the id's hash, so deleting the row
    ends that sign-in at once, wherever the cookie was copied to (sign-out, password change, disabled account)."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class AuditEntry(Base):
    """Who did what: logins, exports, user, key and catalog changes."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(255))  # e-mail, "api-key:<prefix>" or "cli"
    action: Mapped[str] = mapped_column(String(60), index=True)
    target: Mapped[str | None] = mapped_column(String(255))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class RateLimitCounter(Base):
    """One rate-limit window: hits counted under `key` until `expires_at` (seconds since the epoch).

    Kept in the service's own database, so every worker and every host counts against the same limit
    (survey.ratelimit.DatabaseStorage); rows whose window has passed are reused or pruned.
    """

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(500), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    expires_at: Mapped[float] = mapped_column(Float, index=True)
