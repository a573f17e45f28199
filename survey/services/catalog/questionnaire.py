"""Questionnaire versions: the instrument is data, and every response points at the version it answered.

One version is published at a time: new links and the poster links render it. A one-time link remembers the
version it was issued under, and a paper sheet carries its version's number: their answers are stored against
that version for as long as it is accepted (published, or superseded by a newer one but not retired).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey.models import QuestionnaireVersion

ACCEPTED_STATUSES = ("published", "superseded")
"""Versions whose answers are still stored against them (links and sheets issued under them)."""


def shipped_definition(version: int = 1) -> dict[str, Any]:
    """The questionnaire definition shipped with the service."""
    text = (resources.files("survey") / "data" / f"questionnaire_v{version}.json").read_text("utf-8")
    return dict(json.loads(text))


def published_version(session: Session) -> QuestionnaireVersion | None:
    """The version new links render, read without writing (None before the first response installs version 1)."""
    return session.scalars(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.active.is_(True))
        .order_by(QuestionnaireVersion.version.desc())
        .limit(1)
    ).first()


def active_questionnaire(session: Session) -> QuestionnaireVersion:
    """The version citizens answer now; installs the shipped version 1 on first use."""
    current = published_version(session)
    if current is not None:
        return current
    definition = shipped_definition(1)
    now = datetime.now(UTC)
    current = QuestionnaireVersion(
        version=definition["version"],
        title=definition["title"]["vi"],
        definition=definition,
        created_at=now,
        active=True,
        status="published",
        comparable_with=[],
        published_at=now,
    )
    session.add(current)
    session.flush()
    return current


def published_version_id(session: Session) -> int:
    """The published version's id, installing version 1 first if need be (committed at once: two first requests
    at the same time may both try, and the loser reads the winner's)."""
    current = published_version(session)
    if current is not None:
        return current.id
    try:
        version_id = active_questionnaire(session).id
        session.commit()
    except IntegrityError:
        session.rollback()
        version_id = active_questionnaire(session).id
    return version_id


def accepted_version(
    session: Session, *, version_id: int | None = None, number: int | None = None
) -> QuestionnaireVersion | None:
    """The version with this id or number if answers to it are still accepted; None otherwise."""
    if version_id is None and number is None:
        return None
    statement = select(QuestionnaireVersion).where(QuestionnaireVersion.status.in_(ACCEPTED_STATUSES))
    if version_id is not None:
        statement = statement.where(QuestionnaireVersion.id == version_id)
    if number is not None:
        statement = statement.where(QuestionnaireVersion.version == number)
    return session.scalars(statement).first()
