"""Services own their transactions: one decorator makes a service roll back its own work when it fails.

A service commits when its unit of work succeeds; with `@rolls_back_on_error` any exception it raises (a domain
error such as `UserError`, or the database going away) first rolls the session back, so the caller — a view, a
command, the API — only maps the error to a page, a message or JSON and never calls `rollback()` itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

P = ParamSpec("P")
R = TypeVar("R")


def rolls_back_on_error(service: Callable[Concatenate[Session, P], R]) -> Callable[Concatenate[Session, P], R]:
    """Wrap a service whose first argument is the session: on any exception, roll back, then re-raise."""

    @functools.wraps(service)
    def run(session: Session, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return service(session, *args, **kwargs)
        except BaseException:
            session.rollback()
            raise

    return run


def database_reachable(session: Session) -> bool:
    """Whether the database answers a trivial query now (for /healthz); the session is left clean either way."""
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        session.rollback()
        return False
    session.rollback()  # end the read transaction: a health check holds nothing open
    return True
