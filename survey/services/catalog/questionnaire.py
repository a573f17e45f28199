"""Questionnaire versions: the instrument is data, and every response points at the version it answered."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import QuestionnaireVersion


def shipped_definition(version: int = 1) -> dict[str, Any]:
    """The questionnaire definition shipped with the service."""
    text = (resources.files("survey") / "data" / f"questionnaire_v{version}.json").read_text("utf-8")
    return dict(json.loads(text))


def active_questionnaire(session: Session) -> QuestionnaireVersion:
    """The version citizens answer now; installs the shipped version 1 on first use."""
    current = session.scalars(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.active.is_(True))
        .order_by(QuestionnaireVersion.version.desc())
    ).first()
    if current is not None:
        return current
    definition = shipped_definition(1)
    current = QuestionnaireVersion(
        version=definition["version"],
        title=definition["title"]["vi"],
        definition=definition,
        created_at=datetime.now(UTC),
        active=True,
    )
    session.add(current)
    session.flush()
    return current
