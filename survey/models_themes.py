"""Each comment's official theme(s) and the officials' corrections of them.

`comment_labels` holds one row per classified comment: the label every figure and quote reads. The classifier
fills it (`source = "model"`); an official's correction overwrites it (`source = "official"`), and the
classifier never touches a corrected row again. `theme_corrections` keeps every correction (who, when, the old
and the new labels), so the latest one wins and the earlier ones stay on record. `search_text` is the comment
lower-cased and without tone marks, so "cho doi" finds "chờ đợi" on SQLite and PostgreSQL alike.
Kept beside `survey.models` (which imports this module at its end).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from survey.models import Base

LABEL_SOURCES = ("model", "official")
NOT_A_COMPLAINT = "not_complaint"
"""An official's "not a complaint": the comment leaves every complaint figure (retraining reads it as `neutral`)."""


class CommentLabel(Base):
    """The official theme(s) of one response's comment: the classifier's, or an official's correction."""

    __tablename__ = "comment_labels"
    __table_args__ = (Index("ix_comment_labels_theme", "theme"), Index("ix_comment_labels_theme2", "theme2"))

    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    theme: Mapped[str] = mapped_column(String(40))
    theme2: Mapped[str | None] = mapped_column(String(40))
    probability: Mapped[float] = mapped_column(Float, default=0.0)
    source: Mapped[str] = mapped_column(String(10))
    model_version: Mapped[str | None] = mapped_column(String(60))
    labelled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    search_text: Mapped[str] = mapped_column(Text, default="")


class ThemeCorrection(Base):
    """One official's correction of a comment's theme(s): the latest per response is the one in force."""

    __tablename__ = "theme_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    corrected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    old_theme: Mapped[str | None] = mapped_column(String(40))
    old_theme2: Mapped[str | None] = mapped_column(String(40))
    new_theme: Mapped[str] = mapped_column(String(40))
    new_theme2: Mapped[str | None] = mapped_column(String(40))
