"""Who may see which offices: an official or an office-bound API key sees its office and the offices under it.

Every query for an official or a key goes through `visible_office_ids`, so pages, API and downloads agree.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from survey.models import User
from survey.services.catalog import cache


def subtree_ids(session: Session, office_id: int) -> set[int]:
    """The office and every office below it (by materialised path; kept per process, see catalog.cache)."""
    return set(cache.office_subtree(session, office_id))


def visible_office_ids(session: Session, *, office_id: int | None) -> set[int] | None:
    """Offices visible to a user or key bound to `office_id`; None means every office (admins, researchers)."""
    return None if office_id is None else subtree_ids(session, office_id)


def user_office_scope(session: Session, user: User) -> set[int] | None:
    """An official sees their subtree; researchers and admins see everything."""
    if user.role == "official":
        return subtree_ids(session, user.office_id) if user.office_id is not None else set()
    return None


def may_see_office(scope: set[int] | None, office_id: int) -> bool:
    return scope is None or office_id in scope
