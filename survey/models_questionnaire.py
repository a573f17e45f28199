"""The questionnaire's tables: its versions, the local questions a province or an office appends to a version,
the exact set a form showed, and the typed answers (one row per answer, never one column per question). Part of
`survey.models` (kept apart because that module is at its size limit), which imports this module so the tables
are in its metadata.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from survey.models import Base, _codes

QUESTIONNAIRE_STATUSES = ("draft", "published", "superseded", "retired")
LOCAL_QUESTION_TYPES = ("scale", "choice", "yes_no", "text")
LOCAL_SCOPE_KINDS = ("province", "office")


class QuestionnaireVersion(Base):
    """The instrument as data: a response points at the version it answered.

    `status`: draft (imported, not yet shown to anyone), published (what new links render; `active`, one at a
    time), superseded (replaced, but links and paper sheets issued under it are still accepted), retired (no
    longer accepted). `comparable_with` lists the versions whose overall rating and SIPAS elements mean the same.
    """

    __tablename__ = "questionnaire_versions"
    __table_args__ = (CheckConstraint(_codes("status", QUESTIONNAIRE_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default="published", server_default="published")
    comparable_with: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LocalQuestion(Base):
    """A question a province (or an office and the offices under it) appends to a questionnaire version.

    Shown on the forms of the offices in its scope between `valid_from` and `valid_to` (inclusive, Việt Nam
    dates; open when empty) once published; its answers live in `local_answers`, never in new columns.
    """

    __tablename__ = "local_questions"
    __table_args__ = (
        UniqueConstraint("questionnaire_version_id", "scope_code", "code", name="uq_local_questions_code"),
        CheckConstraint(_codes("type", LOCAL_QUESTION_TYPES), name="type"),
        CheckConstraint(_codes("scope_kind", LOCAL_SCOPE_KINDS), name="scope_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"), index=True)
    scope_kind: Mapped[str] = mapped_column(String(10))
    scope_code: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(10))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[dict[str, Any]] = mapped_column(JSON)
    options: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LocalQuestionSet(Base):
    """The exact local questions one form showed (for one version): a response points at the set it answered."""

    __tablename__ = "local_question_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    key: Mapped[str] = mapped_column(String(255), unique=True)  # "<version id>:<question id>,<question id>…"
    question_ids: Mapped[list[Any]] = mapped_column(JSON)


class LocalAnswer(Base):
    """One answer to a local question, typed: a scale point, an option code (choice, yes/no) or redacted text."""

    __tablename__ = "local_answers"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN number IS NULL THEN 0 ELSE 1 END) + (CASE WHEN code IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN text IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_value",
        ),
        CheckConstraint("number IS NULL OR number BETWEEN 1 AND 5", name="number"),
    )

    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("local_questions.id"), primary_key=True, index=True)
    number: Mapped[int | None] = mapped_column(SmallInteger)
    code: Mapped[str | None] = mapped_column(String(12))
    text: Mapped[str | None] = mapped_column(Text)  # redacted before it is stored
