"""Importing, publishing and retiring questionnaire versions, each audited with who did it.

An import is all or nothing: a file with any problem imports nothing and every problem is reported with its
path. A new version arrives as a draft (nobody sees it until it is published); a file with an existing
version's number and the same national questions appends local questions to that version, which wait for the
next publication of it. Publishing a version supersedes the one before: links already issued under that one
keep it until they expire; retiring a version stops its answers from being accepted at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from survey.models import Invitation, LocalQuestion, QuestionnaireVersion
from survey.services import audit
from survey.services.accounts.users import Actor
from survey.services.catalog.questionnaire import active_questionnaire
from survey.services.catalog.questionnaire_checks import (
    Problem,
    local_problems,
    national_part,
    question_problems,
    resolved_comparable_with,
    schema_problems,
    version_problems,
)
from survey.services.transactions import rolls_back_on_error

FILE_MAX = 512 * 1024  # a questionnaire is a few kilobytes


class QuestionnaireImportError(ValueError):
    """The file was refused; `problems` says where and why, and nothing was imported."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


class VersionStateError(ValueError):
    """A version cannot be published or retired in its present state: `reason` is a code, the message says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason  # retired, nothing_to_publish, published, unknown


@dataclass(frozen=True)
class ImportOutcome:
    version_id: int
    version: int
    created: bool  # False: local questions were appended to an existing version
    local_questions: int
    published: bool


def read_file(path: str | Path) -> Any:
    """The JSON in a file, or a QuestionnaireImportError saying why it cannot be read."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise QuestionnaireImportError([Problem("$", f"cannot read the file: {exc.strerror or exc}")]) from None
    return parse_json(raw)


def parse_json(raw: bytes) -> Any:
    if len(raw) > FILE_MAX:
        raise QuestionnaireImportError([Problem("$", f"the file is larger than {FILE_MAX // 1024} KB")])
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise QuestionnaireImportError([Problem("$", "the file is not UTF-8 text")]) from None
    except json.JSONDecodeError as exc:
        message = f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise QuestionnaireImportError([Problem("$", message)]) from None


def check_file(session: Session, data: Any) -> tuple[list[Problem], QuestionnaireVersion | None, list[tuple[int, str]]]:
    """Every problem of the file (schema first: the other checks read what the schema guarantees)."""
    problems = schema_problems(data)
    if problems:
        return problems, None, []
    problems = question_problems(data)
    versions = list(session.scalars(select(QuestionnaireVersion)))
    version_issues, existing = version_problems(data, versions)
    problems += version_issues
    if problems:
        return problems, None, []
    locals_issues, new = local_problems(session, data, existing)
    return locals_issues, existing, new


@rolls_back_on_error
def import_questionnaire(
    session: Session, data: Any, *, actor: Actor, file_name: str = "", publish: bool = False
) -> ImportOutcome:
    """Check and import a questionnaire file (see the module docstring); raises QuestionnaireImportError."""
    current = active_questionnaire(session)  # version 1 is installed first, so a file can be comparable with it
    problems, existing, new = check_file(session, data)
    if problems:
        raise QuestionnaireImportError(problems)  # the decorator rolls back: nothing is imported
    now = datetime.now(UTC)
    version = existing
    if version is None:
        versions = list(session.scalars(select(QuestionnaireVersion)))
        version = QuestionnaireVersion(
            version=data["version"],
            title=data["title"]["vi"][:200],
            definition=national_part(data),
            created_at=now,
            active=False,
            status="draft",
            comparable_with=resolved_comparable_with(data, versions),
        )
        session.add(version)
        session.flush()
    for index, kind in new:
        question = data["local_questions"][index]
        session.add(
            LocalQuestion(
                questionnaire_version_id=version.id,
                scope_kind=kind,
                scope_code=question["scope"],
                code=question["code"],
                type=question["type"],
                required=question["required"],
                text=question["text"],
                options=question.get("options"),
                valid_from=_day(question.get("valid_from")),
                valid_to=_day(question.get("valid_to")),
                position=index,
                created_at=now,
            )
        )
    session.flush()
    details = {"file": file_name[:200], "local_questions": len(new), "new_version": existing is None}
    audit.record(session, actor=actor.name, user_id=actor.user_id, action="questionnaire.import",
                 target=f"version {version.version}", details=details)  # fmt: skip
    if publish:
        _publish(session, version, actor, now)
    pin_open_links(session, current.id)
    session.commit()
    return ImportOutcome(version.id, version.version, existing is None, len(new), publish)


