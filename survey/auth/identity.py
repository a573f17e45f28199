"""The signed-in official: the Flask session carries only a random sign-in id, checked on the server each request.

The id's row (survey.services.accounts.sessions) is deleted at sign-out, at a password change or reset and when
the account is disabled, so a copied cookie stops working at once. The cookie holds nothing about the password.
"""

from __future__ import annotations

from flask import current_app, g, session

from survey.extensions import db
from survey.models import User
from survey.services.accounts import sessions

SESSION_ID = "sid"


def log_in(user: User) -> None:
    """Start a fresh sign-in for `user` (clears anything left from before, against session fixation)."""
    language = session.get("lang")
    previous = session.get(SESSION_ID)
    session.clear()
    if previous:
        sessions.end_session(db.session(), previous)
    session[SESSION_ID] = sessions.start_session(db.session(), user, lifetime=current_app.permanent_session_lifetime)
    if language:
        session["lang"] = language
    session.permanent = True
    g.pop("current_user", None)


def log_out() -> None:
    """End this browser's sign-in on the server and forget everything in its session."""
    sessions.end_session(db.session(), session.get(SESSION_ID))
    session.clear()
    g.pop("current_user", None)


def current_user() -> User | None:
    """The active user of this request's sign-in, or None (also once it was ended, or the account disabled)."""
    if "current_user" in g:
        return g.current_user
    user = sessions.session_user(db.session(), session.get(SESSION_ID))
    g.current_user = user
    return user
