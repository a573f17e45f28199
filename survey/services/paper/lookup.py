"""What the citizen pages need to know of a paper sheet, without importing the printing or entry services."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models_paper import PaperSheet


def sheet_for_dossier(session: Session, invitation_id: int | None) -> bool:
    """Whether the invitation is a paper sheet printed for a dossier (its answers are verified)."""
    if invitation_id is None:
        return False
    return bool(session.scalar(select(PaperSheet.for_dossier).where(PaperSheet.invitation_id == invitation_id)))
