"""Officials' sign-ins, held on the server: a browser's cookie carries a random id, the database its hash.

Ending a sign-in deletes its row, so a cookie copied before a sign-out (or a password change, a reset, a
disabled account) opens nothing afterwards, on any worker or host. Nothing about the password is in the cookie.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from survey.models import User, UserSession
from survey.services.transactions import rolls_back_on_error

TOKEN_BYTES = 32  # 256 bits from the operating system's generator


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


@rolls_back_on_error
def start_session(session: Session, user: User, *, lifetime: timedelta) -> str:
    """A new sign-in for `user` lasting `lifetime`; returns the id for the cookie (only its hash is stored).

    Sign-ins that have run out are deleted on the way, so the table holds only live ones.
    """
    now = _now()
    session.execute(delete(UserSession).where(UserSession.expires_at <= now))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(UserSession(token_hash=_hash(token), user_id=user.id, created_at=now, expires_at=now + lifetime))
    session.commit()
    return token


def session_user(session: Session, token: str | None) -> User | None:
    """The active user signed in with this id, or None (unknown, ended or expired sign-in, disabled account)."""
    if not isinstance(token, str) or not token:
        return None
    return session.scalars(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == _hash(token), UserSession.expires_at > _now(), User.active.is_(True))
    ).first()


@rolls_back_on_error
def end_session(session: Session, token: str | None) -> None:
    """End one sign-in (signing out); an unknown id is not an error."""
    if isinstance(token, str) and token:
        session.execute(delete(UserSession).where(UserSession.token_hash == _hash(token)))
        session.commit()


def end_all_sessions(session: Session, user_id: int) -> None:
    """End every sign-in of this account, in the caller's transaction (stored when the caller commits)."""
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))


def live_sessions(session: Session, user_id: int) -> int:
    """How many sign-ins of this account are live now."""
    rows = session.scalars(
        select(UserSession.id).where(UserSession.user_id == user_id, UserSession.expires_at > _now())
    ).all()
    return len(rows)
