"""What the citizen pages need to know of a paper sheet, without importing the printing or entry services."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import Response
from survey.models_paper import PaperSheet


def sheet_for_dossier(session: Session, invitation_id: int | None) -> bool:
    """Whether the invitation is a paper sheet printed for a dossier (its answers are verified)."""
    if invitation_id is None:
        return False
    return bool(session.scalar(select(PaperSheet.for_dossier).where(PaperSheet.invitation_id == invitation_id)))


def keyed_in_from_paper(session: Session, invitation_id: int, response_id: int | None) -> bool:
    """Whether this invitation's answer came on its paper sheet, keyed in at the office.

    The sheet (and so its QR code) is then in the office's hands, not the citizen's: its link must not erase
    the answer, or whoever holds the pile could take unwelcome answers out."""
    if response_id is None:
        return False
    keyed = select(Response.id).where(Response.id == response_id, Response.channel == "paper")
    return (
        session.scalar(select(PaperSheet.id).where(PaperSheet.invitation_id == invitation_id, keyed.exists()))
        is not None
    )
