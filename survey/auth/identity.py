"""The signed-in official, kept in the Flask session by id plus a stamp that a password change invalidates."""

from __future__ import annotations

from flask import g, session

from survey.extensions import db
from survey.models import User

SESSION_USER = "user_id"
SESSION_STAMP = "auth_stamp"


def _stamp(user: User) -> str:
    changed = user.password_changed_at.isoformat() if user.password_changed_at else ""
    return f"{user.id}:{changed}:{user.password_hash[-12:]}"


def log_in(user: User) -> None:
    """Start a fresh session for `user` (clears anything left from before, against session fixation)."""
    language = session.get("lang")
    session.clear()
    session[SESSION_USER] = user.id
    session[SESSION_STAMP] = _stamp(user)
    if language:
        session["lang"] = language
    session.permanent = True
    g.pop("current_user", None)


def log_out() -> None:
    session.clear()
    g.pop("current_user", None)


def current_user() -> User | None:
    """The active user of this request's session, or None (also after a password change or a disable)."""
    if "current_user" in g:
        return g.current_user
    user = None
    user_id = session.get(SESSION_USER)
    if isinstance(user_id, int):
        candidate = db.session.get(User, user_id)
        if candidate is not None and candidate.active and session.get(SESSION_STAMP) == _stamp(candidate):
            user = candidate
    g.current_user = user
    return user
