"""The paper channel's tables: each printing of survey sheets, and each printed sheet with its one-time code.

Kept beside `survey.models` (which imports this module at its end, so `Base.metadata` holds these tables for
migrations). A sheet is a one-time invitation (channel `paper`) plus the short code printed on it: the code is
what a clerk keys in, the invitation's signed link is what the sheet's QR code opens, so a sheet is answered
once whichever way. A sheet printed for a dossier carries that dossier's keyed hash; a plain sheet carries a
keyed hash of its own code, so that it too is "rated" once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models import Base, BigId, Invitation


class PaperPrint(Base):
    """One printing: who printed how many sheets for which office and procedure (and whether for a dossier)."""

    __tablename__ = "paper_prints"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    printed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"))
    sheets: Mapped[int] = mapped_column(Integer)
    for_dossier: Mapped[bool] = mapped_column(Boolean, default=False)


class PaperSheet(Base):
    """A printed sheet: its one-time code (check character included, no separator) and its invitation."""

    __tablename__ = "paper_sheets"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), unique=True)
    print_id: Mapped[int] = mapped_column(ForeignKey("paper_prints.id", ondelete="CASCADE"), index=True)
    for_dossier: Mapped[bool] = mapped_column(Boolean, default=False)

    invitation: Mapped[Invitation] = relationship()