def pin_open_links(session: Session, version_id: int) -> None:
    """One-time links issued before any version was installed answer the version published then (version 1)."""
    session.execute(
        update(Invitation)
        .where(
            Invitation.questionnaire_version_id.is_(None),
            Invitation.is_public.is_(False),
            Invitation.used_at.is_(None),
        )
        .values(questionnaire_version_id=version_id)
        .execution_options(synchronize_session=False)
    )


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def pending_local_questions(session: Session, version_id: int) -> list[LocalQuestion]:
    return list(
        session.scalars(
            select(LocalQuestion)
            .where(LocalQuestion.questionnaire_version_id == version_id, LocalQuestion.published_at.is_(None))
            .order_by(LocalQuestion.position)
        )
    )


def _publish(session: Session, version: QuestionnaireVersion, actor: Actor, now: datetime) -> None:
    if version.status == "retired":
        raise VersionStateError("retired", f"version {version.version} is retired and cannot be published again")
    pending = pending_local_questions(session, version.id)
    if version.active and not pending:
        message = f"version {version.version} is already published, with all its local questions"
        raise VersionStateError("nothing_to_publish", message)
    if not version.active:
        session.execute(
            update(QuestionnaireVersion)
            .where(QuestionnaireVersion.active.is_(True))
            .values(active=False, status="superseded")
            .execution_options(synchronize_session="fetch")
        )
        version.active, version.status, version.published_at = True, "published", now
    for question in pending:
        question.published_at = now
    session.flush()
    audit.record(session, actor=actor.name, user_id=actor.user_id, action="questionnaire.publish",
                 target=f"version {version.version}", details={"local_questions": len(pending)})  # fmt: skip


def _version(session: Session, version_id: int) -> QuestionnaireVersion:
    version = session.get(QuestionnaireVersion, version_id)
    if version is None:
        raise VersionStateError("unknown", f"no questionnaire version has the id {version_id}")
    return version


@rolls_back_on_error
def publish_version(session: Session, version_id: int, *, actor: Actor) -> QuestionnaireVersion:
    """Make this version the one new links render (with its pending local questions); audited."""
    version = _version(session, version_id)
    _publish(session, version, actor, datetime.now(UTC))
    session.commit()
    return version


@rolls_back_on_error
def retire_version(session: Session, version_id: int, *, actor: Actor) -> QuestionnaireVersion:
    """Stop accepting answers to a draft or superseded version; the published one must be replaced first."""
    version = _version(session, version_id)
    if version.active:
        message = f"version {version.version} is the published one: publish another version first"
        raise VersionStateError("published", message)
    if version.status == "retired":
        raise VersionStateError("retired", f"version {version.version} is already retired")
    version.status, version.retired_at = "retired", datetime.now(UTC)
    audit.record(session, actor=actor.name, user_id=actor.user_id, action="questionnaire.retire",
                 target=f"version {version.version}")  # fmt: skip
    session.commit()
    return version


@rolls_back_on_error
def record_preview(session: Session, version_id: int, *, actor: Actor, office_code: str | None, language: str) -> None:
    """Note that someone looked at a version as citizens would see it."""
    version = _version(session, version_id)
    details = {"office": office_code, "language": language}
    audit.record(session, actor=actor.name, user_id=actor.user_id, action="questionnaire.preview",
                 target=f"version {version.version}", details=details)  # fmt: skip
    session.commit()
